"""Route-matrix specs for 责任体系 (merged into tests/test_route_matrix.py SPECS).

Who holds the duty capabilities is written out by hand, as the matrix does for orgs and people:
duty.view for the Party-affairs admins, the secretary, the discipline head, leaders, section heads
and branch secretaries on their nodes; duty.change for the Party-affairs admins only.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.duties.models import (
    Duty,
    DutyKind,
    GroupMember,
    Institution,
    LeadingGroup,
    LetterTask,
    ResponsibilityLetter,
)
from dangjian.orgs.models import Person

from ..conftest import ROLE_USERS
from ..route_matrix import ALL, ANON, BGS, ZB2, Case, _bogus

_VIEW = {"dangwu": ALL, "shuji": ALL, "jijian": ALL, "banzi": BGS | {"SXX-RSK", "SXX-DJB"}, "kezhang": BGS,
         "zhibu": ZB2, "zuzhi": BGS}
_CHANGE = {"dangwu": ALL, "zuzhi": BGS}
TODAY = timezone.localdate()


def _holds(table, role, code):
    where = table.get(role, set())
    return where == ALL or code in where


def views(role, code):
    return _holds(_VIEW, role, code)


def changes(role, code):
    return _holds(_CHANGE, role, code)


def views_anywhere(role):
    return bool(_VIEW.get(role))


def changes_anywhere(role):
    return bool(_CHANGE.get(role))


def _records():
    """The 办公室 and 财务科 letters, one task of each (owned by nobody in the matrix) and duties."""
    out = []
    for code in ("SXX-BGS", "SXX-CWK"):
        letter = ResponsibilityLetter.objects.select_related("org").get(year=TODAY.year, org__code=code)
        task = LetterTask.objects.filter(letter=letter).exclude(owner__user__username__in=ROLE_USERS).first()
        duty = Duty.objects.current().get(kind=DutyKind.SPECIFIC, org__code=code)
        out.append((code, letter, task, duty))
    return out


def _owns(ctx, role, task):
    user = ctx.users.get(role)
    return user is not None and task.owner.user_id == user.pk


def _page(name, role, allowed, **kw):
    return Case(name, "GET", reverse(name), allowed if role != ANON else False, **kw)


def spec_matrix(ctx, role):
    allowed = views_anywhere(role)
    return [_page("duties:matrix", role, allowed),
            Case("matrix export", "GET", reverse("duties:matrix") + "?export=xlsx", allowed, writes=None)]


def spec_simple_view(name):
    def spec(ctx, role):
        return [_page(name, role, views_anywhere(role))]
    return spec


def spec_change_form(name):
    def spec(ctx, role):
        allowed = changes_anywhere(role)
        return [_page(name, role, allowed),
                Case(f"{name} empty POST", "POST", reverse(name), allowed, data={}, writes=False, ok=(200,))]
    return spec


def spec_duty_assign(ctx, role):
    allowed = changes(role, "SXX-BGS-MS")
    banzi = Person.objects.get(user__username="banzi")
    data = {"person": banzi.pk, "kind": "leadership", "org": ctx.orgs["SXX-BGS-MS"].pk,
            "start_date": TODAY.isoformat(), "end_date": "", "note": ""}
    return [_page("duties:duty_assign", role, changes_anywhere(role)),
            Case("duty_assign 秘书组", "POST", reverse("duties:duty_assign"), allowed, data=data)]


def spec_duty_end(ctx, role):
    cases = []
    for code, _letter, _task, duty in _records():
        url = reverse("duties:duty_end", args=[duty.pk])
        cases += [Case(f"duty_end {code}", "POST", url, changes(role, code),
                       data={"end_date": TODAY.isoformat(), "version": duty.version}),
                  Case(f"duty_end {code} by GET", "GET", url, False, denied=(405,))]
    return cases + _bogus("duty_end", lambda pk: reverse("duties:duty_end", args=[pk]), methods=("POST",))


def spec_section_domains(ctx, role):
    cases = []
    for code in ("SXX-BGS", "SXX-CWK"):
        url = reverse("duties:section_domains", args=[ctx.orgs[code].pk])
        cases += [Case(f"section_domains {code}", "GET", url, views(role, code)),
                  Case(f"section_domains {code} POST", "POST", url, changes(role, code), data={"domains": ["综合"]})]
    return cases + _bogus("section_domains", lambda pk: reverse("duties:section_domains", args=[pk]))


def _group():
    return LeadingGroup.objects.get(org__code="SXX")


def spec_group_edit(ctx, role):
    g = _group()
    url = reverse("duties:group_edit", args=[g.pk])
    return [Case("group_edit", "GET", url, changes(role, "SXX")),
            Case("group_edit empty POST", "POST", url, changes(role, "SXX"), data={}, writes=False, ok=(200,))
            ] + _bogus("group_edit", lambda pk: reverse("duties:group_edit", args=[pk]))


def spec_group_member_add(ctx, role):
    g = _group()
    person = Person.objects.get(user__username="kezhang")
    url = reverse("duties:group_member_add", args=[g.pk])
    return [Case("group_member_add", "POST", url, changes(role, "SXX"),
                 data={"person": person.pk, "role": "member", "start_date": TODAY.isoformat()}),
            Case("group_member_add by GET", "GET", url, False, denied=(405,))
            ] + _bogus("group_member_add", lambda pk: reverse("duties:group_member_add", args=[pk]), ("POST",))


def spec_group_member_end(ctx, role):
    member = GroupMember.objects.filter(group=_group(), end_date__isnull=True).first()
    url = reverse("duties:group_member_end", args=[member.pk])
    return [Case("group_member_end", "POST", url, changes(role, "SXX"), data={"end_date": TODAY.isoformat()})
            ] + _bogus("group_member_end", lambda pk: reverse("duties:group_member_end", args=[pk]), ("POST",))


def spec_letter_year(ctx, role):
    user = ctx.users.get(role)
    own = user is not None and LetterTask.objects.filter(owner__user=user).exists()
    return [_page("duties:letter_year", role, views_anywhere(role) or own)]


def spec_letter_record(name, method="GET", **kw):
    def spec(ctx, role):
        cases = []
        for code, letter, _task, _duty in _records():
            allowed = (changes if method == "POST" else views)(role, code)
            cases.append(Case(f"{name} {code}", method, reverse(f"duties:{name}", args=[letter.pk]), allowed,
                              data={} if method == "POST" else None, **kw))
        return cases + _bogus(name, lambda pk: reverse(f"duties:{name}", args=[pk]), (method,))
    return spec


def spec_letter_scan(ctx, role):
    # no demo letter carries a scan: a 404 for everyone, never the file of another letter
    return [Case(f"letter_scan {code}", "GET", reverse("duties:letter_scan", args=[letter.pk]), False, denied=(404,))
            for code, letter, _t, _d in _records()]


def spec_task_detail(ctx, role):
    cases = []
    for code, _letter, task, _duty in _records():
        url = reverse("duties:task_detail", args=[task.pk])
        cases += [Case(f"task_detail {code}", "GET", url, views(role, code) or _owns(ctx, role, task)),
                  Case(f"task_detail {code} progress", "POST", url, changes(role, code) or _owns(ctx, role, task),
                       data={"status": "in_progress", "note": "推进中", "evidence": "", "loaded_version": task.version})]
    return cases + _bogus("task_detail", lambda pk: reverse("duties:task_detail", args=[pk]), ("GET", "POST"))


def spec_task_delete(ctx, role):
    cases = [Case(f"task_delete {code}", "POST", reverse("duties:task_delete", args=[task.pk]), changes(role, code),
                  writes=None) for code, _l, task, _d in _records()]
    return cases + _bogus("task_delete", lambda pk: reverse("duties:task_delete", args=[pk]), ("POST",))


def _institution():
    return Institution.objects.filter(org__code="SXX").first()


def spec_rule_detail(ctx, role):
    # the agency's rules bind everyone under it: any duty.view grant inside the agency reads them
    url = reverse("duties:rule_detail", args=[_institution().pk])
    return [Case("rule_detail", "GET", url, views_anywhere(role))] + _bogus(
        "rule_detail", lambda pk: reverse("duties:rule_detail", args=[pk]))


def spec_rule_edit(ctx, role):
    url = reverse("duties:rule_edit", args=[_institution().pk])
    return [Case("rule_edit", "GET", url, changes(role, "SXX")),
            Case("rule_edit empty POST", "POST", url, changes(role, "SXX"), data={}, writes=False, ok=(200,))]


def spec_rule_file(ctx, role):
    return [Case("rule_file without a file", "GET", reverse("duties:rule_file", args=[_institution().pk]), False,
                 denied=(404,))]


# ---- API --------------------------------------------------------------------------------------------

def _api(name, role, allowed=None, args=(), query="", **kw):
    return Case(f"api {name}", kw.pop("method", "GET"), reverse(f"api:{name}", args=args) + query,
                role != ANON if allowed is None else allowed, **kw)


def spec_api_list(name):
    def spec(ctx, role):
        return [_api(name, role)]
    return spec


def spec_api_assign_duty(ctx, role):
    banzi = Person.objects.get(user__username="banzi")
    return [_api("assign_duty", role, changes(role, "SXX-BGS-MS"), method="POST", ok=(201,), json={
        "person_id": banzi.pk, "kind": "leadership", "org_id": ctx.orgs["SXX-BGS-MS"].pk,
        "start_date": TODAY.isoformat()})]


def spec_api_end_duty(ctx, role):
    return [_api("end_duty", role, changes(role, code), args=[duty.pk], method="POST",
                 json={"end_date": TODAY.isoformat(), "version": duty.version}) for code, _l, _t, duty in _records()]


def spec_api_chain(ctx, role):
    return [_api("duty_chain", role, views(role, code), query=f"?org_id={ctx.orgs[code].pk}")
            for code in ("SXX-BGS", "SXX-CWK")] + [
        _api("duty_chain", role, False, query="?org_id=10000000000000000000", denied=(404, 422))]


def spec_api_get_letter(ctx, role):
    return [_api("get_letter", role, views(role, code), args=[letter.pk]) for code, letter, _t, _d in _records()]


def spec_api_create_letter(ctx, role):
    kezhang = Person.objects.get(user__username="kezhang")
    return [_api("create_letter", role, changes(role, "SXX-BGS"), method="POST", ok=(201,),
                 json={"year": TODAY.year + 1, "counterpart_id": kezhang.pk})]


def spec_api_add_task(ctx, role):
    cases = []
    for code, letter, task, _d in _records():
        cases.append(_api("add_task", role, changes(role, code), args=[letter.pk], method="POST", ok=(201, 422),
                          writes=None, json={"title": "接口任务", "target": "完成", "owner_id": task.owner_id,
                                             "deadline": dt.date(TODAY.year, 12, 31).isoformat(), "weight": 1}))
    return cases


def spec_api_sign_letter(ctx, role):
    return [_api("sign_letter", role, changes(role, code), args=[letter.pk], method="POST", ok=(200, 422),
                 writes=None, json={"signed_on": TODAY.isoformat()}) for code, letter, _t, _d in _records()]


def spec_api_report_progress(ctx, role):
    return [_api("report_progress", role, changes(role, code) or _owns(ctx, role, task), args=[task.pk],
                 method="POST", json={"status": "in_progress", "note": "推进中", "version": task.version})
            for code, _l, task, _d in _records()]


SPECS = {
    "duties:matrix": spec_matrix,
    "duties:duty_assign": spec_duty_assign,
    "duties:duty_end": spec_duty_end,
    "duties:conflicts": spec_simple_view("duties:conflicts"),
    "duties:section_domains": spec_section_domains,
    "duties:group": spec_simple_view("duties:group"),
    "duties:group_add": spec_change_form("duties:group_add"),
    "duties:group_edit": spec_group_edit,
    "duties:group_member_add": spec_group_member_add,
    "duties:group_member_end": spec_group_member_end,
    "duties:letter_year": spec_letter_year,
    "duties:letter_create": spec_change_form("duties:letter_create"),
    "duties:letter_detail": spec_letter_record("letter_detail"),
    "duties:letter_docx": spec_letter_record("letter_docx", writes=None),
    "duties:letter_sign": spec_letter_record("letter_sign", "POST", writes=None),
    "duties:letter_scan": spec_letter_scan,
    "duties:task_detail": spec_task_detail,
    "duties:task_delete": spec_task_delete,
    "duties:rule_list": spec_simple_view("duties:rule_list"),
    "duties:rule_add": spec_change_form("duties:rule_add"),
    "duties:rule_detail": spec_rule_detail,
    "duties:rule_edit": spec_rule_edit,
    "duties:rule_file": spec_rule_file,
    "api:list_duties": spec_api_list("list_duties"),
    "api:assign_duty": spec_api_assign_duty,
    "api:end_duty": spec_api_end_duty,
    "api:duty_matrix": spec_api_list("duty_matrix"),
    "api:duty_conflicts": spec_api_list("duty_conflicts"),
    "api:duty_chain": spec_api_chain,
    "api:list_letters": spec_api_list("list_letters"),
    "api:get_letter": spec_api_get_letter,
    "api:create_letter": spec_api_create_letter,
    "api:add_task": spec_api_add_task,
    "api:sign_letter": spec_api_sign_letter,
    "api:report_progress": spec_api_report_progress,
    "api:list_institutions": spec_api_list("list_institutions"),
}
API_METHODS = {name.split(":")[1]: ({"POST"} if name.split(":")[1] in {
    "assign_duty", "end_duty", "create_letter", "add_task", "sign_letter", "report_progress"} else {"GET"})
    for name in SPECS if name.startswith("api:")}
