"""监督 in the home page's to-do list (core.todos): the talks whose follow-up (回访) the user, as talker, owes, and
the petitions waiting for the user's triage (分类受理)."""

from django.db.models import Count, Min
from django.utils import timezone

from dangjian.core.scope import has_capability
from dangjian.core.todos import Todo

from .models import Talk
from .petition_models import Petition, PetitionStatus


def my_todos(user, today, until) -> list[Todo]:
    due = (Talk.objects.visible_to(user, "change").filter(talker__user=user, follow_up_on__lte=until,
                                                          followed_up_on__isnull=True).order_by("follow_up_on", "pk"))
    return [Todo(t.follow_up_on, f"谈话回访：{t.subject}（{t.get_kind_display()}）", f"/supervision/talks/{t.pk}/")
            for t in due.select_related("subject")]


def petition_todos(user, today, until) -> list[Todo]:
    """One line for those who triage: how many petitions they may accept wait in 待分类, since the oldest's day."""
    if not has_capability(user, "petition.change"):
        return []
    waiting = (Petition.objects.visible_to(user, "change").filter(status=PetitionStatus.TRIAGE, duplicate_of=None)
               .aggregate(n=Count("pk"), oldest=Min("received_at")))
    if not waiting["n"]:
        return []
    day = min(timezone.localtime(waiting["oldest"]).date(), today)
    return [Todo(day, f"群众诉求待分类受理：{waiting['n']} 件", "/supervision/petitions/?status=triage")]
