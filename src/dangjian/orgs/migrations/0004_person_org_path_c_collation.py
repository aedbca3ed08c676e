"""PostgreSQL only: org_path of people in the "C" collation, with an index on (org_path, id).

Paths are 0-9A-Z, so the order is the same as before; in "C" a b-tree index serves both a path
prefix (LIKE 'X%' as a range) and ORDER BY org_path, id — a roster page of any city is then read
straight from the index range (see orgs/paging.py), and counted from the index alone (INCLUDE). Django's model state does not carry the
collation: a later AlterField of Person.org_path must keep COLLATE "C" on PostgreSQL.
"""

from django.db import migrations

FORWARDS = [
    'ALTER TABLE orgs_person ALTER COLUMN org_path TYPE varchar(255) COLLATE "C"',
    "CREATE INDEX orgs_person_org_path_id_c ON orgs_person (org_path, id) INCLUDE (party_status, is_active)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS orgs_person_org_path_id_c",
    'ALTER TABLE orgs_person ALTER COLUMN org_path TYPE varchar(255) COLLATE "default"',
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_person_path_prefix_indexes")]
    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
