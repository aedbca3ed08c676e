"""Several server processes change the same few people at once — roster imports, moves and edits on the
pages, status changes through the service, restores of old versions — and afterwards the member counters
equal a fresh count, every operation either succeeded or was refused as a clean conflict, every person's
stored paths are their unit's and branch's, and the audit chain verifies. Runs on both databases."""

from __future__ import annotations

import io
import multiprocessing
import random
import traceback

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connections

from dangjian.accounts.models import User
from dangjian.core import audit, audit_chain
from dangjian.core.db import in_transaction
from dangjian.core.documents import write_xlsx
from dangjian.orgs import roster, services
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person

from ..conftest import signed_in
from .helpers import edit_data

pytestmark = pytest.mark.django_db(transaction=True)

PROCESSES = 5
ROUNDS = 8
TRIES = 3  # attempts of an operation refused as a conflict
PEOPLE = 5
CONFLICT = "已被他人修改"
STATUS_LABELS = dict(PartyStatus.choices)


def _page_outcome(response) -> str:
    """ok, conflict, or what else happened (a status, a refusal that is not a conflict)."""
    body = response.content.decode() if response.status_code == 200 else ""
    if response.status_code == 200 and CONFLICT in body:
        return "conflict"
    if response.status_code != 302:
        return f"HTTP {response.status_code}: {body[:300]}"
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if not errors:
        return "ok"
    return "conflict" if all(CONFLICT in e for e in errors) else f"refused: {errors}"


def _move(client, rnd, plan, pk):
    person = Person.objects.get(pk=pk)
    return _page_outcome(client.post(f"/people/{pk}/edit/", edit_data(
        person, org=rnd.choice(plan["units"]), branch=rnd.choice(plan["branches"]))))


def _page_edit(client, rnd, plan, pk):
    person = Person.objects.get(pk=pk)
    return _page_outcome(client.post(f"/people/{pk}/edit/", edit_data(person, job_title=f"职务{rnd.randrange(1000)}")))


def _restore(client, rnd, plan, pk):
    person = Person.objects.get(pk=pk)
    event = rnd.choice([e for e in audit.history(person) if e.after])
    return _page_outcome(client.post(f"/history/orgs.person/{pk}/restore/{event.pk}/"))


def _status(client, rnd, plan, pk):
    """The service a status change goes through, with the page's transaction entry."""
    person = Person.objects.select_related("org", "branch").get(pk=pk)
    person.party_status = rnd.choice([PartyStatus.FULL, PartyStatus.PROBATIONARY])
    try:
        in_transaction(lambda: services.do_update_person(person, actor=plan["actor"], expected_version=person.version),
                       records=[person])
    except ValidationError as exc:
        return "conflict" if CONFLICT in str(exc) else f"refused: {exc.messages}"
    return "ok"


def _import(client, rnd, plan, pk):
    rows = []
    for other in rnd.sample(plan["people"], 3):
        person = Person.objects.get(pk=other)
        status = rnd.choice([PartyStatus.FULL, PartyStatus.PROBATIONARY])
        rows.append([person.name, "", None, plan["id_numbers"][other], "", "", f"导入{rnd.randrange(1000)}",
                     rnd.choice(plan["unit_codes"]), rnd.choice(plan["branch_codes"]), STATUS_LABELS[status],
                     person.joined_party_on, person.full_member_on])
    upload = io.BytesIO(write_xlsx("花名册", roster.COLUMNS, rows))
    upload.name = "花名册.xlsx"
    return _page_outcome(client.post("/people/import/", {"file": upload}))


OPERATIONS = [_import, _move, _status, _restore, _page_edit]


def _worker(index: int, plan: dict, start, results) -> None:
    """One server process: its own connections, a signed-in client, ROUNDS operations on the shared people."""
    outcomes = []
    try:
        plan["actor"] = User.objects.get(pk=plan["actor_id"])
        client = signed_in(plan["actor"], raise_request_exception=False)
        rnd = random.Random(index)
        start.wait(timeout=60)
        for n in range(ROUNDS):
            operation = OPERATIONS[(index + n) % len(OPERATIONS)]
            for _ in range(TRIES):  # as a user told of a conflict does: look again and redo it
                try:
                    outcomes.append((operation.__name__, operation(client, rnd, plan, rnd.choice(plan["people"]))))
                except Exception:  # noqa: BLE001 - an operation that raised is an outcome to report
                    outcomes.append((operation.__name__, traceback.format_exc(limit=4)))
                if outcomes[-1][1] != "conflict":
                    break
    except BaseException:  # noqa: BLE001 - reported to the test
        outcomes.append(("worker", traceback.format_exc(limit=4)))
    finally:
        connections.close_all()
        results.put((index, outcomes))


def _plan() -> dict:
    """The people everyone works on, the places they are moved between, and a few old versions of each."""
    actor = User.objects.get(username="dangwu")
    units = list(Org.objects.filter(kind=OrgKind.SECTION).order_by("path")[:2])
    branches = list(Org.objects.filter(kind=OrgKind.BRANCH).order_by("path")[:2])
    people = list(Person.objects.filter(party_status=PartyStatus.FULL, is_active=True, branch__isnull=False,
                                        joined_party_on__isnull=False).order_by("pk")[:PEOPLE])
    assert len(people) == PEOPLE and len(units) == len(branches) == 2
    for person in people:  # an older version in each place, for the restores
        for unit, branch in zip(units, branches, strict=True):
            person = Person.objects.get(pk=person.pk)
            person.org, person.branch = unit, branch
            services.do_update_person(person, actor=actor, expected_version=person.version)
    # The first request of a process loads every page module and template: done once here, before the fork.
    warm = signed_in(actor)
    for url in (f"/people/{people[0].pk}/edit/", "/people/import/", f"/history/orgs.person/{people[0].pk}/"):
        assert warm.get(url).status_code == 200
    return {"actor_id": actor.pk, "people": [p.pk for p in people], "id_numbers": {p.pk: p.id_number for p in people},
            "units": [u.pk for u in units], "branches": [b.pk for b in branches],
            "unit_codes": [u.code for u in units], "branch_codes": [b.code for b in branches]}


def test_concurrent_imports_moves_restores_and_edits_keep_every_figure_true(tx_demo):
    plan = _plan()
    connections.close_all()  # each forked process opens its own
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_worker, args=(i, plan, start, results)) for i in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=30)

    done = [(op, what) for i in sorted(outcomes) for op, what in outcomes[i]]
    failed = [(op, what) for op, what in done if what not in ("ok", "conflict")]
    assert not failed, failed
    assert len(done) >= PROCESSES * ROUNDS
    succeeded = {op for op, what in done if what == "ok"}
    assert succeeded == {op.__name__ for op in OPERATIONS}, done  # each kind of change did happen

    assert services.count_differences() == []
    for person in Person.objects.filter(pk__in=plan["people"]).select_related("org", "branch"):
        assert (person.org_path, person.branch_path) == (person.org.path, person.branch.path)
    verdict = audit_chain.verify()
    assert verdict.ok, verdict.describe()
