import pytest

from dangjian.core import crypto


def test_it_round_trips_and_randomises():
    a, b = crypto.encrypt("110101194912310029"), crypto.encrypt("110101194912310029")
    assert a != b and a.startswith("sm4gcm$")
    assert crypto.decrypt(a) == "110101194912310029"


def test_a_flipped_byte_fails_loudly():
    import base64

    value = crypto.encrypt("13812345678")
    prefix, key_id, payload = value.split("$")
    raw = bytearray(base64.b64decode(payload))
    raw[14] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}${key_id}${base64.b64encode(bytes(raw)).decode()}")


def test_blind_index_is_keyed_and_normalised():
    assert crypto.blind_index("11010519491231002x") == crypto.blind_index("11010519491231002X")
    assert len(crypto.blind_index("1")) == 64


@pytest.mark.django_db
def test_personal_data_is_ciphertext_in_the_database_and_found_by_blind_index(demo):
    from django.db import connection

    from dangjian.accounts.models import User
    from dangjian.orgs.models import Person

    person = Person.objects.get(user__username="dangyuan")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM orgs_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
        cursor.execute("SELECT phone FROM accounts_user WHERE username = 'dangyuan'")
        (raw_user_phone,) = cursor.fetchone()
    for raw, clear in ((raw_id, person.id_number), (raw_phone, person.phone), (raw_user_phone, person.phone)):
        assert raw.startswith("sm4gcm$") and clear not in raw
    assert Person.objects.get(id_number_index=crypto.blind_index(person.id_number)) == person
    assert User.objects.get(phone_index=crypto.blind_index(person.phone)).username == "dangyuan"
    with pytest.raises(TypeError):
        Person.objects.filter(id_number=person.id_number).exists()
