"""Pages of 报告报备 (thin: scope through visible_to / get_visible_or_404, changes through services).

外出报备 and the agency's reports are read with ``filing.view`` (and a leader reads their own filings); a cadre's
personal reports with ``filing_personal.view`` or as their author — anyone else gets the same 404 as for a
record that is not there.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.actions import run_action, save_form
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope
from dangjian.core.web import paginate

from . import services
from .forms import (
    AbsenceForm,
    AgencyReportForm,
    CancelForm,
    DecideForm,
    PersonalReportForm,
    ReturnForm,
    UnfiledAbsenceForm,
)
from .models import AWAY_STATUSES, Absence, AbsenceStatus, AgencyReport, PersonalReport

CHANGE, PERSONAL_CHANGE = services.CHANGE, services.PERSONAL_CHANGE


def _own_person(user):
    return getattr(user, "person", None)


def _may_file_for_self(user) -> bool:
    person = _own_person(user)
    return person is not None and services.obliged(person)


def _base(request, tab: str, **extra) -> dict:
    user = request.user
    return {"tab": tab, "can_change": has_capability(user, CHANGE), "self_files": _may_file_for_self(user),
            "personal_reader": services.reads_personal(user),
            "reads_reports": has_capability(user, "filing.view"), **extra}


# ---- 外出报备 -------------------------------------------------------------------------------------------

@login_required
def index(request):
    """外出报备: the filings the user reads (a leader's own among them), newest first."""
    absences = Absence.objects.visible_to(request.user).select_related("person", "acting", "org")
    status = request.GET.get("status", "")
    if status in AbsenceStatus.values:
        absences = absences.filter(status=status)
    return render(request, "filings/index.html", _base(request, "absences", page=paginate(request, absences),
                                                       status=status, statuses=AbsenceStatus.choices))


def _month_param(request, today: dt.date) -> dt.date:
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


@login_required
def absence_calendar(request):
    """外出日历: a month grid of who is away (every filing the user reads that is not refused), in one query."""
    today = timezone.localdate()
    first = _month_param(request, today)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    absences = list(Absence.objects.visible_to(request.user)
                    .filter(status__in=AWAY_STATUSES, leaves_on__lte=last)
                    .filter(Q(returned_on__isnull=True, returns_on__gte=first) | Q(returned_on__gte=first))
                    .select_related("person").order_by("leaves_on", "pk"))
    weeks = []
    for week in calendar.Calendar().monthdatescalendar(first.year, first.month):
        weeks.append([{"day": d, "in_month": d.month == first.month, "today": d == today,
                       "away": [a for a in absences if a.leaves_on <= d <= a.away_until]} for d in week])
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(request, "filings/calendar.html", _base(
        request, "calendar", first=first, weeks=weeks, absences=absences, weekdays="一二三四五六日",
        prev_month=f"{prev_month:%Y-%m}", next_month=f"{next_month:%Y-%m}"))


@login_required
def absence_add(request):
    user = request.user
    staff = has_capability(user, CHANGE)
    if not staff and not _may_file_for_self(user):
        raise PermissionDenied("外出报备：只有领导班子成员本人或工作人员可以报备")
    for_self = not staff
    form = AbsenceForm(request.POST or None, user=user, for_self=for_self)

    def file():
        absence = form.save(commit=False)
        if for_self:
            absence.person = _own_person(user)
        return services.do_file_absence(absence, actor=user)

    response = save_form(request, form, file, lambda a: f"已报备：{a}，待党组书记审批。",
                         lambda a: f"/filings/absences/{a.pk}/")
    return response or render(request, "filings/form.html", _base(request, "absences", form=form, title="外出报备"))


@login_required
def absence_unfiled(request):
    user = request.user
    if not has_capability(user, CHANGE):
        raise PermissionDenied("无权登记未报备外出")
    form = UnfiledAbsenceForm(request.POST or None, user=user)
    response = save_form(request, form, lambda: services.do_record_unfiled(
        form.save(commit=False), actor=user, evidence=form.cleaned_data["evidence"]),
        lambda a: f"已登记未报备外出：{a}，已记入作风台账。", lambda a: f"/filings/absences/{a.pk}/")
    return response or render(request, "filings/form.html", _base(request, "absences", form=form,
                                                                   title="登记未报备外出"))


@login_required
def absence_detail(request, pk):
    user = request.user
    absence = get_visible_or_404(Absence.objects.select_related("person", "acting", "org", "decided_by"), user, pk)
    own = services.is_self(user, absence.person)
    decide = (DecideForm(initial={"loaded_version": absence.version})
              if absence.status == AbsenceStatus.PENDING and services.may_decide(user, absence) else None)
    confirm = (ReturnForm(initial={"loaded_version": absence.version, "returned_on": timezone.localdate()})
               if absence.status == AbsenceStatus.APPROVED and (own or path_in_scope(user, CHANGE, absence.org_path))
               else None)
    return render(request, "filings/absence_detail.html", _base(
        request, "absences", a=absence, decide=decide, confirm=confirm, cancel=services.may_cancel(user, absence),
        deadline=services.confirm_deadline(absence)))


@login_required
@require_POST
def absence_decide(request, pk):
    absence = get_visible_or_404(Absence.objects.select_related("person", "org"), request.user, pk)
    if not services.may_decide(request.user, absence):
        raise PermissionDenied("无权审批该外出报备")
    form = DecideForm(request.POST)

    def decide():
        data = form.cleaned_data
        return services.do_decide_absence(absence, actor=request.user, approve=data["decision"] == "approve",
                                          note=data["decision_note"], expected_version=data["loaded_version"])

    return run_action(request, decide, lambda a: f"已审批：{a.get_status_display()}。",
                      f"/filings/absences/{absence.pk}/", form=form)


@login_required
@require_POST
def absence_return(request, pk):
    user = request.user
    absence = get_visible_or_404(Absence.objects.select_related("person", "org"), user, pk)
    if not (services.is_self(user, absence.person) or path_in_scope(user, CHANGE, absence.org_path)):
        raise PermissionDenied("无权确认他人返岗")
    form = ReturnForm(request.POST)

    def confirm():
        data = form.cleaned_data
        return services.do_confirm_return(absence, actor=user, returned_on=data["returned_on"],
                                          expected_version=data["loaded_version"])

    return run_action(request, confirm, "已确认返岗。", f"/filings/absences/{absence.pk}/", form=form)


@login_required
@require_POST
def absence_cancel(request, pk):
    user = request.user
    absence = get_visible_or_404(Absence.objects.select_related("person", "org"), user, pk)
    if not (services.is_self(user, absence.person) or path_in_scope(user, CHANGE, absence.org_path)):
        raise PermissionDenied("无权撤销他人的外出报备")
    form = CancelForm(request.POST)
    return run_action(request, lambda: services.do_cancel_absence(
        absence, actor=user, expected_version=form.cleaned_data["loaded_version"]), "已撤销该外出报备。",
        f"/filings/absences/{absence.pk}/", form=form)


# ---- 重大事项请示报告 -------------------------------------------------------------------------------------

@login_required
def report_list(request):
    if not has_capability(request.user, "filing.view"):
        raise Http404("页面不存在")
    reports = AgencyReport.objects.visible_to(request.user).select_related("responsible")
    page = paginate(request, reports)
    return render(request, "filings/reports.html", _base(request, "reports", page=page,
                                                         today=timezone.localdate()))


def _report_form(request, report=None):
    if not has_capability(request.user, CHANGE):
        raise PermissionDenied("无权登记重大事项请示报告")
    form = AgencyReportForm(request.POST or None, instance=report, user=request.user)

    def save():
        return services.do_save_report(form.save(commit=False), actor=request.user,
                                       expected_version=form.expected_version)

    response = save_form(request, form, save, lambda r: f"已保存：{r}。", lambda r: f"/filings/reports/{r.pk}/")
    return response or render(request, "filings/form.html", _base(
        request, "reports", form=form, title="修改重大事项请示报告" if report else "登记重大事项请示报告"))


@login_required
def report_add(request):
    return _report_form(request)


@login_required
def report_edit(request, pk):
    report = get_visible_or_404(AgencyReport.objects.select_related("responsible"), request.user, pk, "change")
    return _report_form(request, report)


@login_required
def report_detail(request, pk):
    report = get_visible_or_404(AgencyReport.objects.select_related("responsible", "org"), request.user, pk)
    return render(request, "filings/report_detail.html", _base(
        request, "reports", r=report, late=report.late_days(timezone.localdate()),
        may_edit=path_in_scope(request.user, CHANGE, report.org_path)))


# ---- 领导干部个人有关事项报告 -----------------------------------------------------------------------------

@login_required
def personal_list(request):
    """The readers (组织人事, 纪检) see the reports in their scope; a cadre sees their own; the contents only on
    each report's page."""
    reports = PersonalReport.objects.visible_to(request.user).select_related("person", "org").defer("content")
    return render(request, "filings/personal.html", _base(request, "personal", page=paginate(request, reports),
                                                          today=timezone.localdate()))


@login_required
def personal_add(request):
    user = request.user
    staff = has_capability(user, PERSONAL_CHANGE)
    if not staff and not _may_file_for_self(user):
        raise PermissionDenied("个人有关事项报告：只有领导干部本人或组织人事部门可以填报")
    form = PersonalReportForm(request.POST or None, user=user, for_self=not staff)

    def file():
        report = form.save(commit=False)
        if not staff:
            report.person = _own_person(user)
        return services.do_file_personal_report(report, actor=user)

    response = save_form(request, form, file, "已报告。", lambda r: f"/filings/personal/{r.pk}/")
    return response or render(request, "filings/form.html", _base(request, "personal", form=form,
                                                                   title="报告个人有关事项"))


@login_required
def personal_detail(request, pk):
    report = get_visible_or_404(PersonalReport.objects.select_related("person", "org"), request.user, pk)
    return render(request, "filings/personal_detail.html", _base(request, "personal", r=report))
