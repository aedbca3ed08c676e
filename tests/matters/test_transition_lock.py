"""A transition locks its matter's row exactly once, before it reads anything else."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.matters import services
from dangjian.matters.models import Status

pytestmark = pytest.mark.django_db

# Every step of the workflow, by whom and with what (a decline on a second matter).
STEPS = [
    ("assign", "dangwu", {}),
    ("start", "kezhang", {}),
    ("submit", "kezhang", {"completion_statement": "已完成", "evidence": "制度文件1份"}),
    ("return", "banzi", {"reason": "佐证材料不充分"}),
    ("submit", "kezhang", {"evidence": "制度文件及印发通知各1份"}),
    ("close", "banzi", {}),
    ("reopen", "banzi", {"reason": "群众反映仍未解决"}),
]


def _run_every_step(demo, make_matter):
    """(step name, the SQL it ran, the matter's id) for every step of the workflow."""
    users = demo["users"]
    runs = []
    matter = make_matter()
    for name, who, kw in STEPS:
        with CaptureQueriesContext(connection) as sql:
            matter = services.do_transition(matter, name, actor=users[who], **kw)
        runs.append((name, [q["sql"] for q in sql.captured_queries], matter.pk))
    other = services.do_transition(make_matter(), "assign", actor=users["dangwu"])
    with CaptureQueriesContext(connection) as sql:
        services.do_transition(other, "decline", actor=users["kezhang"], reason="不属于本科室职责")
    runs.append(("decline", [q["sql"] for q in sql.captured_queries], other.pk))
    assert matter.status == Status.IN_PROGRESS
    return runs


def test_each_transition_reads_its_matter_row_once_the_locked_read(demo, make_matter):
    """On any database: the row is read by its id only once per transition (audit.save_audited would read and
    lock it a second time), so what is saved is what was locked."""
    for name, statements, pk in _run_every_step(demo, make_matter):
        row_reads = [s for s in statements if s.startswith("SELECT")
                     and re.search(rf'FROM "matters_matter" WHERE "matters_matter"\."id" = {pk}\b', s)]
        assert len(row_reads) == 1, (name, row_reads)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has no SELECT … FOR UPDATE (Django leaves it out); run with DATABASE_URL=postgres://…")
def test_each_transition_takes_exactly_one_matter_lock_and_takes_it_first(demo, make_matter):
    """The only other lock is the audit chain's head, taken by audit.record to append the log entry."""
    for name, statements, _pk in _run_every_step(demo, make_matter):
        work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
        locks = [s for s in work if " FOR UPDATE" in s]
        matter_locks = [s for s in locks if 'FROM "matters_matter" ' in s]
        assert len(matter_locks) == 1, (name, matter_locks)
        assert work[0] == matter_locks[0], (name, work[:2])
        assert all('FROM "core_auditchainhead"' in s for s in locks if s is not matter_locks[0]), (name, locks)
