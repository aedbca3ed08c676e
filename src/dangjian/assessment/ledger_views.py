"""Pages of the 作风台账 and its registers, 目标责任考核 and the 干部考评档案 (thin: scope through visible_to, changes
through ledger.py's services). A register's list shows what the user may see: the readers their scope, a cadre
their own records (the own-record rule)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.actions import run_action, save_form
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope
from dangjian.core.web import paginate, year_param
from dangjian.duties.models import LetterTask, ResponsibilityLetter
from dangjian.orgs.models import Person

from . import ledger
from .checklist_models import ChecklistScore
from .evaluation_models import Evaluation, RoundStatus
from .ledger_forms import (
    AccountabilityForm,
    CheckForm,
    CommendationForm,
    CommitmentForm,
    EntryForm,
    LedgerFilter,
    ProgressForm,
    ScoreForm,
)
from .ledger_models import Accountability, Commendation, Commitment, CommitmentProgress, TaskScore
from .models import ConductEntry, ConductKind, Polarity

CHANGE, VIEW = ledger.CHANGE, ledger.VIEW
FILE_YEARS = 3  # the 干部考评档案 shows three years
FILE_ENTRIES = 50  # and the latest entries of its ledger (the whole ledger is one link away, paged)


def _require_reader(user) -> None:
    if not ledger.is_reader(user):
        raise Http404("页面不存在")


def _require_changer(user) -> None:
    _require_reader(user)
    if not has_capability(user, CHANGE):
        raise PermissionDenied("无权登记（需要考评管理权限）")


def _page(request, template: str, context: dict):
    """Render a page of this part; the tabs offer the whole ledger to its readers, one's own to everyone else."""
    context.setdefault("reader", ledger.is_reader(request.user))
    return render(request, template, context)


def _person_or_404(pk) -> Person:
    try:
        return Person.objects.select_related("org").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("记录不存在或不在您的权限范围内") from None


@login_required
def index(request):
    """考评: the sections the user may open (the evaluations' links in their own block of the template)."""
    user = request.user
    return _page(request, "assessment/ledger/index.html", {
        "reader": ledger.is_reader(user), "can_change": has_capability(user, CHANGE),
        "person": getattr(user, "person", None)})


# ---- 作风台账 ---------------------------------------------------------------------------------------------

def _filtered(entries, form):
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["year"]:
        entries = entries.filter(on__year=data["year"])
    if data["kind"]:
        entries = entries.filter(kind=data["kind"])
    if data["polarity"]:
        entries = entries.filter(polarity=data["polarity"])
    if data["q"]:
        entries = entries.filter(person__name__contains=data["q"])
    return entries


@login_required
def ledger_list(request):
    _require_reader(request.user)
    form = LedgerFilter(request.GET or None)
    entries = _filtered(ConductEntry.objects.visible_to(request.user).select_related("person", "org"), form)
    return _page(request, "assessment/ledger/ledger.html", {
        "page": paginate(request, entries), "form": form, "tab": "ledger",
        "can_change": has_capability(request.user, CHANGE)})


@login_required
def entry_add(request):
    _require_changer(request.user)
    form = EntryForm(request.POST or None, user=request.user)

    def add():
        data = form.cleaned_data
        return ledger.do_add_entry(data["person"], kind=data["kind"], on=data["on"], summary=data["summary"],
                                   evidence=data["evidence"], actor=request.user)

    response = save_form(request, form, add, "已记入作风台账。", lambda e: f"/assessment/people/{e.person_id}/ledger/")
    return response or _page(request, "assessment/ledger/form.html", {"form": form, "title": "登记作风台账",
                                                                        "tab": "ledger"})


