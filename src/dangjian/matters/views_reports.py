"""Pages of 事项督办 that gather matters: problem lists and their import, personal ledgers,
督办单 and summaries, and the yearly figures with the records behind each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit, jobs
from dangjian.core.documents import DOCX_MIME, XLSX_MIME, XlsxFormatError, file_response
from dangjian.core.scope import (
    get_visible_or_404,
    has_capability,
    holds_everywhere,
    require_capability,
    require_everywhere,
)
from dangjian.core.web import form_errors, paginate, year_param
from dangjian.orgs.models import Person

from . import ledger, services, supervision
from .forms import LedgerImportForm, ProblemListForm
from .models import Matter, ProblemList, SupervisionLines, SupervisionSheet
from .views import LIST_RELATED, _decorate

# ---- problem lists ------------------------------------------------------------------------------

@login_required
def problem_lists(request):
    require_capability(request.user, "matter.view", what="查看问题清单")
    lists = ProblemList.objects.visible_to(request.user).select_related("org")
    form = ProblemListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plist = services.do_create_problem_list(form.save(commit=False), actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, f"已登记问题清单“{plist}”。")
            return redirect("matters:problem_list", pk=plist.pk)
    return render(request, "matters/problem_lists.html", {
        "page": paginate(request, lists), "form": form, "can_add": has_capability(request.user, "matter.change")})


@login_required
def problem_list(request, pk):
    plist = get_visible_or_404(ProblemList.objects.select_related("org"), request.user, pk)
    today = timezone.localdate()
    matters = (Matter.objects.visible_to(request.user).filter(problem_list=plist).select_related(*LIST_RELATED)
               .prefetch_related("measures__owner").order_by("batch", "number", "id"))
    page = paginate(request, matters, 100)
    _decorate(page.object_list, today)
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report, created = ledger.import_problem_list(plist, form.cleaned_data["file"], actor=request.user)
        except XlsxFormatError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            if report.ok:
                messages.success(request, f"导入成功：新增问题 {created} 个。")
                return redirect("matters:problem_list", pk=plist.pk)
    return render(request, "matters/problem_list.html", {
        "plist": plist, "page": page, "form": form, "report": report,
        "can_import": services.path_in_scope(request.user, "matter.change", plist.org_path)})


@login_required
def import_template(request):
    return file_response(ledger.template_bytes(), "问题清单导入模板.xlsx", XLSX_MIME)


# ---- 个人整改台账 -----------------------------------------------------------------------------------

@login_required
def personal_ledger(request, person_pk=None):
    """A person's ledger: one's own by default; managers may open anyone's they can see."""
    if person_pk:
        person = get_visible_or_404(Person, request.user, person_pk)
    else:
        person = getattr(request.user, "person", None)
        if person is None:
            raise Http404("您的账号没有关联人员，没有个人整改台账")
    matters = ledger.ledger_matters(person, Matter.objects.visible_to(request.user))
    if request.GET.get("export") == "xlsx":
        audit.security_event("matter.ledger_export", actor=request.user, target=person, message="导出个人整改台账")
        return file_response(ledger.ledger_xlsx(person, matters), f"{person.name}个人整改台账.xlsx", XLSX_MIME)
    rows = list(ledger.ledger_rows(matters))
    return render(request, "matters/ledger.html", {"person": person, "rows": rows, "columns": ledger.LEDGER_COLUMNS})


# ---- 督办单 and summaries -------------------------------------------------------------------------

@login_required
def sheet_list(request):
    require_capability(request.user, "matter.view", what="查看督办单")
    sheets = SupervisionSheet.objects.defer("document")
    can_run = holds_everywhere(request.user, "matter.change")
    return render(request, "matters/sheet_list.html", {
        "page": paginate(request, sheets), "can_run": can_run,
        "runs": jobs.recent_runs("matters.") if can_run else (),
        "queue_warning": jobs.consumer_stale() if can_run else ""})


# Summaries count and list the matters of the whole tree: only those who see all of it may read them.
SUMMARY_WHAT = "查阅小结/总结（涵盖全部组织的事项）"
SHEET_GROUPS_PER_PAGE = 20
SHEET_DOCX_LINES = 2000


def _sheet_rows(request, sheet):
    """The weekly sheet's rows the user may read, narrowed by ?mine=owner|leader; the leader's person id."""
    rows = SupervisionLines.objects.visible_to(request.user).filter(sheet=sheet)
    mine, person = request.GET.get("mine"), getattr(request.user, "person", None)
    if mine == "owner":
        rows = rows.filter(owner__user=request.user)
    elif mine == "leader":
        rows = rows.filter(supervision.leader_filter(person.pk)) if person else rows.none()
    rows = rows.select_related("owner", "org").order_by("-handoff_late", "-overdue", "owner__name", "pk")
    return rows, mine, (person.pk if person and mine == "leader" else None)


