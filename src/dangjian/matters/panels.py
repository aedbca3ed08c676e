"""The 事项督办 panel of the home page (registered in core.panels.HOME_PANELS)."""

from django.utils import timezone

from dangjian.core import jobs
from dangjian.core.panels import Figure
from dangjian.core.scope import has_capability, holds_everywhere

from . import workflow
from .models import Matter, Status


def home_panel(user) -> list[Figure]:
    """Open, soon due and overdue matters in the user's scope; for everyone with a person, their own ledger."""
    viewer = has_capability(user, "matter.view")
    person = getattr(user, "person", None)
    if not viewer and person is None:
        return []
    today = timezone.localdate()
    visible = Matter.objects.visible_to(user)
    figures = []
    if viewer:
        counts = {s: visible.filter(workflow.due_state_q(s, today)).count() for s in ("overdue", "warning")}
        figures += [
            Figure("在办事项", visible.open().count(), "/matters/?open=1"),
            Figure("即将到期", counts["warning"], "/matters/?due=warning", alert=bool(counts["warning"])),
            Figure("已超期", counts["overdue"], "/matters/board/", alert=bool(counts["overdue"])),
        ]
    if person is not None:
        figures.append(Figure("我负责的在办事项", visible.open().filter(owner=person).count(),
                                        "/matters/ledger/"))
        pending = visible.filter(status=Status.PENDING, responsible_leader=person).count()
        if pending:
            figures.append(Figure("待我审批销号", pending, "/matters/?status=pending&mine=leader", alert=True))
    if holds_everywhere(user, "matter.change"):  # who generates the 督办单 is told when nothing generates it
        figures += jobs.stale_figure("/matters/supervision/")
    return figures