@login_required
def person_ledger(request, pk):
    """One cadre's ledger: for the readers where the cadre is, and for the cadre."""
    person = _person_or_404(pk)
    own = person.user_id is not None and person.user_id == request.user.pk
    if not own and not path_in_scope(request.user, VIEW, person.org_path):
        raise Http404("记录不存在或不在您的权限范围内")
    entries = ConductEntry.objects.visible_to(request.user).filter(person=person)
    counts = dict(entries.order_by().values("polarity").annotate(n=Count("id")).values_list("polarity", "n"))
    return _page(request, "assessment/ledger/person_ledger.html", {
        "person": person, "own": own, "page": paginate(request, entries), "tab": "ledger",
        "positive": counts.get(Polarity.POSITIVE, 0), "negative": counts.get(Polarity.NEGATIVE, 0),
        "may_open_file": ledger.may_open_file(request.user, person)})


@login_required
def my_ledger(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("您不在人员花名册中，没有作风台账")
    return redirect("assessment:person_ledger", pk=person.pk)


# ---- 量化承诺 ---------------------------------------------------------------------------------------------

@login_required
def commitments(request):
    user = request.user
    year = year_param(request.GET, default=timezone.localdate().year)
    rows = Commitment.objects.visible_to(user).filter(year=year).select_related("person", "org")
    return _page(request, "assessment/ledger/commitments.html", {
        "page": paginate(request, rows), "year": year, "tab": "commitments",
        "can_change": has_capability(user, CHANGE)})


@login_required
def commitment_add(request):
    _require_changer(request.user)
    form = CommitmentForm(request.POST or None, user=request.user)
    response = save_form(request, form, lambda: ledger.do_create_commitment(form.save(commit=False), actor=request.user),
                         "已登记量化承诺。", lambda c: f"/assessment/commitments/{c.pk}/")
    return response or _page(request, "assessment/ledger/form.html", {"form": form, "title": "登记量化承诺",
                                                                        "tab": "commitments"})


@login_required
def commitment_detail(request, pk):
    user = request.user
    commitment = get_visible_or_404(Commitment.objects.select_related("person", "org", "checked_by"), user, pk)
    progress = CommitmentProgress.objects.visible_to(user).filter(commitment=commitment).select_related("by")
    own = commitment.person.user_id == user.pk
    can_check = (not commitment.result and not own and path_in_scope(user, CHANGE, commitment.org_path))
    return _page(request, "assessment/ledger/commitment_detail.html", {
        "c": commitment, "progress": progress, "tab": "commitments",
        "progress_form": ProgressForm(initial={"on": timezone.localdate()}) if ledger.may_report(user, commitment)
        else None,
        "check_form": CheckForm(initial={"loaded_version": commitment.version}) if can_check else None})


@login_required
@require_POST
def commitment_progress(request, pk):
    commitment = get_visible_or_404(Commitment, request.user, pk)
    form = ProgressForm(request.POST)

    def report():
        data = form.cleaned_data
        return ledger.do_report_progress(commitment, actor=request.user, on=data["on"], value=data["value"],
                                         note=data["note"], evidence=data["evidence"])

    return run_action(request, report, "已报告进展。", f"/assessment/commitments/{commitment.pk}/", form=form)


@login_required
@require_POST
def commitment_check(request, pk):
    commitment = get_visible_or_404(Commitment, request.user, pk)
    form = CheckForm(request.POST)

    def check():
        data = form.cleaned_data
        return ledger.do_check_commitment(commitment, actor=request.user, result=data["result"],
                                          reason=data["result_reason"], expected_version=data["loaded_version"])

    return run_action(request, check, lambda c: f"已核查：{c.get_result_display()}。",
                      f"/assessment/commitments/{commitment.pk}/", form=form)


# ---- 先进典型、问责 ----------------------------------------------------------------------------------------

@login_required
def commendations(request):
    rows = Commendation.objects.visible_to(request.user).select_related("person", "org")
    return _page(request, "assessment/ledger/commendations.html", {
        "page": paginate(request, rows), "tab": "commendations", "can_change": has_capability(request.user, CHANGE)})


@login_required
def commendation_add(request):
    _require_changer(request.user)
    form = CommendationForm(request.POST or None, user=request.user)
    response = save_form(request, form,
                         lambda: ledger.do_register_commendation(form.save(commit=False), actor=request.user),
                         "已登记先进典型，并记入作风台账。", "/assessment/commendations/")
    return response or _page(request, "assessment/ledger/form.html", {"form": form, "title": "登记先进典型",
                                                                        "tab": "commendations"})


@login_required
def commendation_detail(request, pk):
    record = get_visible_or_404(Commendation.objects.select_related("person", "org", "created_by"), request.user, pk)
    return _page(request, "assessment/ledger/record_detail.html", {
        "title": f"先进典型：{record.title}", "record": record, "tab": "commendations", "rows": [
            ("干部", f"{record.person.name}（{record.org}）"), ("典型称号", record.title),
            ("授予机关", record.conferred_by), ("文号", record.doc_number or "—"), ("授予日期", record.conferred_on),
            ("典型期间", f"{record.period_start:%Y-%m-%d} 至 {record.period_end:%Y-%m-%d}" if record.period_end
             else f"{record.period_start:%Y-%m-%d} 起"), ("主要事迹与依据", record.basis)]})


@login_required
def accountability_detail(request, pk):
    record = get_visible_or_404(Accountability.objects.select_related("person", "org", "created_by"), request.user, pk)
    today = timezone.localdate()
    effect = "—"
    if record.effect_until:
        effect = f"{record.effect_until:%Y-%m-%d}" + ("（影响期内，期内不得提拔或者重用）" if record.in_effect(today) else "")
    return _page(request, "assessment/ledger/record_detail.html", {
        "title": f"问责：{record.get_form_display()}", "record": record, "tab": "accountability", "rows": [
            ("被问责对象", record.person.name if record.person_id else str(record.org)),
            ("问责方式", record.get_form_display()), ("问责决定机关", record.decided_by),
            ("决定文号", record.doc_number or "—"), ("决定日期", record.decided_on), ("影响期至", effect),
            ("问责事由及依据", record.basis)]})


@login_required
def accountability(request):
    today = timezone.localdate()
    rows = Accountability.objects.visible_to(request.user).select_related("person", "org")
    page = paginate(request, rows)
    for row in page.object_list:
        row.active = row.in_effect(today)
    return _page(request, "assessment/ledger/accountability.html", {
        "page": page, "tab": "accountability", "can_change": has_capability(request.user, CHANGE)})


@login_required
def accountability_add(request):
    _require_changer(request.user)
    form = AccountabilityForm(request.POST or None, user=request.user)
    response = save_form(request, form,
                         lambda: ledger.do_record_accountability(form.save(commit=False), actor=request.user),
                         "已登记问责。", "/assessment/accountability/")
    return response or _page(request, "assessment/ledger/form.html", {"form": form, "title": "登记问责",
                                                                        "tab": "accountability"})


# ---- 目标责任考核 ------------------------------------------------------------------------------------------

@login_required
def letters(request):
    """The year's 责任状 the user sees (the duties module's scope), each with its result once every task is scored."""
    year = year_param(request.GET, default=timezone.localdate().year)
    rows = list(ResponsibilityLetter.objects.visible_to(request.user).filter(year=year)
                .select_related("counterpart", "secretary").order_by("kind", "org_path", "id")[:500])
    tasks = ledger.scored_tasks(LetterTask.objects.filter(letter__in=rows))
    by_letter: dict[int, list] = {}
    for task in tasks:
        by_letter.setdefault(task.letter_id, []).append(task)
    for letter in rows:
        mine = by_letter.get(letter.pk, [])
        letter.total = ledger.letter_total(mine) if mine else None
        letter.scored = sum(1 for t in mine if t.score_record)
        letter.task_count = len(mine)
    return _page(request, "assessment/ledger/letters.html", {"letters": rows, "year": year, "tab": "letters"})


@login_required
def letter_scores(request, pk):
    user = request.user
    letter = get_visible_or_404(ResponsibilityLetter.objects.select_related("counterpart", "secretary", "org"), user, pk)
    tasks = ledger.scored_tasks(LetterTask.objects.filter(letter=letter))
    scorer = ledger.may_score(user, letter) and letter.is_signed
    today = timezone.localdate()
    for task in tasks:
        task.form = (ScoreForm(initial={"score": task.score_record.score if task.score_record else None,
                                        "comment": task.score_record.comment if task.score_record else ""},
                               prefix=f"t{task.pk}")
                     if scorer and ledger.result_known(task, today) else None)
    return _page(request, "assessment/ledger/letter_scores.html", {
        "letter": letter, "tasks": tasks, "total": ledger.letter_total(tasks) if tasks else None, "scorer": scorer,
        "tab": "letters"})


@login_required
@require_POST
def task_score(request, pk):
    task = get_visible_or_404(LetterTask.objects.select_related("letter"), request.user, pk)
    form = ScoreForm(request.POST, prefix=f"t{task.pk}")

    def score():
        data = form.cleaned_data
        return ledger.do_score_task(task, actor=request.user, score=data["score"], comment=data["comment"])

    return run_action(request, score, lambda s: f"已评分：{s.task} {s.score}分。",
                      f"/assessment/letters/{task.letter_id}/", form=form)


# ---- 干部考评档案 ------------------------------------------------------------------------------------------

@login_required
def person_file(request, pk):
    """干部考评档案 (read-only): only for the 组织人事 staff, the discipline team and the 党组书记; every opening is a
    security event. A fixed number of queries whatever the records' length."""
    user = request.user
    person = _person_or_404(pk)
    if not ledger.may_open_file(user, person):
        raise Http404("记录不存在或不在您的权限范围内")
    today = timezone.localdate()
    since = today.replace(year=today.year - FILE_YEARS + 1, month=1, day=1)
    audit.security_event("assessment.file_open", actor=user, target=person, org_path=person.org_path,
                         target_repr=str(person), message=f"查阅{person}的干部考评档案")
    entries = ConductEntry.objects.filter(person=person, on__gte=since)
    counts = dict(entries.order_by().values("polarity").annotate(n=Count("id")).values_list("polarity", "n"))
    # the flags read the 诫勉 talks within the longest 影响期 the rule allows (60 months)
    admonitions = list(ConductEntry.objects.filter(person=person, kind=ConductKind.ADMONITION,
                                                   on__gte=ledger.add_months(today, -60)))
    commitments_ = list(Commitment.objects.filter(person=person, year__gte=since.year))
    # 考评: the results the Party group approved (frozen), of the same years
    evaluations_ = list(Evaluation.objects.filter(person=person, round__year__gte=since.year,
                                                  round__status=RoundStatus.APPROVED)
                        .select_related("round").order_by("-round__year", "-round__approved_on"))
    commendations_ = list(Commendation.objects.filter(person=person))
    accountabilities = list(Accountability.objects.filter(person=person))
    letters_ = list(ResponsibilityLetter.objects.filter(counterpart=person, year__gte=since.year).order_by("-year"))
    tasks = ledger.scored_tasks(LetterTask.objects.filter(letter__counterpart=person, letter__year__gte=since.year))
    for letter in letters_:
        mine = [t for t in tasks if t.letter_id == letter.pk]
        letter.task_list, letter.total = mine, ledger.letter_total(mine) if mine else None
    owned_scores = list(TaskScore.objects.filter(task__owner=person, task__letter__year__gte=since.year)
                        .exclude(task__letter__counterpart=person).select_related("task__letter"))
    # 两个责任清单 of the same years (each links to its record)
    checklists = list(ChecklistScore.objects.filter(person=person, year__gte=since.year).order_by("-year", "kind"))
    return _page(request, "assessment/ledger/person_file.html", {
        "person": person, "checklists": checklists, "entries": list(entries[:FILE_ENTRIES]), "file_entries": FILE_ENTRIES,
        "commitments": commitments_, "commendations": commendations_, "evaluations": evaluations_,
        "accountabilities": accountabilities, "letters": letters_, "owned_scores": owned_scores,
        "flags": ledger.eligibility_flags(admonitions, accountabilities, today), "since": since, "today": today,
        "positive": counts.get(Polarity.POSITIVE, 0), "negative": counts.get(Polarity.NEGATIVE, 0),
        "current_commendations": [c for c in commendations_ if not c.period_end or c.period_end >= today]})
