"""The 会议学习 panels of the home page: figures of the registry (meetings/figures.py)."""

from dangjian.core.panels import Panel

from .figures import MINE_KEYS

MINE = Panel("我的会议学习", MINE_KEYS, alerts=frozenset({"meetings.mine.makeups"}))
# 三会一课缺项 over the user's scope: kept per subtree like every figure (a change reads again only the subtrees
# above it), so the home page shows the number rather than a link to it.
SCOPE = Panel("会议学习", ("meetings.held", "meetings.decisions.pending", "meetings.three_one.gaps"),
              alerts=frozenset({"meetings.decisions.pending", "meetings.three_one.gaps"}))
