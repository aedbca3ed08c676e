"""Pages for 责任状: the year view, a letter with its tasks, the .docx, signing, task progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.actions import refusal_text, run_action, save_form
from dangjian.core.documents import docx_response
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.uploads import stored_file_response
from dangjian.core.web import paginate

from . import letters, services
from .filters import LetterFilter
from .forms import LetterForm, ProgressForm, SignForm, TaskForm
from .models import LetterTask, ResponsibilityLetter, TaskStatus

LETTER_RELATED = ("org", "secretary", "counterpart", "counterpart__org")


@login_required
def letter_year(request):
    """Every letter of a year (signed or not) and every task, filterable by leader, section and state."""
    user = request.user
    letters_qs = ResponsibilityLetter.objects.visible_to(user).select_related(*LETTER_RELATED)
    tasks = LetterTask.objects.visible_to(user).select_related("owner", "letter__counterpart", "org")
    if not has_capability(user, "duty.view") and not tasks.exists() and not letters_qs.exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("无权查看责任状")
    form = LetterFilter(request.GET or None, user=user)
    year = form.year(timezone.localdate().year)
    letters_qs = form.letters(letters_qs, year)
    tasks = form.tasks(tasks, year).order_by("deadline", "letter_id", "seq")
    page = paginate(request, tasks)
    today = timezone.localdate()
    for t in page:
        t.overdue = t.is_overdue(today)
        t.soon = letters.due_soon(t, today)
    return render(request, "duties/letter_year.html", {
        "form": form, "year": year, "letters": letters_qs, "page": page,
        "can_change": has_capability(user, "duty.change"),
        "new_form": LetterForm(user=user) if has_capability(user, "duty.change") else None,
    })


@login_required
def letter_create(request):
    require_capability(request.user, "duty.change", what="起草责任状")
    form = LetterForm(request.POST or None, user=request.user)
    saved = save_form(request, form, lambda: letters.do_create_letter(
        form.cleaned_data["year"], form.cleaned_data["counterpart"], actor=request.user),
        lambda letter: f"已起草：{letter}。请分解年度任务。", lambda letter: reverse("duties:letter_detail", args=[letter.pk]))
    if saved:
        return saved
    return render(request, "duties/letter_form.html", {"form": form})


@login_required
def letter_detail(request, pk):
    letter = get_visible_or_404(ResponsibilityLetter.objects.select_related(*LETTER_RELATED), request.user, pk)
    tasks = list(letter.tasks.select_related("owner").order_by("seq", "id"))
    can_change = path_in_scope(request.user, "duty.change", letter.org_path)
    task_form = TaskForm(request.POST or None, letter=letter, user=request.user,
                         initial={"deadline": f"{letter.year}-12-31"})
    if request.method == "POST":
        if not can_change:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(f"无权修改“{letter}”")

        def add():
            task = task_form.save(commit=False)
            task.letter = letter
            letters.do_save_task(task, actor=request.user)
            return task

        saved = save_form(request, task_form, add, lambda task: f"已添加任务“{task}”。",
                          reverse("duties:letter_detail", args=[letter.pk]))
        if saved:
            return saved
    total = sum(t.weight for t in tasks)
    today = timezone.localdate()
    for t in tasks:
        t.overdue = t.is_overdue(today)
    return render(request, "duties/letter_detail.html", {
        "letter": letter, "tasks": tasks, "total": total, "complete": total == letters.TOTAL_WEIGHT,
        "can_change": can_change, "task_form": task_form,
        "sign_form": SignForm(initial={"signed_on": today}),
    })


@login_required
def letter_docx(request, pk):
    letter = get_visible_or_404(ResponsibilityLetter.objects.select_related(*LETTER_RELATED), request.user, pk)
    try:
        doc = letters.letter_document(letter)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("duties:letter_detail", pk=letter.pk)
    audit.security_event("letter.export", actor=request.user, target=letter, message="生成责任状 .docx")
    return docx_response(doc, letters.letter_filename(letter))


@login_required
@require_POST
def letter_sign(request, pk):
    letter = get_visible_or_404(ResponsibilityLetter, request.user, pk, "change")
    form = SignForm(request.POST, request.FILES)
    return run_action(request, lambda: letters.do_sign_letter(
        letter, actor=request.user, signed_on=form.cleaned_data["signed_on"], scan=form.cleaned_data["scan"]),
        f"已登记签订：{letter}。", reverse("duties:letter_detail", args=[letter.pk]),
        form=form, form_prefix="签订未登记：")


@login_required
def letter_scan(request, pk):
    letter = get_visible_or_404(ResponsibilityLetter.objects.select_related("counterpart"), request.user, pk)
    return stored_file_response(letter.scan, actor=request.user, target=letter,
                                filename=f"{letter.year}年度党建工作责任状-{letter.counterpart.name}-签字件")


@login_required
@require_POST
def task_delete(request, pk):
    task = get_visible_or_404(LetterTask, request.user, pk, "change")
    return run_action(request, lambda: letters.do_delete_task(task, actor=request.user), f"已删除任务“{task}”。",
                      reverse("duties:letter_detail", args=[task.letter_id]))


@login_required
def task_detail(request, pk):
    task = get_visible_or_404(LetterTask.objects.select_related("owner", "owner__org", "letter", "org",
                                                                "letter__counterpart"), request.user, pk)
    can_report = letters.can_report(request.user, task)
    form = ProgressForm(request.POST or None, initial={"status": task.status, "loaded_version": task.version})
    if request.method == "POST":
        if not can_report:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(f"无权填报“{task}”的进展")
        saved = save_form(request, form, lambda: letters.do_report_progress(
            task, actor=request.user, note=form.cleaned_data["note"], status=form.cleaned_data["status"],
            evidence=form.cleaned_data["evidence"], expected_version=form.cleaned_data["loaded_version"]),
            "已填报进展。", reverse("duties:task_detail", args=[task.pk]))
        if saved:
            return saved
    return render(request, "duties/task_detail.html", {
        "task": task, "progress": task.progress.select_related("by"), "form": form, "can_report": can_report,
        "chain": services.responsibility_chain(task.owner.org, owner=task.owner),
        "overdue": task.is_overdue(), "soon": letters.due_soon(task), "statuses": TaskStatus,
    })
