"""Pages of the 两个责任清单考核 and the 一级抓一级 chain (thin: scope through path_in_scope / visible_to, changes
through checklist.py). The agency is the one the user reads 考评 across (the 党务、纪检 staff and the 党组书记); a
leader reads their own checklist score."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.actions import run_action, save_form
from dangjian.core.scope import get_visible_or_404, path_in_scope, scope_roots
from dangjian.core.web import YEAR_MAX, YEAR_MIN, year_param
from dangjian.orgs.models import Org, Person
from dangjian.orgs.services import agency_of

from . import checklist
from . import checklist_rules as rules
from .checklist_models import ChecklistKind, ChecklistScore
from .ledger import VIEW

NOT_FOUND = "记录不存在或不在您的权限范围内"


def _agency(user) -> Org:
    """The agency whose leaders the user reads: their own, else the one at the top of their 考评 scope; 404 when
    they do not read 考评 across it."""
    person = getattr(user, "person", None)
    org = person.org if person is not None else None
    if org is None:
        roots = scope_roots(user, VIEW)
        org = Org.objects.filter(path=roots[0]).first() if roots else None
    agency = agency_of(org) if org is not None else None
    if agency is None or not path_in_scope(user, VIEW, agency.path):
        raise Http404("页面不存在")
    return agency


@login_required
def checklists(request):
    """The year's leaders with their checklist scores."""
    agency = _agency(request.user)
    year = year_param(request.GET, default=timezone.localdate().year)
    duties = list(checklist.year_duties(agency, year))
    records = {(c.person_id, c.kind): c for c in ChecklistScore.objects.visible_to(request.user)
               .filter(year=year, org_path__pathprefix=agency.path)}
    rows = [{"person": p, "kind": kind, "label": ChecklistKind(kind).label, "record": records.get((p.pk, kind)),
             "scorer": "党组书记" if checklist.scorer_of(kind) == checklist.SECRETARY else "上级评定（录入）"}
            for p, kind in checklist.scored_leaders(duties)]
    return render(request, "assessment/checklists/list.html", {
        "rows": rows, "year": year, "tab": "checklists", "reader": True, "pass_mark": rules.pass_score()})


class ChecklistForm(forms.Form):
    """One score and one evidence field per item (``s_<code>``, ``e_<code>``), the 评定机关 for a higher body."""

    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, items, higher: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"s_{item['code']}"] = forms.DecimalField(
                label=f"{item['code']}. 得分（满分 {item['points']}）",
                decimal_places=1, required=False)
            self.fields[f"e_{item['code']}"] = forms.CharField(label="扣分佐证", max_length=500, required=False)
        if higher:
            self.fields["scored_body"] = forms.CharField(label="评定机关", max_length=100)

    def given(self, items) -> dict:
        return {i["code"]: (self.cleaned_data.get(f"s_{i['code']}"), self.cleaned_data.get(f"e_{i['code']}"))
                for i in items}


def _person(pk) -> Person:
    try:
        return Person.objects.select_related("org").get(pk=pk)
    except (Person.DoesNotExist, ValueError, OverflowError):
        raise Http404(NOT_FOUND) from None


@login_required
def checklist_page(request, year, person_id, kind):
    """One leader's checklist for a year: the items (the scored version, else the one in force) with their marks;
    the form for the scorer the rules name until it is approved. POST scores."""
    user = request.user
    if kind not in ChecklistKind.values or not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404(NOT_FOUND)
    person = _person(person_id)
    agency = agency_of(person.org)
    record = ChecklistScore.objects.visible_to(user).filter(year=year, person=person, kind=kind).select_related(
        "scored_by", "recorded_by", "approved_by").first()
    duties = list(checklist.year_duties(agency, year))
    secretary = checklist.secretary_of(duties)
    may_score = checklist.may_score(user, kind, person, agency, secretary)
    if record is None and not (may_score or path_in_scope(user, VIEW, agency.path)):
        raise Http404(NOT_FOUND)
    if record is None and (person, kind) not in checklist.scored_leaders(duties):
        raise Http404(f"{person}{year}年未担任{ChecklistKind(kind).label}")
    version, items = (record.rule_version, record.items) if record else rules.items_in_force(kind)
    higher = checklist.scorer_of(kind) == checklist.HIGHER
    editable = may_score and not (record and record.frozen) and year <= timezone.localdate().year
    form = None
    if editable:
        initial = {f"s_{r['code']}": r["score"] for r in checklist.rows(record, items)}
        initial.update({f"e_{r['code']}": r["evidence"] for r in checklist.rows(record, items)})
        initial.update(loaded_version=record.version if record else None,
                       scored_body=record.scored_body if record else "")
        form = ChecklistForm(request.POST or None, items=items, higher=higher, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied("该清单得分已审定，不能修改" if record and record.frozen else "无权为该清单评分")
    if form is not None:
        response = save_form(request, form, lambda: checklist.do_score_checklist(
            agency, person, kind, year, actor=user, given=form.given(items),
            scored_body=form.cleaned_data.get("scored_body", ""),
            expected_version=form.cleaned_data["loaded_version"]),
            lambda saved: f"已评分：{saved.total} 分。", lambda saved: saved.get_absolute_url())
        if response:
            return response
    fields = [(r, form[f"s_{r['code']}"], form[f"e_{r['code']}"]) if form else (r, None, None)
              for r in checklist.rows(record, items)]
    return render(request, "assessment/checklists/checklist.html", {
        "person": person, "year": year, "kind": kind, "label": ChecklistKind(kind).label, "record": record,
        "version": version, "fields": fields, "form": form, "higher": higher, "tab": "checklists",
        "reader": path_in_scope(user, VIEW, agency.path), "secretary": secretary,
        "may_approve": record is not None and not record.frozen and path_in_scope(user, "assessment.change",
                                                                                   record.org_path)
        and record.person.user_id != user.pk})


@login_required
@require_POST
def checklist_approve(request, pk):
    record = get_visible_or_404(ChecklistScore.objects.select_related("person"), request.user, pk)
    return run_action(request, lambda: checklist.do_approve_checklist(record, actor=request.user),
                      "已审定，清单得分不再修改。", record.get_absolute_url())


@login_required
def chain(request):
    """一级抓一级: the year's chain with each level's letter result and checklist score, marked where it fails."""
    agency = _agency(request.user)
    year = year_param(request.GET, default=timezone.localdate().year)
    return render(request, "assessment/checklists/chain.html", {
        "root": checklist.chain(agency, year), "year": year, "agency": agency, "tab": "chain", "reader": True,
        "pass_mark": rules.pass_score()})
