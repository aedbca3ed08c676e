"""PostgreSQL only: org_path of people in the "C" collation, with an index on (org_path, id).

Paths are 0-9A-Z, so the order is the same as before; in "C" a b-tree index serves both a path
prefix (LIKE 'X%' as a range) and ORDER BY org_path, id — a roster page of any city is then read
straight from the index range (see orgs/paging.py), and counted from the index alone (INCLUDE). Django's model state does not carry the
collation: a later AlterField of Person.org_path must keep COLLATE "C" on PostgreSQL.
"""

from django.db import migrations

from dangjian.core.migration_sql import on_vendor

FORWARDS = [
    'ALTER TABLE orgs_person ALTER COLUMN org_path TYPE varchar(255) COLLATE "C"',
    "CREATE INDEX orgs_person_org_path_id_c ON orgs_person (org_path, id) INCLUDE (party_status, is_active)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS orgs_person_org_path_id_c",
    'ALTER TABLE orgs_person ALTER COLUMN org_path TYPE varchar(255) COLLATE "default"',
]


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_person_path_prefix_indexes")]
    operations = [on_vendor("postgresql", FORWARDS, BACKWARDS)]
