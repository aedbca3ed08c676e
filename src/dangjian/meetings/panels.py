"""The 会议学习 panels of the home page: figures of the registry (meetings/figures.py)."""

from dangjian.core.figures import figure_url
from dangjian.core.panels import Notice, Panel
from dangjian.core.scope import has_capability

from .figures import MINE_KEYS


def gaps_notice(user):
    """三会一课缺项 is read over every branch of the scope: the home page links to it rather than computing it
    on every visit."""
    if not has_capability(user, "meeting.view"):
        return []
    return [Notice("三会一课缺项", "查看", figure_url("meetings.three_one.gaps"), alert=False)]


MINE = Panel("我的会议学习", MINE_KEYS, alerts=frozenset({"meetings.mine.makeups"}))
SCOPE = Panel("会议学习", ("meetings.held", "meetings.decisions.pending"),
              alerts=frozenset({"meetings.decisions.pending"}), notices=gaps_notice)
