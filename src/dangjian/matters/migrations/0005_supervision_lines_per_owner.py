"""The weekly 督办单 stored compactly: one row per sheet, unit and 责任人 holding its lines (JSON), instead of
one row per line. The lines kept so far are moved over, in the same order; the sheets already issued were
notified by the code that issued them."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

BATCH = 2000


def lines_per_owner(apps, schema_editor):
    Item = apps.get_model("matters", "SupervisionItem")
    Lines = apps.get_model("matters", "SupervisionLines")
    Sheet = apps.get_model("matters", "SupervisionSheet")
    Sheet.objects.filter(period="week", notified_at=None).update(notified_at=F("issued_at"))
    rows, current, key = [], None, None
    items = (Item.objects.order_by("sheet_id", "org_id", "owner_id", "due_on", "matter_id")
             .values_list("sheet_id", "org_id", "org_path", "owner_id", "matter_id", "leader_id", "status", "due_on",
                          "overdue", "handoff_late", "created_at"))
    for sheet_id, org_id, org_path, owner_id, matter_id, leader_id, status, due_on, overdue, late, created in \
            items.iterator(chunk_size=BATCH):
        if (sheet_id, org_id, owner_id) != key:
            key = (sheet_id, org_id, owner_id)
            current = Lines(sheet_id=sheet_id, org_id=org_id, org_path=org_path, owner_id=owner_id, lines=[],
                            leaders=",", created_at=created)
            rows.append(current)
        current.lines.append([matter_id, leader_id, status, due_on.isoformat() if due_on else None, int(late)])
        current.count += 1
        current.overdue += int(overdue)
        current.handoff_late += int(late)
        if leader_id and f",{leader_id}," not in current.leaders:
            current.leaders += f"{leader_id},"
        if len(rows) > BATCH:
            Lines.objects.bulk_create(rows[:-1])
            rows = rows[-1:]
    Lines.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0004_title_trigram'),
        ('orgs', '0006_encrypt_personal_data'),
    ]

    operations = [
        migrations.AddField(
            model_name='supervisionsheet',
            name='archive_file',
            field=models.CharField(blank=True, max_length=200, verbose_name='明细归档文件'),
        ),
        migrations.AddField(
            model_name='supervisionsheet',
            name='notified_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='通知时间'),
        ),
        migrations.CreateModel(
            name='SupervisionLines',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('org_path', models.CharField(editable=False, max_length=255, verbose_name='组织路径')),
                ('count', models.PositiveIntegerField(default=0, verbose_name='在办事项')),
                ('overdue', models.PositiveIntegerField(default=0, verbose_name='已超期')),
                ('handoff_late', models.PositiveIntegerField(default=0, verbose_name='交办超时')),
                ('leaders', models.TextField(blank=True, default='', verbose_name='责任领导')),
                ('lines', models.JSONField(default=list, verbose_name='事项及状态')),
                ('org', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org', verbose_name='所属组织')),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='orgs.person', verbose_name='责任人')),
                ('sheet', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='matters.supervisionsheet', verbose_name='督办单')),
            ],
            options={
                'verbose_name': '督办单事项（按责任人）',
                'verbose_name_plural': '督办单事项（按责任人）',
                'ordering': ['sheet', 'owner'],
            },
        ),
        migrations.RunPython(lines_per_owner, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(
            name='SupervisionItem',
        ),
        migrations.AddIndex(
            model_name='supervisionlines',
            index=models.Index(fields=['sheet', 'org_path'], name='supervision_lines_sheet_scope', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
    ]
