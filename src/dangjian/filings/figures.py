"""The figures of 报告报备, registered in the one figure registry (core/figures.py): the agency's 重大事项请示报告 sent
in the period, and the leaders' absences (外出) by the day they left — filed ones, and those found unfiled. Cadres'
personal reports (保密) have no figure."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from dangjian.core.figures import Column, maker, register

from .models import Absence, AbsenceStatus, AgencyReport

absence_figure = maker("filings", Absence, unit="次", related=("person",), order_by=("-leaves_on", "-id"),
                       link=lambda a: reverse("filings:absence", args=[a.pk]),
                       columns=(Column("外出领导", "person"), Column("离开日期", "leaves_on"),
                                Column("返回日期", "returns_on"), Column("外出地点", "destination"),
                                Column("状态", "get_status_display")))


def _absences(s):
    return s.under("org_path") & s.during("leaves_on")


FIGURES = (
    maker("filings", AgencyReport, unit="件", related=("responsible",), order_by=("-reported_on", "-id"),
          link=lambda r: reverse("filings:report", args=[r.pk]),
          columns=(Column("类别", "get_kind_display"), Column("事项", "subject"), Column("报送对象", "recipient"),
                   Column("应报日期", "due_on"), Column("报送日期", "reported_on")))(
        "reports.count", "重大事项报告", "报送日期在统计期间内的重大事项请示报告（向上级党组织）",
        lambda s: s.under("org_path") & s.during("reported_on")),
    absence_figure("absences.count", "外出报备", "离开日期在统计期间内、事先报备的外出（不含未报备外出和已撤销的报备）",
                   lambda s: _absences(s) & ~Q(status__in=[AbsenceStatus.UNFILED, AbsenceStatus.CANCELLED])),
    absence_figure("absences.unfiled", "未报备外出", "离开日期在统计期间内、经查实未事先报备的外出",
                   lambda s: _absences(s) & Q(status=AbsenceStatus.UNFILED), higher_is_better=False),
)

register(*FIGURES)
