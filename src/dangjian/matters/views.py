"""Pages of 事项督办: lists with saved filters, the overdue board, a matter with its timeline, its actions.

Thin: scope through visible_to / get_visible_or_404, every change through a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.actions import create_or_update, run_action, save_form
from dangjian.core.documents import xlsx_response
from dangjian.core.scope import get_visible_or_404, has_capability
from dangjian.core.uploads import stored_file_response
from dangjian.core.web import paginate

from . import kinds, ledger, services, workflow
from .filters import list_order
from .forms import (
    ContactForm,
    FilterForm,
    MatterForm,
    MeasureForm,
    MilestonePlanForm,
    ProgressForm,
    SatisfactionForm,
    SavedFilterForm,
    TransitionForm,
)
from .models import Matter, Measure, Milestone, ProblemList, Progress, SavedFilter, Status

LIST_RELATED = ("org", "owner", "responsible_leader")
# What a list row never shows: long texts, and the people's encrypted columns (each would be decrypted per row).
LIST_DEFER = ("content", "reply_text", "completion_statement", "evidence",
              *(f"{who}__{field}" for who in ("owner", "responsible_leader") for field in ("id_number", "phone")))


def _decorate(matters, today):
    for m in matters:
        m.due_state = workflow.due_state(m, today)
        m.due_label = workflow.DUE_STATES[m.due_state]
        m.handoff_overdue = workflow.handoff_flag(m, today)
    return matters


@login_required
def matter_list(request):
    today = timezone.localdate()
    visible = Matter.objects.visible_to(request.user)
    form = FilterForm(request.GET or None, user=request.user)
    matters = (form.filter(visible, today).select_related(*LIST_RELATED).defer(*LIST_DEFER)
               .order_by(list_order(form)))
    if request.GET.get("export") == "xlsx":
        audit.security_event("matter.export", actor=request.user, message=request.GET.urlencode()[:400])
        return xlsx_response("事项清单", ledger.LIST_COLUMNS, ledger.list_rows(matters, today))
    # The page's ids from the scope index alone, then its rows by primary key: with the joins in the sorted
    # query, SQLite read the unit, owner and leader of every matching matter of a city before cutting 50.
    page = paginate(request, matters.values_list("pk", flat=True))
    page.object_list = ids_first(matters, page.object_list)
    _decorate(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "matters/matter_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "saved": SavedFilter.objects.filter(user=request.user),
        "can_add": has_capability(request.user, "matter.change"), "kinds": kinds.choices(),
    })


@login_required
@require_POST
def saved_filter_add(request):
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        SavedFilter.objects.update_or_create(user=request.user, name=form.cleaned_data["name"],
                                             defaults={"query": form.cleaned_data["query"]})
        messages.success(request, f"已保存常用筛选“{form.cleaned_data['name']}”。")
    else:
        messages.error(request, "常用筛选未保存：名称必填，不超过40字。")
    return redirect(f"/matters/?{form.data.get('query', '')}")


@login_required
@require_POST
def saved_filter_delete(request, pk):
    get_object_or_404(SavedFilter, pk=pk, user=request.user).delete()
    return redirect("matters:list")


@login_required
def board(request):
    """超期看板: what is overdue in the user's scope, worst first, and what falls due soon."""
    today = timezone.localdate()
    visible = Matter.objects.visible_to(request.user)
    rows = visible.select_related(*LIST_RELATED).defer(*LIST_DEFER)
    overdue = visible.filter(workflow.due_state_q("overdue", today)).order_by("due_on", "id")
    warning = visible.filter(workflow.due_state_q("warning", today)).order_by("due_on", "id")
    # 要事马上办: 要事 not handed off on the day they came in, or handed off late (and still open).
    late = visible.handoff_late(today).order_by("handoff_due_on", "id")
    page = paginate(request, overdue.values_list("pk", flat=True))
    page.object_list = ids_first(rows, page.object_list)
    for m in page.object_list:
        m.days_over = workflow.workdays.workdays_between(m.due_on, today)[0]
    late = ids_first(rows, late.values_list("pk", flat=True)[:BOARD_LATE_LIMIT + 1])
    return render(request, "matters/board.html", {
        "page": page, "warning": _decorate(ids_first(rows, warning.values_list("pk", flat=True)[:50]), today),
        "handoff": late[:BOARD_LATE_LIMIT], "handoff_more": len(late) > BOARD_LATE_LIMIT})


BOARD_LATE_LIMIT = 50


def ids_first(rows, ids) -> list:
    """The rows of ``ids`` (an ordered, sliced id query), in that order: the ids come from the scope index
    alone (matter_scope_cover), then one fetch by primary key. Sorting a city's overdue matters by due date
    with their rows read every heap page holding one of them: 200 ms at 1,000,000 matters, 38 ms this way."""
    ids = list(ids)
    found = rows.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@login_required
def matter_detail(request, pk):
    matter = get_visible_or_404(Matter.objects.select_related(*LIST_RELATED, "problem_list", "approved_by"),
                                request.user, pk)
    today = timezone.localdate()
    _decorate([matter], today)
    user = request.user
    can_manage, owner = services.can_manage(user, matter), services.is_owner(user, matter)
    steps = [(s, TransitionForm(s, matter, user=user)) for s in services.allowed_steps(user, matter)]
    is_open = matter.status != Status.CLOSED
    return render(request, "matters/matter_detail.html", {
        "m": matter, "steps": steps, "statuses": Status.choices, "can_manage": can_manage and is_open,
        "can_report": (owner or can_manage) and is_open,
        "measures": matter.measures.select_related("owner"), "milestones": matter.milestones.all(),
        "contacts": matter.contacts.select_related("recorded_by"),
        "progress": matter.progress.select_related("author"),
        "timeline": matter.transitions.select_related("actor").order_by("-id"),
        "co_owners": matter.co_owners.all(), "basis": workflow.basis_text(matter.due_basis),
        "measure_form": MeasureForm(user=user), "progress_form": ProgressForm(),
        "contact_form": ContactForm(initial={"held_on": today, "kind": "meeting" if matter.spec.is_proposal
                                             else "reception"}),
        "milestone_form": MilestonePlanForm(),
        "satisfaction_form": SatisfactionForm(initial={"loaded_version": matter.version,
                                                       "satisfaction": matter.satisfaction})
        if matter.spec.is_proposal and matter.replied_on and can_manage else None,
    })


