"""Helpers for the 报告报备 tests: the demo agency's 领导班子 by part, and a filing made through the real service."""

import datetime as dt

import pytest

from dangjian.filings import services
from dangjian.filings.models import Absence
from dangjian.orgs.models import Person, PositionTitle
from dangjian.orgs.services import current_positions

# Dates after the demo's filings (which are near the frozen today, 2026-11-30).
JAN = dt.date(2027, 1, 11)  # a Monday


@pytest.fixture
def leaders(demo, frozen_today):
    """principal (shuji), banzi and jijian (role users), and the two deputies without a role account."""
    users = demo["users"]
    named = {"principal": users["shuji"].person, "banzi": users["banzi"].person, "jijian": users["jijian"].person}
    others = (Person.objects.filter(pk__in=current_positions([PositionTitle.LEADER]).values("person_id"))
              .exclude(pk__in=[p.pk for p in named.values()]).order_by("pk"))
    named["d1"], named["d2"] = others[:2]
    return named


def file(person, *, actor=None, start=JAN, days=2, acting=None, where="北京"):
    return services.do_file_absence(Absence(person=person, destination=where, leaves_on=start,
                                            returns_on=start + dt.timedelta(days=days), reason="开会", acting=acting),
                                    actor=actor or person.user)
