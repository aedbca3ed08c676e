"""Two filings made at the same moment — the 党组书记's, naming the deputy who presides, and that deputy's own for
the same days — never both pass: the service checks them one after the other under the agency's row lock. Runs on
both databases (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write transaction is taken at BEGIN)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangjian.filings import services
from dangjian.filings.models import Absence, AbsenceStatus
from dangjian.orgs.models import Person, PositionTitle
from dangjian.orgs.services import current_positions

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def test_concurrent_overlapping_filings_never_both_pass(tx_demo):
    from dangjian.accounts.models import User

    principal = User.objects.get(username="shuji").person
    deputy = User.objects.get(username="banzi").person
    other = (Person.objects.filter(pk__in=current_positions([PositionTitle.LEADER]).values("person_id"))
             .exclude(pk=deputy.pk).order_by("pk").first())
    outcomes: list[list[str]] = []
    for n in range(ROUNDS):
        start = dt.date(2027, 3, 1) + dt.timedelta(days=10 * n)
        barrier, results = threading.Barrier(2), []

        def attempt(person, acting, start=start, barrier=barrier, results=results):
            try:
                barrier.wait()
                services.do_file_absence(Absence(person=person, destination="外地", leaves_on=start,
                                                 returns_on=start + dt.timedelta(days=2), reason="出差",
                                                 acting=acting), actor=person.user)
                results.append("filed")
            except ValidationError as exc:
                results.append("refused" if "不得同时外出" in str(exc) or "不能在此期间主持工作" in str(exc)
                               else f"other: {exc}")
            except BaseException as exc:  # noqa: BLE001 - reported below
                results.append(f"error: {exc!r}")
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(principal, deputy)),
                   threading.Thread(target=attempt, args=(deputy, other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        outcomes.append(sorted(results))
    assert outcomes == [["filed", "refused"]] * ROUNDS, outcomes
    away = Absence.objects.filter(person__in=[principal, deputy], status=AbsenceStatus.PENDING,
                                  leaves_on__gte=dt.date(2027, 3, 1))
    assert away.count() == ROUNDS
