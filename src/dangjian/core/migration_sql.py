"""Raw SQL in migrations for one database engine only (PostgreSQL's collations and covering indexes, SQLite's
indexes for what PostgreSQL gets otherwise)."""

from django.db import migrations


def on_vendor(vendor: str, forwards: list[str], backwards: list[str]) -> migrations.RunPython:
    """An operation running ``forwards`` (``backwards`` when unapplied) on a ``vendor`` database, nothing elsewhere."""
    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == vendor:
                for sql in statements:
                    schema_editor.execute(sql)
        return apply
    return migrations.RunPython(run(forwards), run(backwards))
