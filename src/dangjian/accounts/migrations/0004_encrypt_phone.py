"""Account phones stored SM4-GCM encrypted; log-in by phone looks up the keyed SM3 blind index."""

from django.db import migrations, models

import dangjian.core.fields


def encrypt_existing(apps, schema_editor):
    from dangjian.core.crypto import blind_index

    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(phone__isnull=True).iterator(chunk_size=2000):
        User.objects.filter(pk=user.pk).update(phone=user.phone, phone_index=blind_index(user.phone) or None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_notify_by_email")]

    operations = [
        migrations.AddField("user", "phone_index", models.CharField(
            blank=True, editable=False, max_length=64, null=True, verbose_name="手机号索引")),
        migrations.AlterField("user", "phone", dangjian.core.fields.EncryptedTextField(
            blank=True, null=True, verbose_name="手机号")),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.AlterField("user", "phone_index", models.CharField(
            blank=True, editable=False, max_length=64, null=True, unique=True, verbose_name="手机号索引")),
    ]
