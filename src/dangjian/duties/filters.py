"""The filter of the 责任状 year page, which the API's letter list applies too: the same values, the
same letters (the page also filters the tasks by it, and shows this year when none is given)."""

from __future__ import annotations

from dangjian.orgs.models import Person

from .forms import LetterFilterForm
from .models import Duty, DutyKind


def leaders_for(user):
    """The 班子成员 one may filter letters by: those with a leadership or supervision duty the user sees."""
    ids = Duty.objects.visible_to(user).filter(kind__in=[DutyKind.LEADERSHIP, DutyKind.SUPERVISION]).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("name")


class LetterFilter(LetterFilterForm):
    def __init__(self, data=None, *, user):
        super().__init__(data, user=user, leaders=leaders_for(user))

    def _values(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def year(self, default=None):
        return self._values().get("year") or default

    def letters(self, letters, default_year=None):
        """Letters of the year, to the leader (or to a section the leader leads), within the section."""
        d = self._values()
        if d.get("leader"):
            letters = letters.filter(counterpart=d["leader"]) | letters.filter(org_id__in=_led_sections(d["leader"]))
        if d.get("section"):
            letters = letters.filter(org_path__pathprefix=d["section"].path)
        year = self.year(default_year)
        return letters.filter(year=year) if year else letters

    def tasks(self, tasks, default_year=None):
        """The tasks of those letters, in the chosen state."""
        d = self._values()
        if d.get("leader"):
            tasks = (tasks.filter(letter__counterpart=d["leader"])
                     | tasks.filter(letter__org_id__in=_led_sections(d["leader"])))
        if d.get("section"):
            tasks = tasks.filter(org_path__pathprefix=d["section"].path)
        if d.get("state") == "overdue":
            tasks = tasks.overdue()
        elif d.get("state"):
            tasks = tasks.filter(status=d["state"])
        year = self.year(default_year)
        return tasks.filter(letter__year=year) if year else tasks

    # the API applies the filter through api.filters.apply_filter
    filter = letters


def _led_sections(leader):
    return Duty.objects.filter(person=leader, kind=DutyKind.LEADERSHIP).values("org_id")
