"""事项督办 in the home page's to-do list (core.todos): matters one owns that fall due this week or are
overdue, and those awaiting one's approval (销号) as their responsible leader."""

from dangjian.core.todos import Todo

from .models import Matter
from .states import OPEN_STATUSES, Status


def my_todos(user, today, until) -> list[Todo]:
    visible = Matter.objects.visible_to(user)
    due = visible.filter(owner__user=user, status__in=OPEN_STATUSES, due_on__lte=until).exclude(
        status=Status.PENDING).order_by("due_on")
    items = [Todo(m.due_on, f"办结：{m.title}", f"/matters/{m.pk}/") for m in due]
    items += [Todo(today, f"审批销号：{m.title}", f"/matters/{m.pk}/")
              for m in visible.filter(responsible_leader__user=user, status=Status.PENDING).order_by("pk")]
    return items
