"""Pages of 群众监督's staff side (thin: scope and confidentiality through Petition.objects.visible_to, changes
through the do_* services of petitions.py).

Whoever may not see a petition — outside their scope, a 检举控告 outside the discipline team, or one naming them
or their org — gets the 404 of a page that does not exist, on every page and download.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.core import audit, uploads
from dangjian.core import history as versions
from dangjian.core.actions import run_action, save_form
from dangjian.core.ids import mask_phone
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, scope_roots
from dangjian.core.web import form_errors, paginate
from dangjian.orgs.models import Org

from . import petitions
from .petition_forms import (
    AcceptForm,
    CategoryForm,
    ClassifyForm,
    DeclineForm,
    PetitionEntryForm,
    PetitionFilter,
)
from .petition_models import Petition, PetitionAttachment, PetitionCategory, PetitionStatus

VIEW, CHANGE = "petition.view", "petition.change"


def _require_viewer(user) -> None:
    if not has_capability(user, VIEW):
        raise Http404("页面不存在")


def _require_changer(user) -> None:
    _require_viewer(user)
    if not has_capability(user, CHANGE):
        raise PermissionDenied("无权登记或维护群众诉求（需要群众监督办理权限）")


def _home_org(user) -> Org:
    """Where a petition entered or a category added by the user belongs: the top of their petition.change scope."""
    roots = scope_roots(user, CHANGE)
    org = Org.objects.filter(path=roots[0]).first() if roots else None
    if org is None:
        raise PermissionDenied("无权登记群众诉求")
    return org


@login_required
def petition_list(request):
    """群众诉求: paged on the server, filtered by the GET parameters other pages link to; phones masked."""
    user = request.user
    _require_viewer(user)
    filters = PetitionFilter(request.GET, user=user)
    rows = filters.apply(Petition.objects.visible_to(user)).select_related(
        "category", "matter", "matter__petition_reply", "org")
    page = paginate(request, rows)
    for petition in page.object_list:
        petition.phone_shown = mask_phone(petition.contact_phone)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/petitions/list.html", {
        "page": page, "filters": filters, "query": query.urlencode(), "tab": "petitions",
        "can_change": has_capability(user, CHANGE)})


@never_cache  # the page that shows the 查询码 is not kept by the browser
@login_required
def petition_add(request):
    """登记 a petition from another channel; the 查询码, when asked for, is shown once on the page that follows."""
    user = request.user
    _require_changer(user)
    form = PetitionEntryForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        petition = form.save(commit=False)
        petition.org = _home_org(user)
        files = request.FILES.getlist("attachments")
        try:
            petition, code = petitions.do_enter_petition(petition, actor=user, files=files,
                                                         give_code=form.cleaned_data["give_code"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return render(request, "supervision/petitions/entered.html", {"p": petition, "code": code,
                                                                          "tab": "petitions"})
    return render(request, "supervision/petitions/form.html", {
        "form": form, "title": "登记群众诉求", "tab": "petitions", "upload": True})


def _can_change(user, petition) -> bool:
    return path_in_scope(user, CHANGE, petition.org_path)


@login_required
def petition_detail(request, pk):
    user = request.user
    petition = get_visible_or_404(Petition.objects.select_related(
        "org", "category", "matter", "duplicate_of", "accused_person", "accused_org", "created_by"), user, pk)
    visible = Petition.objects.visible_to(user)
    original = petition.original
    group = list(visible.filter(duplicate_of=original.pk).order_by("received_at", "pk"))
    if original.pk != petition.pk and not visible.filter(pk=original.pk).exists():
        original = None
    can_change = _can_change(user, petition)
    history = audit.history(petition)
    triage = can_change and petition.status == PetitionStatus.TRIAGE and not petition.duplicate_of_id
    return render(request, "supervision/petitions/detail.html", {
        "p": petition, "original": original, "group": group, "tab": "petitions", "can_change": can_change,
        "phone": petition.contact_phone if can_change else mask_phone(petition.contact_phone),
        "attachments": PetitionAttachment.objects.visible_to(user).filter(petition=petition, supplement=None),
        "supplements": petition.supplements.prefetch_related("attachments"),
        "versions": _readable(versions.versions(Petition, history[:20])),
        # distinct ids: the three forms share field names on one page
        "classify_form": ClassifyForm(petition=petition, user=user, auto_id="classify_%s") if can_change and petition.status in (
            PetitionStatus.TRIAGE, PetitionStatus.ACCEPTED) else None,
        "accept_form": AcceptForm(petition=petition, user=user, auto_id="accept_%s") if triage else None,
        "decline_form": DeclineForm(initial={"loaded_version": petition.version}, auto_id="decline_%s")
        if triage else None})


# Columns a reader of the history learns nothing from (the code's digest, the derived path, the row's id).
UNREAD = {str(Petition._meta.get_field(name).verbose_name) for name in ("query_code_hash", "org_path", "id")}


def _readable(found: list) -> list:
    for version in found:
        version.changes[:] = [c for c in version.changes if c.field not in UNREAD]
    return found


@login_required
def petition_attachment(request, pk, attachment_id):
    """An attachment (of the petition or of a supplement), through the scope check of its petition."""
    attachment = get_visible_or_404(PetitionAttachment.objects.select_related("petition"), request.user,
                                    attachment_id)
    if attachment.petition_id != pk:
        raise Http404("记录不存在或不在您的权限范围内")
    stem = attachment.name.rsplit(".", 1)[0] or "附件"
    return uploads.stored_file_response(attachment.file, filename=stem, actor=request.user,
                                        target=attachment.petition)


def _petition_for_change(request, pk) -> Petition:
    return get_visible_or_404(Petition.objects.select_related("org"), request.user, pk, "change")


@login_required
@require_POST
def petition_classify(request, pk):
    petition = _petition_for_change(request, pk)
    form = ClassifyForm(request.POST, petition=petition, user=request.user)
    return run_action(request, lambda: petitions.do_classify(
        petition, actor=request.user, category=form.cleaned_data["category"],
        expected_version=form.cleaned_data["loaded_version"]),
        lambda p: f"已确定分类：{p.category}。", reverse("supervision:petition", args=[pk]), form=form)


@login_required
@require_POST
def petition_accept(request, pk):
    petition = _petition_for_change(request, pk)
    form = AcceptForm(request.POST, petition=petition, user=request.user)

    def accept():
        data = form.cleaned_data
        return petitions.do_accept(petition, actor=request.user, owner=data["owner"],
                                   leader=data["responsible_leader"], category=data["category"],
                                   expected_version=data["loaded_version"])

    return run_action(request, accept, lambda p: f"已受理，办理事项“{p.matter}”已建立，答复期限 {p.matter.due_on:%Y-%m-%d}。",
                      reverse("supervision:petition", args=[pk]), form=form)


@login_required
@require_POST
def petition_decline(request, pk):
    petition = _petition_for_change(request, pk)
    form = DeclineForm(request.POST)
    return run_action(request, lambda: petitions.do_decline(
        petition, actor=request.user, reason=form.cleaned_data["decline_reason"],
        expected_version=form.cleaned_data["loaded_version"]),
        "已不予受理。", reverse("supervision:petition", args=[pk]), form=form)


@login_required
def category_list(request):
    """诉求分类: the agency's own categories with their keywords; add one below the list."""
    user = request.user
    _require_changer(user)
    categories = PetitionCategory.objects.visible_to(user, "change").select_related("org").order_by("order", "id")
    form = CategoryForm(request.POST or None)

    def create():
        category = form.save(commit=False)
        category.org = _home_org(user)
        return petitions.do_save_category(category, actor=user)

    response = save_form(request, form, create, lambda c: f"已添加分类“{c}”。", reverse("supervision:petition_categories"))
    return response or render(request, "supervision/petitions/categories.html", {
        "page": paginate(request, categories), "form": form, "tab": "petitions"})


@login_required
def category_edit(request, pk):
    user = request.user
    _require_changer(user)
    category = get_visible_or_404(PetitionCategory.objects.select_related("org"), user, pk, "change")
    form = CategoryForm(request.POST or None, instance=category)
    response = save_form(request, form, lambda: petitions.do_save_category(
        form.instance, actor=user, expected_version=form.expected_version),
        lambda c: f"已保存分类“{c}”。", reverse("supervision:petition_categories"))
    return response or render(request, "supervision/petitions/form.html", {
        "form": form, "title": f"修改分类：{category}", "tab": "petitions"})
