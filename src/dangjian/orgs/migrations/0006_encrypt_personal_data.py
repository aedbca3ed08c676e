"""ID numbers and phones stored SM4-GCM encrypted, with keyed SM3 blind indexes for look-ups."""

from django.db import migrations, models

import dangjian.core.fields


def encrypt_existing(apps, schema_editor):
    from dangjian.core.crypto import blind_index

    Person = apps.get_model("orgs", "Person")
    for person in Person.objects.all().iterator(chunk_size=2000):
        # reading passes plaintext through; writing through the field encrypts it
        Person.objects.filter(pk=person.pk).update(
            id_number=person.id_number, phone=person.phone,
            id_number_index=blind_index(person.id_number), phone_index=blind_index(person.phone))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_person_split_branch_index")]

    operations = [
        migrations.AddField("person", "id_number_index", models.CharField(
            default="", editable=False, max_length=64, verbose_name="身份证号索引")),
        migrations.AddField("person", "phone_index", models.CharField(
            blank=True, db_index=True, default="", editable=False, max_length=64, verbose_name="手机号索引")),
        migrations.AlterField("person", "id_number", dangjian.core.fields.EncryptedTextField(verbose_name="居民身份证号")),
        migrations.AlterField("person", "phone", dangjian.core.fields.EncryptedTextField(blank=True, verbose_name="手机号")),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.AlterField("person", "id_number_index", models.CharField(
            editable=False, max_length=64, unique=True, verbose_name="身份证号索引")),
        migrations.AlterField("person", "phone_index", models.CharField(
            blank=True, db_index=True, editable=False, max_length=64, verbose_name="手机号索引")),
    ]
