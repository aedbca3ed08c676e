"""The 监督 panel of the home page (core.panels.HOME_PANELS), for the readers of supervision records only."""

from dangjian.core.panels import Figure
from dangjian.matters.states import OPEN_STATUSES

from . import services
from .models import Finding, Talk


def home_panel(user) -> list[Figure]:
    """Talks whose follow-up is still to be done, and findings whose matter is not yet closed (备案销号)."""
    if not services.is_reader(user):
        return []
    follow_ups = Talk.objects.visible_to(user).filter(follow_up_on__isnull=False, followed_up_on__isnull=True).count()
    open_findings = Finding.objects.visible_to(user).filter(matter__status__in=OPEN_STATUSES).count()
    return [Figure("待回访的谈话", follow_ups, "/supervision/talks/", alert=bool(follow_ups)),
            Figure("未销号的监督检查问题", open_findings, "/matters/?kind=inspection&open=1")]
