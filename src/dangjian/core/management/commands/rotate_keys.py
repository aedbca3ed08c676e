from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.core import audit, crypto
from dangjian.core.fields import encrypted_fields


class Command(BaseCommand):
    help = "轮换个人信息加密密钥：生成新的 SM4 数据密钥，并用它重新加密所有加密字段"

    def add_arguments(self, parser):
        parser.add_argument("--reencrypt-only", action="store_true", help="不生成新密钥，只把旧密钥加密的数据改用现行密钥")

    def handle(self, *args, **options):
        if not options["reencrypt_only"]:
            key_id = crypto.add_data_key()
            self.stdout.write(f"已生成新数据密钥 {key_id}")
        current = crypto.keyring()["current"]
        total = 0
        for model, field in encrypted_fields():
            column = field.attname
            # Read the raw ciphertext (values() still decrypts via from_db_value, so re-read raw ids first).
            pks = model._base_manager.exclude(**{f"{column}__isnull": True}).values_list("pk", flat=True)
            for start in range(0, len(pks := list(pks)), 1000):
                with transaction.atomic():
                    for obj in model._base_manager.select_for_update().filter(pk__in=pks[start:start + 1000]):
                        value = getattr(obj, column)
                        if value:
                            model._base_manager.filter(pk=obj.pk).update(**{column: crypto.encrypt(value)})
                            total += 1
        audit.record("crypto.rotate_keys", message=f"数据密钥轮换为 {current}，重新加密 {total} 个字段值")
        self.stdout.write(f"已用密钥 {current} 重新加密 {total} 个字段值")
