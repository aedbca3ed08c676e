"""Model fields for personal data stored encrypted (SM4-GCM, see core.crypto)."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and SM4-GCM ciphertext in the database.

    Exact look-ups are impossible on the ciphertext (a fresh nonce each time): pair the field
    with a blind-index column (``crypto.blind_index``) and query that instead.
    """

    encrypted = True  # how core.crypto, below this module, recognises the field

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if crypto.is_ciphertext(value) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise TypeError(f"加密字段 {self.name} 不能按内容查询，请使用盲索引字段")
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """Every (model, field) stored encrypted — for key rotation."""
    from django.apps import apps

    return [(m, f) for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, EncryptedTextField)]
