"""The home-page panel of 责任体系: this year's letters and tasks in the user's scope."""

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.panels import Figure
from dangjian.core.scope import has_capability

from .models import LetterTask, ResponsibilityLetter, TaskStatus


def panel(user) -> list[Figure]:
    if not has_capability(user, "duty.view") and not LetterTask.objects.visible_to(user).exists():
        return []
    year = timezone.localdate().year
    letters = ResponsibilityLetter.objects.visible_to(user).filter(year=year).aggregate(
        n=Count("id"), signed=Count("id", filter=Q(signed_on__isnull=False)))
    tasks = LetterTask.objects.visible_to(user).filter(letter__year=year)
    overdue = tasks.overdue().count()
    link = f"/duties/letters/?year={year}"
    return [
        Figure(f"{year}年责任状", letters["n"], link),
        Figure("已签订", letters["signed"], link),
        Figure("任务", tasks.count(), link),
        Figure("已完成", tasks.filter(status=TaskStatus.DONE).count(), link),
        Figure("逾期任务", overdue, link + "&state=overdue", alert=bool(overdue)),
    ]
