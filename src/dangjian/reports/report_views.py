"""Pages of 年度报告: the reports, one report with its figures, a section's editor with the figure picker, the
freeze (定稿) and the .docx export. Thin: the rules are in annual.py, the text in drafting.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit, figures
from dangjian.core.actions import run_action, save_form
from dangjian.core.documents import docx_response
from dangjian.core.figure_views import module_label
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.web import paginate

from . import annual, drafting, references, report_docx
from .forms import NewReportForm, SectionForm, VersionForm
from .models import AnnualReport, ReportSection


@login_required
def report_list(request):
    require_capability(request.user, "duty.view", what="查看年度报告")
    reports = AnnualReport.objects.visible_to(request.user).select_related("org").order_by("-year", "org_path")
    can_create = has_capability(request.user, "duty.change")
    return render(request, "reports/report_list.html", {
        "page": paginate(request, reports), "can_create": can_create,
        "form": NewReportForm(user=request.user, initial={"year": _this_year()}) if can_create else None,
    })


def _this_year() -> int:
    return timezone.localdate().year


@login_required
def report_create(request):
    require_capability(request.user, "duty.change", what="新建年度报告")
    form = NewReportForm(request.POST or None, user=request.user, initial={"year": _this_year()})
    saved = save_form(request, form, lambda: annual.create_report(
        form.cleaned_data["org"], form.cleaned_data["year"], actor=request.user),
        lambda report: f"已生成{report}的初稿，请逐节修改。", lambda report: report.get_absolute_url())
    return saved or render(request, "reports/report_create.html", {"form": form})


@login_required
def report_detail(request, pk):
    report = get_visible_or_404(AnnualReport.objects.select_related("org", "frozen_by"), request.user, pk)
    keys = annual.referenced_keys(report)
    values = references.readings(report, keys)
    parts = [(part, label, [(s, references.body_html(s.body, values), references.unknown_keys(s.body))
                            for s in sections]) for part, label, sections in annual.sections_by_part(report)]
    return render(request, "reports/report_detail.html", {
        "report": report, "parts": parts, "values": values.values(),
        "unknown": [k for k in keys if k not in figures.REGISTRY],
        "compared": references.year_on_year(report, values if report.is_frozen else None),
        "changes": annual.changes_since_freeze(report),
        "can_change": not report.is_frozen and path_in_scope(request.user, "duty.change", report.org_path),
    })


@login_required
def section_edit(request, pk):
    section = get_visible_or_404(ReportSection.objects.select_related("report__org"), request.user, pk, "change")
    report = section.report
    proposed = None
    if request.method == "GET" and request.GET.get("draft"):
        proposed = drafting.draft_for(report.org, report.year, section.part, section.number)
    initial = {"heading": proposed.heading, "body": proposed.body} if proposed else None
    form = SectionForm(request.POST or None, instance=section, initial=initial)
    saved = save_form(request, form, lambda: annual.update_section(
        form.save(commit=False), actor=request.user, expected_version=form.expected_version),
        "已保存本节。", report.get_absolute_url())
    if saved:
        return saved
    return render(request, "reports/report_section_form.html", {
        "form": form, "section": section, "report": report, "proposed": proposed,
        "no_draft": request.GET.get("draft") and proposed is None,
        "picker": [(module_label(module), defs) for module, defs in sorted(figures.by_module().items())
                   if any(not d.personal for d in defs)],
    })


@login_required
@require_POST
def report_freeze(request, pk):
    report = get_visible_or_404(AnnualReport, request.user, pk, "change")
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    return run_action(request, lambda: annual.freeze(report, actor=request.user, expected_version=version),
                      f"已定稿：{report}的统计数字按当前数值保存。", report.get_absolute_url(), form=form,
                      form_prefix="未定稿：")


@login_required
def report_export(request, pk):
    report = get_visible_or_404(AnnualReport.objects.select_related("org"), request.user, pk)
    document = report_docx.report_document(report, site=report_docx.site_url(request))
    audit.security_event("report.export", actor=request.user, target=report, message="导出年度报告 .docx")
    return docx_response(document, f"{report.year}年度抓基层党建工作情况汇报.docx")
