"""Route-matrix specs for 年度报告 (merged into tests/test_route_matrix.py SPECS).

Reports use the 责任体系 capabilities (duty.view to read, duty.change to write), held as written out in
tests/duties/route_specs.py. Two reports: the demo agency's (SXX) and one of 办公室 (SXX-BGS), made on first use.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import Org
from dangjian.reports.annual import create_report
from dangjian.reports.models import AnnualReport

from ..duties.route_specs import changes, changes_anywhere, views, views_anywhere
from ..route_matrix import ANON, Case, _bogus

YEAR = timezone.localdate().year
CODES = ("SXX", "SXX-BGS")
API_METHODS: dict = {}


def _reports():
    out = []
    for code in CODES:
        report = AnnualReport.objects.filter(org__code=code, year=YEAR).first()
        if report is None:
            report = create_report(Org.objects.get(code=code), YEAR, actor=User.objects.get(username="dangwu"))
        out.append((code, report))
    return out


def _get(what, url, allowed, role, **kw):
    return Case(what, "GET", url, allowed and role != ANON, **kw)


def spec_list(ctx, role):
    return [_get("report_list", reverse("reports:report_list"), views_anywhere(role), role,
                 must_show=("年度报告",))]


def spec_create(ctx, role):
    url = reverse("reports:report_create")
    bgs = ctx.orgs["SXX-BGS"].pk
    return [_get("report_create", url, changes_anywhere(role), role),
            Case("report_create empty", "POST", url, changes_anywhere(role), data={}, writes=False, ok=(200,)),
            Case("report_create 办公室 2019", "POST", url, changes(role, "SXX-BGS"), data={"org": bgs, "year": 2019})]


def spec_detail(ctx, role):
    cases = [_get(f"report_detail {code}", reverse("reports:report_detail", args=[r.pk]), views(role, code), role)
             for code, r in _reports()]
    return cases + _bogus("report_detail", lambda pk: reverse("reports:report_detail", args=[pk]))


def spec_export(ctx, role):
    cases = [_get(f"report_export {code}", reverse("reports:report_export", args=[r.pk]), views(role, code), role,
                  writes=None) for code, r in _reports()]
    return cases + _bogus("report_export", lambda pk: reverse("reports:report_export", args=[pk]))


def spec_freeze(ctx, role):
    cases = []
    for code, r in _reports():
        url = reverse("reports:report_freeze", args=[r.pk])
        cases += [Case(f"report_freeze {code}", "POST", url, changes(role, code), data={"version": r.version}),
                  Case(f"report_freeze {code} by GET", "GET", url, False, denied=(405,))]
    return cases + _bogus("report_freeze", lambda pk: reverse("reports:report_freeze", args=[pk]), methods=("POST",))


def spec_section_edit(ctx, role):
    cases = []
    for code, r in _reports():
        section = r.sections.order_by("order")[1]
        url = reverse("reports:section_edit", args=[section.pk])
        cases += [_get(f"section_edit {code}", url, changes(role, code), role),
                  Case(f"section_edit {code} POST", "POST", url, changes(role, code),
                       data={"heading": section.heading, "body": "修改后的正文。", "loaded_version": section.version})]
    return cases + _bogus("section_edit", lambda pk: reverse("reports:section_edit", args=[pk]), methods=("GET", "POST"))


SPECS = {
    "reports:report_list": spec_list,
    "reports:report_create": spec_create,
    "reports:report_detail": spec_detail,
    "reports:report_export": spec_export,
    "reports:report_freeze": spec_freeze,
    "reports:section_edit": spec_section_edit,
}
