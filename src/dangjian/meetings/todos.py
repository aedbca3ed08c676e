"""会议学习 in the home page's to-do list (core.todos): one's meetings this week and one's open 补学."""

from dangjian.core.todos import Todo

from .models import Attendance, MeetingStatus


def my_todos(user, today, until) -> list[Todo]:
    mine = Attendance.objects.visible_to(user).filter(person__user=user).select_related("meeting__kind")
    items = [Todo(a.meeting.date, f"参加{_name(a.meeting)}", f"/meetings/{a.meeting_id}/", a.meeting.start_time)
             for a in mine.filter(meeting__status=MeetingStatus.PLANNED, meeting__date__range=(today, until))]
    items += [Todo(today, f"补学：{_name(a.meeting)}", "/meetings/my/")
              for a in mine.filter(makeup_required=True, makeup_done_on__isnull=True).order_by("meeting__date")]
    return items


def _name(meeting) -> str:
    kind = str(meeting.kind)
    return meeting.title if kind in meeting.title else f"{kind}：{meeting.title}"
