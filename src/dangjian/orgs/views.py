"""Pages for the org tree and the roster. Thin: scope via visible_to, changes via services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.actions import create_or_update, run_action, save_form
from dangjian.core.documents import XLSX_MIME, XlsxFormatError, file_response
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.web import paginate

from . import roster, services
from .forms import OrgForm, PersonFilterForm, PersonForm, PositionForm, RosterImportForm
from .models import Org, Person, Position
from .paging import ArmsPaginator, person_arms

# ---- orgs ---------------------------------------------------------------------------------------

@login_required
def org_list(request):
    require_capability(request.user, "org.view", what="查看组织")
    orgs = Org.objects.visible_to(request.user)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        orgs = orgs.filter(name__contains=q)
    return render(request, "orgs/org_list.html", {"page": paginate(request, orgs, 100), "q": q})


@login_required
def org_search(request):
    """The org picker's suggestions (core.forms_base.OrgSearchInput): orgs where the user holds
    the picker's capability, by part of the name or the start of the code."""
    found = services.search_orgs(request.user, request.GET.get("cap", ""), request.GET.get("q", ""))
    return JsonResponse({"results": [{"code": o.code, "label": f"{o.name}（{o.code}）"} for o in found]})


@login_required
def org_detail(request, pk):
    org = get_visible_or_404(Org, request.user, pk)
    children = Org.objects.visible_to(request.user).filter(path__pathprefix=org.path, depth=org.depth + 1)
    people = Person.objects.visible_to(request.user).filter(org=org, is_active=True).select_related("branch")
    counts = services.member_counts([org.path])
    return render(request, "orgs/org_detail.html", {
        "org": org, "children": children, "people": paginate(request, people), "counts": counts,
        "can_change": path_in_scope(request.user, "org.change", org.path),
    })


@login_required
def org_edit(request, pk=None, parent_pk=None):
    org = get_visible_or_404(Org, request.user, pk, "change") if pk else Org()
    parent = get_visible_or_404(Org, request.user, parent_pk, "change") if parent_pk else None
    form = OrgForm(request.POST or None, instance=org)

    def save():
        if org.pk:
            return services.do_update_org(form.save(commit=False), actor=request.user,
                                          expected_version=form.expected_version)
        fields = {k: v for k, v in form.cleaned_data.items() if k != "loaded_version"}
        return services.do_create_org(parent, actor=request.user, **fields)

    saved = save_form(request, form, save, lambda o: f"已保存组织“{o}”。", lambda o: reverse("org_detail", args=[o.pk]))
    if saved:
        return saved
    return render(request, "orgs/org_form.html", {"form": form, "org": org, "parent": parent})


# ---- people -------------------------------------------------------------------------------------

@login_required
def person_list(request):
    form = PersonFilterForm(request.GET or None, user=request.user)
    if request.GET.get("export") == "xlsx":
        require_capability(request.user, "person.export", what="导出花名册")
        audit.security_event("person.export", actor=request.user, message=request.GET.urlencode()[:400])
        # what may be exported is the export scope (no "own record" rule), filtered as shown
        exported = form.filter(Person.objects.visible_to(request.user, "export"))
        stamp = timezone.localdate().strftime("%Y%m%d")
        return file_response(roster.export_bytes(exported, full=False), f"花名册（脱敏，不能导入）{stamp}.xlsx",
                             XLSX_MIME)
    arms = person_arms(request.user, form.filter(Person.objects.all()))
    return render(request, "orgs/person_list.html", {
        "form": form, "page": ArmsPaginator(arms, 50).get_page(
            request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")),
        "can_import": has_capability(request.user, "person.import"),
        "can_export": has_capability(request.user, "person.export"),
        "can_export_full": roster.may_export_full(request.user),
        "can_add": has_capability(request.user, "person.change"),
    })


@login_required
@require_POST
def roster_export_full(request):
    """The roster with full ID numbers, phones and birth dates, to be edited and imported again: for those
    who may both export and see full numbers, of the people where they may do both; a security event."""
    form = PersonFilterForm(request.POST, user=request.user)
    people = form.filter(roster.full_export_scope(request.user))
    audit.security_event("person.export_full", actor=request.user,
                         message=f"导出完整花名册（可再导入）：{people.count()} 人；筛选 {request.POST.urlencode()[:300]}")
    stamp = timezone.localdate().strftime("%Y%m%d")
    return file_response(roster.export_bytes(people, full=True), f"花名册（完整，可导入）{stamp}.xlsx", XLSX_MIME)


@login_required
def person_detail(request, pk):
    person = get_visible_or_404(Person.objects.select_related("org", "branch", "user"), request.user, pk)
    # A related panel is scoped like any list: positions held in orgs outside the viewer's scope
    # are not shown (the person's own positions always are, through visible_to's self rule).
    positions = Position.objects.visible_to(request.user).filter(person=person).select_related("org")
    return render(request, "orgs/person_detail.html", {
        "person": person, "positions": positions,
        "can_change": Person.objects.filter(pk=person.pk).visible_to(request.user, "change").exists(),
        "position_form": PositionForm(user=request.user, initial={"start_date": timezone.localdate()}),
    })


@login_required
def person_edit(request, pk=None):
    if pk:
        person = get_visible_or_404(Person.objects.select_related("org", "branch"), request.user, pk, "change")
    else:
        require_capability(request.user, "person.change", what="登记人员")
        person = Person()
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    saved = save_form(request, form, lambda: create_or_update(
        form, services.do_create_person, services.do_update_person, actor=request.user), lambda p: f"已保存“{p}”的信息。", lambda p: reverse("person_detail", args=[p.pk]))
    if saved:
        return saved
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_reveal(request, pk):
    """Show the full ID number and phone once; needs its own permission and is audited."""
    person = get_visible_or_404(Person, request.user, pk)
    require_capability(request.user, "person.view_full", path=person.org_path, what="查看完整证件号码")
    audit.security_event("person.reveal", actor=request.user, target=person, message="查看完整身份证号和手机号")
    return render(request, "orgs/person_reveal.html", {"person": person})


@login_required
@require_POST
def position_add(request, pk):
    person = get_visible_or_404(Person, request.user, pk, "change")
    form = PositionForm(request.POST, user=request.user)

    def add():
        position = form.save(commit=False)
        position.person = person
        services.do_add_position(position, actor=request.user)
        return position

    return run_action(request, add, lambda position: f"已登记职务：{position.get_title_display()}。",
                      reverse("person_detail", args=[person.pk]), form=form, form_prefix="职务未保存：")


@login_required
@require_POST
def position_end(request, pk):
    position = get_visible_or_404(Position.objects.select_related("org"), request.user, pk, "change")
    return run_action(request, lambda: services.do_end_position(position, timezone.localdate(), actor=request.user),
                      f"已免去职务：{position.get_title_display()}。", reverse("person_detail", args=[position.person_id]))


@login_required
def roster_template(request):
    return file_response(roster.template_bytes(), "花名册导入模板.xlsx", XLSX_MIME)


@login_required
def roster_import(request):
    roster.require_import(request.user)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report, created, updated, unchanged = roster.import_roster(form.cleaned_data["file"], actor=request.user)
        except XlsxFormatError as exc:
            form.add_error("file", str(exc))
        else:
            if report.ok:
                messages.success(request, f"花名册导入成功：新增 {created} 人，更新 {updated} 人，"
                                          f"{unchanged} 人与系统中一致未作修改。")
                return redirect("person_list")
    return render(request, "orgs/roster_import.html", {"form": form, "report": report})
