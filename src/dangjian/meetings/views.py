"""Meeting pages: list, record, attendance, QR sign-in, topics and decisions, minutes. Thin: scope via
visible_to, every change via a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.actions import create_or_update, refusal_text, run_action, save_form
from dangjian.core.documents import docx_response
from dangjian.core.figures import Period
from dangjian.core.panels import figures_shown
from dangjian.core.scope import get_visible_or_404, has_capability, path_in_scope, require_capability
from dangjian.core.uploads import stored_file_response
from dangjian.core.web import paginate

from .exports import minutes_document, qr_svg
from .figures import MINE_KEYS
from .filters import MeetingFilterForm
from .forms import AttachmentForm, DecisionForm, MeetingForm, MinutesForm, TopicForm
from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
    Participant,
    Recusal,
    Topic,
)
from .panels import MINE
from .services import attachments, decisions, qr_signin, records


@login_required
def meeting_list(request):
    # Open to everyone signed in: whoever holds no grant still sees the meetings they were expected at or attended.
    meetings = MeetingFilterForm(request.GET).filter(
        Meeting.objects.visible_to(request.user).select_related("kind", "org"))
    return render(request, "meetings/meeting_list.html", {
        "page": paginate(request, meetings), "kinds": MeetingKind.objects.filter(is_active=True),
        "kind": request.GET.get("kind", ""), "year": request.GET.get("year", ""),
        "can_add": has_capability(request.user, "meeting.change"),
        "own_only": not has_capability(request.user, "meeting.view"),
    })


@login_required
def meeting_detail(request, pk):
    meeting = get_visible_or_404(Meeting.objects.select_related("kind", "org", "host", "recorder"), request.user, pk)
    can_change = path_in_scope(request.user, "meeting.change", meeting.org_path)
    # The counts are of everyone expected; the names listed are those the user may see (an attendee
    # without a grant on the meeting's org sees their own row).
    counts = {s: 0 for s in AttendanceStatus.values}
    for status, n in meeting.attendance.values_list("status").annotate(n=Count("id")).order_by():
        counts[status] += n
    counts["total"] = sum(counts.values())
    attendance = Attendance.objects.visible_to(request.user).filter(meeting=meeting).select_related(
        "person").order_by("id")
    signin_url = ""
    if can_change and meeting.status != MeetingStatus.CANCELLED:
        signin_url = request.build_absolute_uri(reverse("meetings:signin", args=[qr_signin.signin_token(meeting)]))
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "attendance": attendance, "counts": counts, "can_change": can_change,
        "topics": meeting.topics.all(), "topic_form": TopicForm(), "signin_url": signin_url,
        "minutes_form": MinutesForm(instance=meeting), "statuses": AttendanceStatus.choices[1:],
        "today": timezone.localdate(), "attachment_form": AttachmentForm(),
        "attachments": meeting.attachments.select_related("uploaded_by").order_by("id"),
    })


@login_required
def meeting_edit(request, pk=None):
    if pk:
        meeting = get_visible_or_404(Meeting.objects.select_related("kind", "org"), request.user, pk, "change")
    else:
        require_capability(request.user, "meeting.change", what="登记会议")
        meeting = Meeting(date=timezone.localdate())
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    saved = save_form(request, form, lambda: create_or_update(
        form, records.do_create_meeting, records.do_update_meeting, actor=request.user), lambda m: f"已保存会议“{m}”。", lambda m: reverse("meetings:detail", args=[m.pk]))
    if saved:
        return saved
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
@require_POST
def attendance_mark(request, pk):
    meeting = get_visible_or_404(Meeting.objects.select_related("kind"), request.user, pk, "change")
    back = reverse("meetings:detail", args=[meeting.pk]) + "#attendance"
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        messages.error(request, "出席登记：未选择人员")
        return redirect(back)
    return run_action(request, lambda: records.do_mark_attendance(
        meeting, person_id, request.POST.get("status", ""), actor=request.user,
        reason=request.POST.get("reason", "")), None, back, prefix="出席登记未保存：")


@login_required
@require_POST
def meeting_close(request, pk):
    meeting = get_visible_or_404(Meeting.objects.select_related("kind"), request.user, pk, "change")
    return run_action(request, lambda: records.do_close_meeting(meeting, actor=request.user),
                      "已登记为已召开；未签到人员记为缺席，学习类会议的缺席和请假人员已收到补学任务。",
                      reverse("meetings:detail", args=[meeting.pk]))


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = get_visible_or_404(Meeting, request.user, pk, "change")
    return run_action(request, lambda: records.do_cancel_meeting(meeting, actor=request.user), "会议已取消。",
                      reverse("meetings:detail", args=[meeting.pk]))


@login_required
@require_POST
def minutes_save(request, pk):
    meeting = get_visible_or_404(Meeting.objects.select_related("kind", "org"), request.user, pk, "change")
    form = MinutesForm(request.POST, instance=meeting)
    if not form.is_valid():
        return redirect("meetings:detail", pk=meeting.pk)
    return run_action(request, lambda: records.do_save_minutes(
        meeting, form.cleaned_data["minutes"], actor=request.user, expected_version=form.expected_version),
        "会议记录已保存。", reverse("meetings:detail", args=[meeting.pk]), prefix="会议记录未保存：")


@login_required
def minutes_docx(request, pk):
    meeting = get_visible_or_404(Meeting.objects.select_related("kind", "org", "host", "recorder"), request.user, pk)
    named = Attendance.objects.visible_to(request.user).filter(meeting=meeting)
    return docx_response(minutes_document(meeting, named), f"{meeting.date:%Y%m%d}{meeting.title}纪要.docx")


@login_required
@require_POST
def attachment_add(request, pk):
    meeting = get_visible_or_404(Meeting, request.user, pk, "change")
    form = AttachmentForm(request.POST, request.FILES)
    back = reverse("meetings:detail", args=[meeting.pk]) + "#attachments"
    if not form.is_valid():
        messages.error(request, "附件未上传：附件：" + "；".join(form.errors.get("file", ["请选择要上传的文件"])))
        return redirect(back)
    return run_action(request, lambda: attachments.do_add_attachment(meeting, form.cleaned_data["file"],
                                                                  actor=request.user),
                      lambda item: f"已上传附件“{item.name}”。", back, prefix="附件未上传：")


@login_required
def attachment(request, pk):
    """A meeting's file reaches a user only here: whoever sees the meeting may download it."""
    item = get_visible_or_404(MeetingAttachment, request.user, pk)
    return stored_file_response(item.file, actor=request.user, target=item, filename=item.download_stem)


