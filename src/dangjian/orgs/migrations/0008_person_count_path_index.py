"""PostgreSQL only: people's branch_path in the "C" collation, as org_path is (0004), and an index on their count
path (their branch's, else their unit's: orgs.figures.COUNT_PATH) and id.

The member figures count and list people by their count path. As an OR of the two path columns, a city's list
ordered by path walked the index from the first city on (0.8 s); as one expression in "C", ``LIKE 'X%'`` is a
range of this index, read in the list's order. Django's model state does not carry the collation: a later
AlterField of Person.branch_path must keep COLLATE "C" on PostgreSQL.
"""

from django.db import migrations

from dangjian.core.migration_sql import on_vendor

FORWARDS = [
    'ALTER TABLE orgs_person ALTER COLUMN branch_path TYPE varchar(255) COLLATE "C"',
    "CREATE INDEX orgs_person_count_path ON orgs_person "
    "((CASE WHEN branch_path = '' THEN org_path ELSE branch_path END), id)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS orgs_person_count_path",
    'ALTER TABLE orgs_person ALTER COLUMN branch_path TYPE varchar(255) COLLATE "default"',
]


class Migration(migrations.Migration):
    dependencies = [("orgs", "0007_person_roster_count_index_sqlite")]
    operations = [on_vendor("postgresql", FORWARDS, BACKWARDS)]
