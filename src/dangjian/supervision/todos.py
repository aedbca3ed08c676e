"""监督 in the home page's to-do list (core.todos): the talks whose follow-up (回访) the user, as talker, owes."""

from dangjian.core.todos import Todo

from .models import Talk


def my_todos(user, today, until) -> list[Todo]:
    due = (Talk.objects.visible_to(user, "change").filter(talker__user=user, follow_up_on__lte=until,
                                                          followed_up_on__isnull=True).order_by("follow_up_on", "pk"))
    return [Todo(t.follow_up_on, f"谈话回访：{t.subject}（{t.get_kind_display()}）", f"/supervision/talks/{t.pk}/")
            for t in due.select_related("subject")]
