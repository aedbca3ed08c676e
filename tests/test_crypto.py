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
