"""Pages of 纪委监督 (thin: scope through visible_to / get_visible_or_404, changes through services).

Every page but one's own talks is for the readers (the discipline team and the 党组书记); anyone else gets the
same 404 as for a page that does not exist, so that nothing tells them a record is there.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.actions import run_action, save_form
from dangjian.core.scope import get_visible_or_404, has_capability
from dangjian.core.web import int_param, paginate, year_param
from dangjian.orgs.models import Org, Person

from . import proposals as proposal_figures
from . import services
from .forms import FindingForm, FollowUpForm, InspectionForm, PlanForm, TalkForm
from .models import Finding, Inspection, InspectionPlan, Petition, Talk

CHANGE = "supervision.change"


def _require_reader(user) -> None:
    if not services.is_reader(user):
        raise Http404("页面不存在")


def _require_changer(user) -> None:
    _require_reader(user)
    if not has_capability(user, CHANGE):
        raise PermissionDenied("无权登记监督记录（需要纪委监督权限）")


def _talk_rows(user, talks):
    for talk in talks:
        talk.full = services.reads_in_full(user, talk)
    return talks


@login_required
def index(request):
    """监督: the plans (for the readers); for everyone else, their own talks (date, kind, commitments)."""
    user = request.user
    talks = Talk.objects.visible_to(user).select_related("subject", "talker", "org")
    if not services.is_reader(user):
        page = paginate(request, talks)
        _talk_rows(user, page.object_list)
        return render(request, "supervision/my_talks.html", {"page": page})
    plans = InspectionPlan.objects.visible_to(user).select_related("org")
    return render(request, "supervision/index.html", {
        "page": paginate(request, plans), "tab": "plans", "can_change": has_capability(user, CHANGE)})


@login_required
def plan_add(request):
    _require_changer(request.user)
    form = PlanForm(request.POST or None, user=request.user)
    response = save_form(request, form, lambda: _create_plan(request, form), lambda p: f"已制定检查计划“{p}”。",
                         lambda p: f"/supervision/plans/{p.pk}/")
    return response or render(request, "supervision/form.html", {"form": form, "title": "制定监督检查计划",
                                                                  "tab": "plans"})


def _create_plan(request, form):
    org = services.home_org(request.user)
    if org is None:
        raise PermissionDenied("无权制定监督检查计划")
    plan = form.save(commit=False)
    plan.org = org
    return services.do_create_plan(plan, actor=request.user, people=list(form.cleaned_data["people"]),
                                   sections=list(form.cleaned_data["sections"]))


@login_required
def plan_detail(request, pk):
    _require_reader(request.user)
    plan = get_visible_or_404(InspectionPlan.objects.select_related("org"), request.user, pk)
    inspections = (Inspection.objects.visible_to(request.user).filter(plan=plan)
                   .select_related("person", "section").order_by("-held_on", "-id"))
    page = paginate(request, inspections)
    counts = services.finding_counts([i.pk for i in page.object_list])
    for inspection in page.object_list:
        inspection.total, inspection.closed = counts.get(inspection.pk, (0, 0))
    return render(request, "supervision/plan_detail.html", {
        "plan": plan, "page": page, "people": plan.people.select_related("org"), "sections": plan.sections.all(),
        "can_change": services.path_in_scope(request.user, CHANGE, plan.org_path), "tab": "plans"})


@login_required
def inspection_add(request, pk):
    _require_changer(request.user)
    plan = get_visible_or_404(InspectionPlan.objects.select_related("org"), request.user, pk, "change")
    form = InspectionForm(request.POST or None, plan=plan, user=request.user)

    def create():
        inspection = form.save(commit=False)
        inspection.plan, inspection.results = plan, form.results()
        return services.do_record_inspection(inspection, actor=request.user,
                                             inspectors=list(form.cleaned_data["inspectors"]))

    response = save_form(request, form, create, "已登记检查记录。", lambda i: f"/supervision/inspections/{i.pk}/")
    return response or render(request, "supervision/form.html", {"form": form, "title": f"登记检查记录：{plan}",
                                                                  "tab": "plans"})


@login_required
def inspection_detail(request, pk):
    _require_reader(request.user)
    inspection = get_visible_or_404(Inspection.objects.select_related("plan", "person", "section", "org"),
                                    request.user, pk)
    findings = (Finding.objects.visible_to(request.user).filter(inspection=inspection)
                .select_related("matter__owner", "matter__responsible_leader"))
    total, closed = services.finding_counts([inspection.pk]).get(inspection.pk, (0, 0))
    can_change = services.path_in_scope(request.user, CHANGE, inspection.org_path)
    return render(request, "supervision/inspection_detail.html", {
        "i": inspection, "findings": findings, "total": total, "closed": closed, "tab": "plans",
        "inspectors": inspection.inspectors.select_related("org"),
        "form": FindingForm(inspection=inspection, user=request.user) if can_change else None})


@login_required
@require_POST
def finding_add(request, pk):
    _require_changer(request.user)
    inspection = get_visible_or_404(Inspection.objects.select_related("plan"), request.user, pk, "change")
    form = FindingForm(request.POST, inspection=inspection, user=request.user)

    def add():
        data = form.cleaned_data
        return services.do_add_finding(inspection, actor=request.user, text=data["text"], item=data["item"],
                                       owner=data["owner"], leader=data["leader"], due_on=data["due_on"])

    return run_action(request, add, lambda f: f"已登记问题，整改事项“{f.matter}”已建立。",
                      f"/supervision/inspections/{inspection.pk}/", form=form)


@login_required
def talk_list(request):
    _require_reader(request.user)
    user = request.user
    year = year_param(request.GET, default=timezone.localdate().year)
    talks = Talk.objects.visible_to(user).select_related("subject", "talker", "org")
    page = paginate(request, talks)
    _talk_rows(user, page.object_list)
    return render(request, "supervision/talks.html", {
        "page": page, "year": year, "counts": services.first_form_counts(user, year), "tab": "talks",
        "can_change": has_capability(user, CHANGE)})


@login_required
def talk_add(request):
    _require_changer(request.user)
    petition = int_param(request.GET, "petition", minimum=1)
    form = TalkForm(request.POST or None, user=request.user, initial={"petition": petition} if petition else None)
    response = save_form(request, form, lambda: services.do_record_talk(form.save(commit=False), actor=request.user),
                         "已登记谈话。", lambda t: f"/supervision/talks/{t.pk}/")
    return response or render(request, "supervision/form.html", {"form": form, "title": "登记谈话", "tab": "talks"})


@login_required
def talk_detail(request, pk):
    talk = get_visible_or_404(Talk.objects.select_related("subject", "talker", "finding", "org"), request.user, pk)
    full = services.reads_in_full(request.user, talk)
    # The petition it was about, only for a reader who may see that petition (a 检举控告 is the discipline team's).
    petition = (Petition.objects.visible_to(request.user).filter(pk=talk.petition_id).first()
                if full and talk.petition_id else None)
    can_change = full and services.path_in_scope(request.user, CHANGE, talk.org_path)
    return render(request, "supervision/talk_detail.html", {
        "t": talk, "full": full, "tab": "talks", "petition": petition,
        "form": FollowUpForm(initial={"loaded_version": talk.version, "followed_up_on": timezone.localdate()})
        if can_change and not talk.followed_up_on else None})


@login_required
@require_POST
def talk_follow_up(request, pk):
    talk = get_visible_or_404(Talk, request.user, pk, "change")
    form = FollowUpForm(request.POST)

    def done():
        data = form.cleaned_data
        return services.do_record_follow_up(talk, actor=request.user, done_on=data["followed_up_on"],
                                            note=data["follow_up_note"], expected_version=data["loaded_version"])

    return run_action(request, done, "已登记回访。", f"/supervision/talks/{talk.pk}/", form=form)




@login_required
def proposals(request):
    """检查建议: the figures the data holds on one person or section checked (each listing its records); without
    one, the people and sections of the year's plans to choose from."""
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    year = year_param(request.GET, default=today.year)
    person = section = None
    if request.GET.get("person"):
        person = get_visible_or_404(Person.objects.select_related("org"), user, request.GET["person"])
    elif request.GET.get("section"):
        section = get_visible_or_404(Org, user, request.GET["section"])
    figures = (proposal_figures.proposals(user, year, today, person=person, section=section)
               if person or section else [])
    plans = InspectionPlan.objects.visible_to(user).filter(year=year)
    return render(request, "supervision/proposals.html", {
        "year": year, "person": person, "section": section, "figures": figures, "tab": "proposals",
        "people": Person.objects.filter(pk__in=plans.values("people")).select_related("org").order_by("name", "pk"),
        "sections": Org.objects.filter(pk__in=plans.values("sections")).order_by("path")})
