"""Title search (the list's 标题 filter, ``title LIKE '%…%'``) as a trigram index on PostgreSQL.

Without it a search visits every heap page of the scope (a city: ~24,000 pages at 1,000,000 matters);
with it PostgreSQL intersects the trigram and scope bitmaps (pg_trgm handles Chinese text under a UTF-8
ctype). pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. Where it
cannot be created the index is left out and the search is merely slower; SQLite needs nothing.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)
INDEX = "matter_title_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm 扩展无法创建，事项标题检索不使用三元组索引：%s", exc)
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON matters_matter USING gin (title gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("matters", "0003_scope_cover_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
