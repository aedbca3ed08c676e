"""会议类型 and 学习计划: list, add, edit. Thin: scope via visible_to, every change via a service."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from dangjian.core import rule_settings
from dangjian.core.actions import save_form
from dangjian.core.scope import get_visible_or_404, has_capability, require_capability
from dangjian.core.web import paginate

from . import study
from .forms import MeetingKindForm, StudyPlanForm
from .models import MeetingKind, StudyPlan
from .rule_settings import FREQUENCY_RULES
from .services import kind_config


@login_required
def kind_list(request):
    require_capability(request.user, "meeting.view", what="查看会议类型")

    kinds = MeetingKind.objects.all()
    rule_freq = {code: (rule_settings.get(key), label) for code, (key, label, *_rest) in FREQUENCY_RULES.items()}
    page = paginate(request, kinds)
    for kind in page:
        kind.rule_freq = rule_freq.get(kind.code)
    return render(request, "meetings/kind_list.html", {
        "page": page,
        "can_configure": kind_config.can_configure(request.user),
    })


@login_required
def kind_edit(request, pk=None):
    if not kind_config.can_configure(request.user):
        raise PermissionDenied("无权维护会议类型：须对全机关的会议有管理权限")
    kind = get_object_or_404(MeetingKind, pk=pk) if pk else MeetingKind()
    form = MeetingKindForm(request.POST or None, instance=kind)
    saved = save_form(request, form, lambda: kind_config.do_save_kind(
        form.save(commit=False), actor=request.user, expected_version=form.expected_version),
        lambda kind: f"已保存会议类型“{kind}”。", "meetings:kinds")
    if saved:
        return saved
    rule = FREQUENCY_RULES.get(kind.code)
    return render(request, "meetings/kind_form.html", {"form": form, "kind": kind, "rule_label": rule[1] if rule
                                                       else ""})


@login_required
def plan_list(request):
    require_capability(request.user, "meeting.view", what="查看学习计划")
    plans = (StudyPlan.objects.visible_to(request.user).select_related("org").annotate(topic_count=Count("topics"))
             .order_by("-year", "org_path", "id"))
    return render(request, "meetings/plan_list.html", {
        "page": paginate(request, plans), "can_add": has_capability(request.user, "meeting.change")})


@login_required
def plan_edit(request, pk=None):
    if pk:
        plan = get_visible_or_404(StudyPlan.objects.select_related("org"), request.user, pk, "change")
    else:
        require_capability(request.user, "meeting.change", what="制定学习计划")
        plan = StudyPlan()
    form = StudyPlanForm(request.POST or None, instance=plan, user=request.user,
                         initial={"topics": study.topics_text(plan)})
    saved = save_form(request, form, lambda: study.do_save_plan(
        form.save(commit=False), form.cleaned_data["topics"], actor=request.user,
        expected_version=form.expected_version),
        lambda plan: f"已保存学习计划“{plan}”。", lambda plan: f"/meetings/plans/?year={plan.year}")
    if saved:
        return saved
    return render(request, "meetings/plan_form.html", {"form": form, "plan": plan})
