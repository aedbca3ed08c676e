"""The 事项督办 panel of the home page: figures of the registry (matters/figures.py)."""

from dangjian.core import jobs
from dangjian.core.panels import Panel
from dangjian.core.scope import holds_everywhere


def stale_notice(user):
    """Who generates the 督办单 is told when nothing generates it."""
    return jobs.stale_notices("/matters/supervision/") if holds_everywhere(user, "matter.change") else []


PANEL = Panel("事项督办", ("matters.open", "matters.due_soon", "matters.overdue", "matters.mine.open",
                       "matters.mine.pending_approval"),
              alerts=frozenset({"matters.due_soon", "matters.overdue", "matters.mine.pending_approval"}),
              hide_zero=frozenset({"matters.mine.pending_approval"}), notices=stale_notice)
