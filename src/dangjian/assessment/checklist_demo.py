"""Demo records of the 两个责任清单考核 (appended to orgs.demo.DEMO_BUILDERS after the duties demo): last year's
checklists all scored and approved (frozen), this year's in progress — the members' 领导责任 scored by the 党组书记
(one below the pass mark, so the 一级抓一级 chain shows where it fails), none approved yet. Through the services."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.demo import DEMO_BUILDERS
from dangjian.orgs.services import agency_of

from . import checklist
from . import checklist_rules as rules

EVIDENCE = "党组会议记录、责任状考核台账"


def _given(kind: str, deduct: Decimal) -> dict:
    """Full marks but for ``deduct`` points taken off the items in order (each deduction with its evidence)."""
    given = {}
    for item in rules.items_in_force(kind)[1]:
        points = Decimal(item["points"])
        off = min(points, deduct)
        deduct -= off
        given[item["code"]] = (points - off, EVIDENCE if off else "")
    return given


def build(context: dict) -> None:
    staff = User.objects.get(username="dangwu")
    agency = agency_of(context["root"])
    secretary = context["secretary"]
    year = timezone.localdate().year
    for scored_year, approve in ((year - 1, True), (year, False)):
        duties = list(checklist.year_duties(agency, scored_year))
        for n, (person, kind) in enumerate(checklist.scored_leaders(duties)):
            higher = checklist.scorer_of(kind) == checklist.HIGHER
            if not approve and higher:
                continue  # this year's higher-body results come at year end
            deduct = Decimal(3 + 2 * n) if approve else Decimal(8 + 8 * n)
            record = checklist.do_score_checklist(
                agency, person, kind, scored_year, actor=staff if higher else secretary.user,
                given=_given(kind, deduct), scored_body="中共市委、市纪委监委" if higher else "")
            if approve:
                checklist.do_approve_checklist(record, actor=staff)


DEMO_BUILDERS.append(build)
