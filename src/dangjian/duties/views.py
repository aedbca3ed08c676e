"""Pages for the leading group, duties, the matrix and 四个不直接分管 conflicts. Thin: scope via
visible_to, changes via services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.actions import run_action, save_form
from dangjian.core.documents import xlsx_response
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.web import form_errors, int_param, year_param
from dangjian.orgs.models import Org, OrgKind

from . import services
from .forms import DutyForm, GroupMemberForm, LeadingGroupForm, SectionDomainsForm
from .models import Duty, GroupMember, LeadingGroup, SectionDomains
from .register import on_date


@login_required
def matrix(request):
    """The map of who oversees what (leaders × sections), with the four domains and conflicts."""
    require_capability(request.user, "duty.view", what="查看责任分工")
    on = on_date(request.GET.get("on"))
    data = services.duty_matrix(request.user, on)
    if request.GET.get("export") == "xlsx":
        audit.security_event("duty.export", actor=request.user, message=f"分管一览表 {on}")
        rows = services.matrix_rows(data)
        headers = next(rows)
        return xlsx_response(services.MATRIX_TITLE, headers, rows,
                             filename=f"{services.MATRIX_TITLE}{on:%Y%m%d}.xlsx")
    can_change = has_capability(request.user, "duty.change")
    duties = (Duty.objects.visible_to(request.user).current(on).select_related("person", "org")
              .order_by("kind", "org_path"))
    return render(request, "duties/matrix.html", {
        "m": data, "on": on, "duties": duties, "can_change": can_change,
        "form": DutyForm(user=request.user) if can_change else None,
        "excluded": services.excluded_domains(),
    })


@login_required
def duty_assign(request):
    require_capability(request.user, "duty.change", what="分配责任")
    form = DutyForm(request.POST or None, user=request.user)
    saved = save_form(request, form, lambda: services.do_assign_duty(form.save(commit=False), actor=request.user),
                      lambda duty: f"已分配：{duty}。", "duties:matrix")
    if saved:
        return saved
    return render(request, "duties/duty_form.html", {"form": form})


@login_required
@require_POST
def duty_end(request, pk):
    duty = get_visible_or_404(Duty.objects.select_related("person", "org"), request.user, pk, "change")

    def end():
        on = on_date(request.POST.get("end_date"))
        services.do_end_duty(duty, on, actor=request.user, expected_version=int_param(request.POST, "version", minimum=1))
        return on

    return run_action(request, end, lambda on: f"已终止：{duty}（{on:%Y-%m-%d}）。", "duties:matrix")


@login_required
def conflicts(request):
    require_capability(request.user, "duty.view", what="查看责任分工")
    visible = set(Duty.objects.visible_to(request.user).current().values_list("pk", flat=True))
    found = [c for c in services.rule_conflicts() if c.duty.pk in visible]
    return render(request, "duties/conflicts.html", {"conflicts": found, "excluded": services.excluded_domains()})


@login_required
def section_domains(request, pk):
    section = get_visible_or_404(Org.objects.filter(kind=OrgKind.SECTION), request.user, pk)
    if not path_in_scope(request.user, "duty.view", section.path):
        raise Http404("记录不存在或不在您的权限范围内")
    row = SectionDomains.objects.filter(org=section).first()
    can_change = path_in_scope(request.user, "duty.change", section.path)
    form = SectionDomainsForm(request.POST or None, initial={"domains": row.domains if row else []})
    if request.method == "POST":
        require_capability(request.user, "duty.change", path=section.path, what=f"设置“{section}”的业务领域")
        if form.is_valid():
            try:
                found = services.do_set_section_domains(section, form.cleaned_data["domains"], actor=request.user)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"已保存“{section}”的业务领域。")
                if found:
                    messages.error(request, f"重新核验发现 {len(found)} 处“四个不直接分管”冲突，请调整分工。")
                    return redirect("duties:conflicts")
                return redirect("duties:matrix")
    return render(request, "duties/section_domains.html", {"section": section, "form": form,
                                                           "can_change": can_change})


# ---- leading group ------------------------------------------------------------------------------

@login_required
def group(request):
    require_capability(request.user, "duty.view", what="查看领导小组")
    groups = list(LeadingGroup.objects.visible_to(request.user).select_related("org", "office"))
    year = year_param(request.GET)
    current = None
    if groups:
        g = groups[0]
        members = GroupMember.objects.filter(group=g).select_related("person", "person__org")
        current = {
            "group": g,
            "members": (services.group_members_in(g, year) if year else members.current()),
            "history": members.exclude(end_date__isnull=True).order_by("-end_date"),
            "can_change": path_in_scope(request.user, "duty.change", g.org_path),
        }
    member_form = GroupMemberForm(user=request.user, initial={"start_date": timezone.localdate()})
    return render(request, "duties/group.html", {"g": current, "year": year, "member_form": member_form,
                                                 "can_create": not groups and has_capability(request.user,
                                                                                             "duty.change")})


@login_required
def group_edit(request, pk=None):
    if pk:
        obj = get_visible_or_404(LeadingGroup, request.user, pk, "change")
    else:
        require_capability(request.user, "duty.change", what="设立领导小组")
        obj = LeadingGroup()
    form = LeadingGroupForm(request.POST or None, instance=obj, user=request.user)

    def save():
        item = form.save(commit=False)
        if not item.org_id:
            item.org = services.agency_of(item.office)
        services.do_save_group(item, actor=request.user, expected_version=form.expected_version)
        return item

    saved = save_form(request, form, save, lambda item: f"已保存“{item}”。", "duties:group")
    if saved:
        return saved
    return render(request, "duties/group_form.html", {"form": form, "obj": obj})


@login_required
@require_POST
def group_member_add(request, pk):
    g = get_visible_or_404(LeadingGroup, request.user, pk, "change")
    form = GroupMemberForm(request.POST, user=request.user)

    def add():
        member = form.save(commit=False)
        member.group = g
        services.do_add_group_member(member, actor=request.user)
        return member

    return run_action(request, add, lambda member: f"已增补：{member}。", "duties:group", form=form)


@login_required
@require_POST
def group_member_end(request, pk):
    member = get_visible_or_404(GroupMember.objects.select_related("person"), request.user, pk, "change")
    return run_action(request, lambda: services.do_end_group_member(member, on_date(request.POST.get("end_date")),
                                                                    actor=request.user),
                      f"已登记离任：{member}。", "duties:group")
