"""Demo records of 群众监督 for the 市XX agency: a year of petitions from every channel (appended to
orgs.demo.DEMO_BUILDERS by supervision.demo)."""

from __future__ import annotations

import datetime as dt

from dangjian.core import audit
from dangjian.matters import services as matter_services
from dangjian.matters.models import Matter

from .petition_models import Petition, PetitionStatus
from .rule_settings import PETITION


def accept(petition: Petition, *, actor, owner, leader, on: dt.date) -> Matter:
    """受理: the petition becomes a matter of kind 群众诉求, handed to ``owner`` under ``leader`` on ``on``.

    A stand-in for the accept service of petitions.py (built in parallel), through matters' own services."""
    matter = matter_services.do_create_matter(Matter(
        kind=PETITION.key, title=petition.subject[:200], content=petition.content, org=petition.org,
        source=f"群众监督·{petition.get_channel_display()}", received_on=on), actor=actor)
    matter = matter_services.do_transition(matter, "assign", actor=actor, owner=owner, responsible_leader=leader,
                                           assigned_on=on)
    petition.matter, petition.status = matter, PetitionStatus.ACCEPTED
    audit.save_audited(petition, actor=actor, action="supervision.petition_accept")
    return matter
