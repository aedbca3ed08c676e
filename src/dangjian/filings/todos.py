"""报告报备 on the home page's to-do list: the filings awaiting the user's approval (the 党组书记's; the staff's for
the 党组书记's own filing), and one's own returns to confirm."""

from dangjian.core.scope import has_capability
from dangjian.core.todos import Todo
from dangjian.supervision.models import secretary_paths

from .models import Absence, AbsenceStatus
from .services import CHANGE, may_decide

SHOWN = 20  # at most this many of each: the list is a reminder, the filings page has them all


def my_todos(user, today, until):
    items = []
    if secretary_paths(user) or has_capability(user, CHANGE):  # the only ones who approve: no query for others
        pending = (Absence.objects.visible_to(user).filter(status=AbsenceStatus.PENDING, leaves_on__lte=until)
                   .select_related("person", "org").order_by("leaves_on", "pk")[:SHOWN])
        items += [Todo(a.leaves_on, f"审批外出报备：{a}", f"/filings/absences/{a.pk}/")
                  for a in pending if may_decide(user, a)]
    own = (Absence.objects.filter(person__user=user, status=AbsenceStatus.APPROVED, returns_on__lte=until)
           .select_related("person").order_by("returns_on", "pk")[:SHOWN])
    items += [Todo(a.returns_on, f"确认返岗（销假）：{a}", f"/filings/absences/{a.pk}/") for a in own]
    return items
