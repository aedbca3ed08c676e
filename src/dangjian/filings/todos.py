"""报告报备 on the home page's to-do list: the filings awaiting the 党组书记's approval, and one's own returns to
confirm."""

from dangjian.core.todos import Todo

from .models import Absence, AbsenceStatus
from .services import may_decide


def my_todos(user, today, until):
    items = []
    pending = Absence.objects.visible_to(user).filter(status=AbsenceStatus.PENDING, leaves_on__lte=until)
    for a in pending.select_related("person").order_by("leaves_on", "pk")[:20]:
        if may_decide(user, a):
            items.append(Todo(a.leaves_on, f"审批外出报备：{a}", f"/filings/absences/{a.pk}/"))
    own = Absence.objects.filter(person__user=user, status=AbsenceStatus.APPROVED, returns_on__lte=until)
    for a in own.select_related("person").order_by("returns_on", "pk")[:20]:
        items.append(Todo(a.returns_on, f"确认返岗（销假）：{a}",
                          f"/filings/absences/{a.pk}/"))
    return items
