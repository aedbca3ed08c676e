"""Actions on matters (do_*): scope re-checked, rows locked, one transaction, audited, a timeline event each.

A status is changed only by :func:`do_transition`, which applies the one table in workflow.py. The actions
live by sub-domain — registration (登记与修改), transitions (流转), records (措施、进展、沟通、节点、满意度),
deadlines (节假日安排后重算) — and are all reachable here as ``services.do_*``.
"""

from dangjian.core.scope import path_in_scope

from ..models import Progress
from .common import allowed_steps, can_manage, is_leader, is_owner, may, person_of
from .deadlines import recompute_deadlines
from .records import (
    do_add_contact,
    do_add_measure,
    do_add_progress,
    do_complete_measure,
    do_complete_milestone,
    do_plan_milestones,
    do_record_satisfaction,
)
from .registration import do_create_matter, do_create_problem_list, do_update_matter
from .transitions import TRANSITION_FIELDS, do_transition

# path_in_scope and Progress were reachable through the old services module, and importers still use them there.
__all__ = [
    "TRANSITION_FIELDS", "Progress", "allowed_steps", "can_manage", "do_add_contact", "do_add_measure",
    "do_add_progress", "do_complete_measure", "do_complete_milestone", "do_create_matter", "do_create_problem_list",
    "do_plan_milestones", "do_record_satisfaction", "do_transition", "do_update_matter", "is_leader", "is_owner",
    "may", "path_in_scope", "person_of", "recompute_deadlines",
]
