"""The 责任体系 panel of the home page: figures of the registry (duties/figures.py)."""

from dangjian.core.panels import Panel

PANEL = Panel("责任体系", ("duties.letters.count", "duties.letters.signed", "duties.tasks.count", "duties.tasks.done",
                       "duties.tasks.overdue", "duties.mine.tasks"),
              alerts=frozenset({"duties.tasks.overdue"}), hide_zero=frozenset({"duties.mine.tasks"}))
