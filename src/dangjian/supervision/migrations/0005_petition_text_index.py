"""The petitions' text index for duplicate detection (supervision.duplicates), in the database itself.

PostgreSQL: pg_trgm's GIN index on ``subject || ' ' || content`` (the expression the candidate query uses).
SQLite: an FTS5 table with the trigram tokenizer over the same two columns (external content: the text is stored
once, in the petitions table), kept in sync by triggers, and filled from the rows already there.
"""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS petition_text_trgm ON supervision_petition "
    "USING gin ((subject || ' ' || content) gin_trgm_ops)",
]
POSTGRES_BACK = ["DROP INDEX IF EXISTS petition_text_trgm"]

SQLITE = [
    "CREATE VIRTUAL TABLE supervision_petition_fts USING fts5(subject, content, content='supervision_petition', "
    "content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER supervision_petition_fts_insert AFTER INSERT ON supervision_petition BEGIN
         INSERT INTO supervision_petition_fts(rowid, subject, content) VALUES (new.id, new.subject, new.content);
       END""",
    """CREATE TRIGGER supervision_petition_fts_delete AFTER DELETE ON supervision_petition BEGIN
         INSERT INTO supervision_petition_fts(supervision_petition_fts, rowid, subject, content)
         VALUES ('delete', old.id, old.subject, old.content);
       END""",
    """CREATE TRIGGER supervision_petition_fts_update AFTER UPDATE OF subject, content ON supervision_petition BEGIN
         INSERT INTO supervision_petition_fts(supervision_petition_fts, rowid, subject, content)
         VALUES ('delete', old.id, old.subject, old.content);
         INSERT INTO supervision_petition_fts(rowid, subject, content) VALUES (new.id, new.subject, new.content);
       END""",
    "INSERT INTO supervision_petition_fts(supervision_petition_fts) VALUES ('rebuild')",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS supervision_petition_fts_insert",
    "DROP TRIGGER IF EXISTS supervision_petition_fts_delete",
    "DROP TRIGGER IF EXISTS supervision_petition_fts_update",
    "DROP TABLE IF EXISTS supervision_petition_fts",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_BACK if vendor == "postgresql" else SQLITE_BACK if vendor == "sqlite" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_category_model")]
    operations = [migrations.RunPython(forwards, backwards)]
