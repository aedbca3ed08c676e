"""Seed the configurable list of meeting kinds (会议类型)."""

from django.db import migrations

KINDS = [
    ("party_group", "党组会议", "group", False),
    ("center_group", "党组理论学习中心组学习", "group", True),
    ("branch_general", "支部党员大会", "party", False),
    ("branch_committee", "支部委员会", "committee", False),
    ("cell", "党小组会", "party", False),
    ("lecture", "党课", "party", True),
    ("theme_day", "主题党日", "party", False),
    ("study_day", "集中学习日", "everyone", True),
    ("special", "专题会议", "everyone", False),
    ("democratic_life", "民主生活会", "group", False),
    ("org_life", "组织生活会", "party", False),
]


def seed(apps, schema_editor):
    MeetingKind = apps.get_model("meetings", "MeetingKind")
    for order, (code, name, audience, is_study) in enumerate(KINDS, start=1):
        MeetingKind.objects.update_or_create(code=code, defaults={
            "name": name, "audience": audience, "is_study": is_study, "order": order})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
