"""A copy of the test database as the demo left it, put back after a transactional test's flush.

Building the demo takes seconds; copying its rows back takes a fraction of one. The copy lives beside
the test database: in a schema ``snapshot`` on PostgreSQL, in an attached file ``<test db>.snapshot``
on SQLite. Every model table is copied (content types and permissions too, which the flush's
post-migrate handlers re-create with other ids), so the restored database is the one the demo built,
id for id.
"""

from __future__ import annotations

from django.db import connection, transaction

SCHEMA = "snapshot"
_tables: list[str] = []  # the tables that had rows when the snapshot was taken


def _attach() -> None:
    """SQLite: attach the snapshot file to this connection (once; ATTACH cannot run in a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        if SCHEMA not in {row[1] for row in cursor.fetchall()}:
            cursor.execute(f"ATTACH DATABASE %s AS {SCHEMA}", [connection.settings_dict["NAME"] + ".snapshot"])


def take() -> None:
    """Copy every model table, as it is now, into the snapshot."""
    qn = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    if connection.vendor == "sqlite":
        _attach()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        _tables.clear()
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{qn(table)}")
            cursor.execute(f"CREATE TABLE {SCHEMA}.{qn(table)} AS SELECT * FROM {qn(table)}")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {SCHEMA}.{qn(table)})")
            if cursor.fetchone()[0]:
                _tables.append(table)
    assert _tables, "the snapshot was taken of an empty database"


def restore() -> None:
    """Empty every model table and put the snapshot's rows back, in one transaction.

    The audit table's append-only triggers must be off (tests/conftest.py ``audit_triggers``), as they
    are for the flush that precedes this.
    """
    qn = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    if connection.vendor == "sqlite":
        _attach()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {qn(table)}")  # foreign keys are deferred to the commit
        for table in _tables:
            cursor.execute(f"INSERT INTO {qn(table)} SELECT * FROM {SCHEMA}.{qn(table)}")
