"""Pages for 制度汇编: search, in force on a date, the year's count; files through a scoped view."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.core.actions import save_form
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.uploads import stored_file_response
from dangjian.core.web import paginate

from . import register
from .forms import InstitutionFilterForm, InstitutionForm
from .models import Institution


@login_required
def rule_list(request):
    require_capability(request.user, "duty.view", what="查看制度汇编")
    visible = Institution.objects.visible_to(request.user).select_related("org")
    items = visible
    form = InstitutionFilterForm(request.GET or None)
    year = timezone.localdate().year
    on = None
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            items = register.search(items, d["q"])
        if d["category"]:
            items = items.filter(category=d["category"])
        if d["on"]:
            on = d["on"]
            items = items.in_force(on)
        if d["year"]:
            year = d["year"]
            items = register.made_in_year(items, year)
    return render(request, "duties/rule_list.html", {
        "form": form, "page": paginate(request, items), "on": on, "year": year,
        "made_count": register.made_in_year(visible, year).count(),
        "sentence": register.year_sentence(visible, year),
        "in_force_count": visible.in_force(timezone.localdate()).count(),
        "can_change": has_capability(request.user, "duty.change"),
    })


@login_required
def rule_detail(request, pk):
    item = get_visible_or_404(Institution.objects.select_related("org"), request.user, pk)
    return render(request, "duties/rule_detail.html", {
        "item": item, "in_force": item.in_force_on(timezone.localdate()),
        "can_change": path_in_scope(request.user, "duty.change", item.org_path),
    })


@login_required
def rule_edit(request, pk=None):
    if pk:
        item = get_visible_or_404(Institution, request.user, pk, "change")
    else:
        require_capability(request.user, "duty.change", what="登记制度")
        item = Institution()
    form = InstitutionForm(request.POST or None, request.FILES or None, instance=item, user=request.user)
    saved = save_form(request, form, lambda: register.do_save_institution(
        form.save(commit=False), actor=request.user, upload=form.cleaned_data.get("upload"),
        expected_version=form.expected_version),
        lambda item: f"已保存{item}。", lambda item: reverse("duties:rule_detail", args=[item.pk]))
    if saved:
        return saved
    return render(request, "duties/rule_form.html", {"form": form, "item": item})


@login_required
def rule_file(request, pk):
    item = get_visible_or_404(Institution, request.user, pk)
    return stored_file_response(item.file, actor=request.user, target=item, filename=item.title)