@login_required
@require_POST
def attachment_remove(request, pk):
    item = get_visible_or_404(MeetingAttachment, request.user, pk, "change")
    return run_action(request, lambda: attachments.do_remove_attachment(item, actor=request.user),
                      f"已删除附件“{item.name}”。", reverse("meetings:detail", args=[item.meeting_id]) + "#attachments",
                      prefix="附件未删除：")


@login_required
def signin_qr(request, pk):
    meeting = get_visible_or_404(Meeting, request.user, pk, "change")
    url = request.build_absolute_uri(reverse("meetings:signin", args=[qr_signin.signin_token(meeting)]))
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def signin_rotate(request, pk):
    meeting = get_visible_or_404(Meeting, request.user, pk, "change")
    qr_signin.do_rotate_signin(meeting, actor=request.user)
    messages.success(request, "已刷新签到码，此前的二维码全部作废。")
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def signin(request, token):
    """The page a phone opens from the QR code: shows the meeting, signs in on POST."""
    error, meeting, done = "", None, None
    try:
        meeting = qr_signin.meeting_for_token(token)
    except ValidationError as exc:
        error = refusal_text(exc)
    if meeting and request.method == "POST":
        try:
            done = qr_signin.do_signin(token, actor=request.user)
        except ValidationError as exc:
            error = refusal_text(exc)
    return render(request, "meetings/signin.html", {"meeting": meeting, "error": error, "done": done},
                  status=400 if error else 200)


@login_required
@require_POST
def topic_add(request, pk):
    meeting = get_visible_or_404(Meeting, request.user, pk, "change")
    form = TopicForm(request.POST)

    def add():
        topic = form.save(commit=False)
        topic.meeting = meeting
        decisions.do_add_topic(topic, actor=request.user)
        return topic

    return run_action(request, add, lambda topic: f"已添加议题“{topic}”。",
                      reverse("meetings:detail", args=[meeting.pk]) + "#topics", form=form, prefix="议题未保存：")


@login_required
def topic_decide(request, pk):
    topic = get_visible_or_404(Topic.objects.select_related("meeting__kind", "meeting__org"), request.user, pk,
                               "change")
    meeting = topic.meeting
    if topic.is_major:
        members = records.group_members(meeting.org_path, meeting.date)
        principal = records.principal_of(meeting.org_path, meeting.date)
    else:
        members = [a.person for a in meeting.attendance.select_related("person")]
        principal = None
    present = set(meeting.attendance.filter(status=AttendanceStatus.PRESENT).values_list("person_id", flat=True))
    recusals = list(topic.recusals.select_related("person", "recorded_by", "lifted_by").order_by("id"))
    form = DecisionForm(request.POST or None, members=members, principal_id=principal.pk if principal else None,
                        standing=[r.person_id for r in recusals if not r.lifted_at])
    if request.method == "POST" and form.is_valid():
        try:
            topic = decisions.do_record_decision(topic, form.votes(), recused_ids=form.recused_ids(),
                                        decision_text=form.cleaned_data["decision_text"], actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已记录决定：{topic}（{topic.get_outcome_display()}）。")
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#topics")
    return render(request, "meetings/topic_decide.html", {"topic": topic, "meeting": meeting, "form": form,
                                                          "present": present, "recusals": recusals})


@login_required
@require_POST
def recusal_lift(request, pk):
    recusal = get_visible_or_404(Recusal.objects.select_related("topic"), request.user, pk, "change")
    return run_action(request, lambda: decisions.do_lift_recusal(recusal, request.POST.get("lift_reason", ""),
                                                                 actor=request.user),
                      f"已解除{recusal.person}对本议题的回避。", reverse("meetings:decide", args=[recusal.topic_id]),
                      prefix="回避未解除：")


@login_required
def my_meetings(request):
    """本人的会议、补学任务与日程订阅: for every cadre, with or without a role."""
    mine = Attendance.objects.visible_to(request.user).filter(person__user=request.user)
    rows = (mine.select_related("meeting__kind", "meeting__org")
            .order_by("-meeting__date"))
    return render(request, "meetings/my_meetings.html", {
        "page": paginate(request, rows, 30), "makeups": rows.filter(makeup_required=True, makeup_done_on__isnull=True),
        "figures": figures_shown(request.user, MINE_KEYS, Period.year(timezone.localdate().year),
                                 alerts=MINE.alerts),
        "own_only": not has_capability(request.user, "meeting.view"),
        "activities": Participant.objects.visible_to(request.user).filter(person__user=request.user)
        .select_related("activity").order_by("-activity__date")[:20],
    })
