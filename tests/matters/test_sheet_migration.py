"""The migration that stores the weekly 督办单 compactly (matters 0005) keeps every line that was kept.

Run for real on a database of its own (a new SQLite file in a child process, so the suite's own test
database is not migrated backwards): migrate to 0004, write sheets and lines in the old layout through the
historical models, migrate forward, and read the rows the new code reads."""

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import datetime as dt, json
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "matters", "0004_title_trigram", verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(("matters", "0004_title_trigram")).apps
    Sheet, Item = old.get_model("matters", "SupervisionSheet"), old.get_model("matters", "SupervisionItem")
    week = Sheet.objects.create(period="week", start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 30))
    month = Sheet.objects.create(period="month", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    # the lines' references carry no database constraint: ids stand for the org, people and matters
    lines = [  # (org, owner, matter, leader, status, due_on, overdue, handoff_late)
        (7, 31, 501, 12, "in_progress", dt.date(2026, 12, 4), False, False),
        (7, 31, 502, 13, "registered", dt.date(2026, 11, 20), True, True),
        (7, 31, 503, 12, "submitted", None, False, False),
        (7, 32, 504, None, "in_progress", dt.date(2026, 12, 1), False, False),
        (8, 31, 505, 12, "in_progress", dt.date(2026, 12, 9), False, False),
    ]
    for org, owner, matter, leader, status, due_on, overdue, late in lines:
        Item.objects.create(sheet=week, org_id=org, org_path=f"0001{org:04d}", owner_id=owner, matter_id=matter,
                            leader_id=leader, status=status, due_on=due_on, overdue=overdue, handoff_late=late)
    call_command("migrate", verbosity=0)

    from dangjian.matters.models import SupervisionLines, SupervisionSheet
    rows = SupervisionLines.objects.order_by("org_id", "owner_id")
    print(json.dumps({
        "rows": [[r.sheet_id == week.pk, r.org_id, r.org_path, r.owner_id, r.count, r.overdue, r.handoff_late,
                  sorted(int(x) for x in r.leaders.split(",") if x), sorted(r.lines)] for r in rows],
        "notified": {s.period: s.notified_at is not None for s in SupervisionSheet.objects.all()},
        "old_table": "matters_supervisionitem" in connection.introspection.table_names(),
    }))
""")


def test_the_compact_sheet_migration_keeps_every_line(tmp_path):
    env = {"DANGJIAN_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path),
           "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == [
        # one row per sheet, unit and 责任人 with its lines (the pages sort them), each leader listed once
        [True, 7, "00010007", 31, 3, 1, 1, [12, 13], [[501, 12, "in_progress", "2026-12-04", 0],
                                                      [502, 13, "registered", "2026-11-20", 1],
                                                      [503, 12, "submitted", None, 0]]],
        [True, 7, "00010007", 32, 1, 0, 0, [], [[504, None, "in_progress", "2026-12-01", 0]]],
        [True, 8, "00010008", 31, 1, 0, 0, [12], [[505, 12, "in_progress", "2026-12-09", 0]]],
    ]
    # the weekly sheets already issued count as notified (their notifications went out when issued)
    assert result["notified"] == {"week": True, "month": False}
    assert not result["old_table"]
