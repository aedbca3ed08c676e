"""The second factor moves onto django-otp: the TOTP device becomes a django-otp Device (secret,
confirmation and last step kept as they are: django-otp counts steps as time // 30 too), and the
unused recovery codes move to otp_static tokens, which hold the start of the code's SHA-256, so
that they are carried over and still never stored in clear."""

from django.db import migrations, models


def forward(apps, schema_editor):
    TotpDevice = apps.get_model("accounts", "TotpDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    TotpDevice.objects.filter(confirmed_at__isnull=True).update(confirmed=False)
    unused = RecoveryCode.objects.filter(used_at__isnull=True)
    for user_id in unused.values_list("user_id", flat=True).distinct():
        device = StaticDevice.objects.create(user_id=user_id, name="恢复码")
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code_hash[:16])
                                        for code_hash in unused.filter(user_id=user_id).values_list("code_hash", flat=True))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_api_token_expiry"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="totpdevice",
            name="name",
            field=models.CharField(default="动态口令", help_text="The human-readable name of this device.",
                                   max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="totpdevice",
            name="confirmed",
            field=models.BooleanField(default=True, help_text="Is this device ready for use?"),
        ),
        # going back leaves the tokens in otp_static, where the old code does not look
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="RecoveryCode"),
    ]