@login_required
def matter_edit(request, pk=None):
    if pk:
        matter = get_visible_or_404(Matter.objects.select_related("org"), request.user, pk, "change")
        if matter.status == Status.CLOSED:
            messages.error(request, f"事项“{matter}”已销号，不能修改；如需继续办理，请先“重新打开”。")
            return redirect("matters:detail", pk=matter.pk)
    else:
        if not has_capability(request.user, "matter.change"):
            raise PermissionDenied("无权登记事项")
        kind = request.GET.get("kind", "rectify")
        matter = Matter(kind=kind if kind in kinds.KINDS else "rectify")
        if request.GET.get("list", "").isdigit():
            matter.problem_list = ProblemList.objects.visible_to(request.user).filter(pk=request.GET["list"]).first()
    form = MatterForm(request.POST or None, instance=matter, user=request.user)
    saved = save_form(request, form, lambda: create_or_update(
        form, services.do_create_matter, services.do_update_matter, actor=request.user,
        co_owners=form.cleaned_data["co_owners"]), lambda m: f"已保存事项“{m}”。", lambda m: reverse("matters:detail", args=[m.pk]))
    if saved:
        return saved
    return render(request, "matters/matter_form.html", {"form": form, "m": matter})


@login_required
@require_POST
def transition(request, pk, name):
    matter = get_visible_or_404(Matter, request.user, pk)
    step = workflow.TRANSITIONS.get(name)
    if step is None:
        raise Http404("没有这种操作")
    form = TransitionForm(step, matter, request.POST, user=request.user)
    return run_action(
        request, lambda: services.do_transition(
            matter, name, actor=request.user, reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["loaded_version"], **form.step_fields()),
        f"已{step.label}：{matter}。", reverse("matters:detail", args=[pk]),
        form=form, form_prefix=f"未能“{step.label}”：")


def _child_post(request, pk, form_class, make, done: str, **form_kwargs):
    """Add a child record (measure, progress, contact…) through its service; errors back on the page."""
    matter = get_visible_or_404(Matter, request.user, pk)
    form = form_class(request.POST, request.FILES, **form_kwargs)
    return run_action(request, lambda: make(matter, form), done, reverse("matters:detail", args=[pk]), form=form)


@login_required
@require_POST
def measure_add(request, pk):
    def make(matter, form):
        measure = form.save(commit=False)
        measure.matter = matter
        services.do_add_measure(measure, actor=request.user)

    return _child_post(request, pk, MeasureForm, make, "已添加整改措施。", user=request.user)


@login_required
@require_POST
def measure_done(request, pk):
    measure = get_object_or_404(Measure.objects.select_related("matter"), pk=pk)
    get_visible_or_404(Matter, request.user, measure.matter_id)  # seeing the matter is what counts; 404 otherwise
    return run_action(request, lambda: services.do_complete_measure(measure, actor=request.user),
                      "已填报措施完成。", reverse("matters:detail", args=[measure.matter_id]))


@login_required
@require_POST
def progress_add(request, pk):
    def make(matter, form):
        progress = form.save(commit=False)
        progress.matter = matter
        services.do_add_progress(progress, actor=request.user)

    return _child_post(request, pk, ProgressForm, make, "已填报进展。")


@login_required
def progress_attachment(request, pk):
    progress = get_object_or_404(Progress.objects.select_related("matter"), pk=pk)
    get_visible_or_404(Matter, request.user, progress.matter_id)  # who sees the matter (its owner too) sees its files
    return stored_file_response(progress.attachment, actor=request.user, target=progress,
                                filename=f"{progress.matter}-进展附件{progress.pk}")


@login_required
@require_POST
def contact_add(request, pk):
    def make(matter, form):
        contact = form.save(commit=False)
        contact.matter = matter
        services.do_add_contact(contact, actor=request.user)

    return _child_post(request, pk, ContactForm, make, "已登记接待与沟通记录。")


@login_required
@require_POST
def milestones_plan(request, pk):
    return _child_post(request, pk, MilestonePlanForm, lambda matter, form: services.do_plan_milestones(
        matter, form.cleaned_data["plan"], actor=request.user), "已安排时间节点。")


@login_required
@require_POST
def milestone_done(request, pk):
    milestone = get_object_or_404(Milestone.objects.select_related("matter"), pk=pk)
    get_visible_or_404(Matter, request.user, milestone.matter_id)
    return run_action(request, lambda: services.do_complete_milestone(milestone, actor=request.user),
                      "已填报节点完成。", reverse("matters:detail", args=[milestone.matter_id]))


@login_required
@require_POST
def satisfaction(request, pk):
    matter = get_visible_or_404(Matter, request.user, pk)
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "满意度：请选择满意、基本满意或不满意。")
        return redirect("matters:detail", pk=pk)
    return run_action(request, lambda: services.do_record_satisfaction(
        matter, form.cleaned_data["satisfaction"], actor=request.user,
        expected_version=form.cleaned_data["loaded_version"]), "已登记代表委员满意度。",
        reverse("matters:detail", args=[pk]))