@login_required
def sheet_detail(request, pk):
    sheet = get_object_or_404(SupervisionSheet.objects.defer("document"), pk=pk)
    if sheet.period != SupervisionSheet.Period.WEEK:
        require_everywhere(request.user, "matter.view", what=SUMMARY_WHAT)
        lines = supervision.summary_lines(sheet)
        return render(request, "matters/sheet_detail.html", {
            "sheet": sheet, "page": None, "summary_lines": lines, "changed": any(x.changed for x in lines),
            "issued": f"{timezone.localtime(sheet.issued_at):%Y年%m月%d日 %H:%M}生成"})
    rows, mine, leader_id = _sheet_rows(request, sheet)
    page = paginate(request, rows, SHEET_GROUPS_PER_PAGE)
    return render(request, "matters/sheet_detail.html", {
        "sheet": sheet, "page": page, "lines": supervision.expand(page.object_list, sheet, leader_id=leader_id),
        "mine": mine})


@login_required
def sheet_document(request, pk):
    sheet = get_object_or_404(SupervisionSheet, pk=pk)
    if sheet.period == SupervisionSheet.Period.WEEK:
        # The weekly sheet is drawn on request from the lines the reader may see, as its page shows them.
        if sheet.archive_file:
            raise Http404("该督办单的明细已归档")
        rows, _, _ = _sheet_rows(request, sheet)
        content = supervision.sheet_docx(sheet, rows, limit=SHEET_DOCX_LINES)
        audit.security_event("matter.sheet_download", actor=request.user, target_repr=str(sheet))
        return file_response(content, f"督办单{sheet.end:%Y%m%d}.docx", DOCX_MIME)
    require_everywhere(request.user, "matter.view", what=SUMMARY_WHAT)
    if not sheet.document:
        raise Http404("该督办单没有文档")
    audit.security_event("matter.summary_download", actor=request.user, target_repr=str(sheet))
    return file_response(bytes(sheet.document), f"{sheet}.docx".replace("～", "至"), DOCX_MIME)


# The button's jobs: this week's sheet, or a summary of the period so far (as the button always did).
SHEET_JOBS = {"week": ("matters.weekly_supervision", (), "本周督办单"),
              "half_month": ("matters.summary", (SupervisionSheet.Period.HALF_MONTH.value,), "半月小结"),
              "month": ("matters.summary", (SupervisionSheet.Period.MONTH.value,), "月度总结")}


@login_required
@require_POST
def sheet_run(request):
    """Queue this week's 督办单 or a summary now (the queue does it on schedule; leaders may not wait).

    The page says what is true: the job is submitted, not done; its state is listed on the sheets page."""
    # A sheet or summary covers every org: the 党务管理员 (or anyone holding matter.change over the whole tree).
    require_everywhere(request.user, "matter.change", what="生成督办单与小结")
    if request.POST.get("what") not in SHEET_JOBS:
        raise Http404("没有这种督办单")
    job, args, label = SHEET_JOBS[request.POST["what"]]
    jobs.submit(job, *args, timezone.localdate().isoformat())
    audit.record("matter.supervision_run", actor=request.user, message=f"手工生成：{label}")
    warning = jobs.consumer_stale()
    messages.success(request, f"已提交，正在生成{label}。完成后列表中会出现，并通知有关人员；下方“生成任务”显示进度。")
    if warning:
        messages.warning(request, warning)
    return redirect("matters:sheets")


# ---- figures (年度数字，可追溯到记录) ------------------------------------------------------------------

def _year(request) -> int:
    return year_param(request.GET, default=timezone.localdate().year)


@login_required
def figures(request):
    """The year's figures of 事项督办 live in the one registry's pages (core/figure_views.py)."""
    return redirect(f"/figures/?module=matters&period={_year(request)}")


@login_required
def figure_detail(request, key):
    """Old addresses of a figure (``/matters/figures/on_time/?year=…``) lead to its registry page."""
    full = OLD_KEYS.get(key)
    if full is None:
        raise Http404("没有这个统计数字")
    return redirect(f"/figures/{full}/?period={_year(request)}" + ("&part=all" if request.GET.get("part") else ""))


OLD_KEYS = {"replies": "matters.assigned.replies", "proposals": "matters.proposals.count",
            "completion": "matters.proposals.completion_rate", "on_time": "matters.proposals.on_time_rate",
            "meeting": "matters.proposals.meeting_rate", "satisfaction": "matters.proposals.satisfaction_rate"}
