"""等保 2.0 三级 身份鉴别 and 访问控制 (issue 安全 items 1–4)."""

import datetime as dt
import re

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from dangjian.accounts.models import TotpDevice, User
from dangjian.accounts.passwords import CommonListValidator, PolicyValidator
from dangjian.core.models import AuditEvent

from .conftest import PASSWORD, TOTP_SECRET, login, signed_in, totp_code

pytestmark = pytest.mark.django_db


def test_argon2_is_the_production_hasher_and_long_passwords_are_not_truncated():
    import dangjian.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    long_password = "长口令-" + "Ab1!" * 15
    assert len(long_password) >= 64
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hashed = Argon2PasswordHasher().encode(long_password, Argon2PasswordHasher().salt())
    assert Argon2PasswordHasher().verify(long_password, hashed)
    assert not Argon2PasswordHasher().verify(long_password[:-1] + "?", hashed)
    PolicyValidator().validate(long_password)


@pytest.mark.parametrize("password, message", [
    ("Ab1!", "至少 8 位"), ("abcdefgh12", "至少 3 类"), ("P@ssw0rd", "过于常见"), ("Woaini1314!", "过于常见"),
])
def test_weak_passwords_are_refused_with_the_reason(password, message):
    with pytest.raises(ValidationError) as exc:
        PolicyValidator().validate(password)
        CommonListValidator().validate(password)
    assert message in exc.value.messages[0]


def test_first_log_in_with_an_issued_password_forces_a_change(demo):
    admin = login("admin")
    response = admin.post("/accounts/users/new/", {"username": "xinren", "full_name": "新人", "phone": "13900001111"})
    issued = response.context["password"]
    client = Client()
    client.post("/accounts/login/", {"username": "13900001111", "password": issued})
    response = client.get("/people/")
    assert response.status_code == 302 and response.url == "/accounts/password/"
    response = client.post("/accounts/password/", {"old_password": issued, "new_password1": "Hongqi-2026-ok",
                                                    "new_password2": "Hongqi-2026-ok"})
    assert response.status_code == 302
    assert client.get("/people/").status_code == 200


def test_an_expired_password_must_be_changed(demo):
    User.objects.filter(username="dangyuan").update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = login("dangyuan")
    assert client.get("/").url == "/accounts/password/"


def test_personal_pages_are_not_cached(demo):
    assert login("dangwu").get("/people/")["Cache-Control"] == "no-store"


def test_an_administrator_enrols_a_second_factor_at_first_log_in(demo):
    TotpDevice.objects.filter(user__username="shenji").delete()
    client = Client()
    response = client.post("/accounts/login/", {"username": "shenji", "password": PASSWORD})
    assert response.url == "/accounts/2fa/"
    assert client.get("/audit/").status_code == 302  # not signed in until the second factor
    page = client.get("/accounts/2fa/")
    secret = page.context["secret"]
    assert "data:image/svg+xml" in page.content.decode()
    response = client.post("/accounts/2fa/", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert "动态口令不正确" in response.content.decode()
    response = client.post("/accounts/2fa/", {"code": pyotp.TOTP(secret).now()})
    codes = response.context["codes"]
    assert len(codes) == 10 and StaticToken.objects.filter(device__user__username="shenji").count() == 10
    assert client.get("/audit/").status_code == 200


def test_a_code_is_accepted_once_and_recovery_codes_once(demo):
    code = totp_code("admin")
    first, second = Client(), Client()
    for client in (first, second):
        client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert first.post("/accounts/2fa/", {"code": code}).status_code == 302
    response = second.post("/accounts/2fa/", {"code": code})
    assert response.status_code == 200 and "已使用" in response.content.decode()
    stale = pyotp.TOTP(TOTP_SECRET).at(timezone.now() - dt.timedelta(minutes=5))
    assert second.post("/accounts/2fa/", {"code": stale}).status_code == 200
    from dangjian.accounts import twofactor

    recovery = twofactor.enroll(User.objects.get(username="admin"), TOTP_SECRET, pyotp.TOTP(TOTP_SECRET).now())
    # enrol consumed the current step, so the recovery code is the way in now
    assert second.post("/accounts/2fa/", {"code": recovery[0]}).status_code == 302
    third = Client()
    third.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert third.post("/accounts/2fa/", {"code": recovery[0]}).status_code == 200


def test_second_factor_secrets_are_not_stored_in_clear_and_a_mistyped_recovery_code_costs_no_wait(demo):
    from django.db import connection

    from dangjian.accounts import twofactor

    admin = User.objects.get(username="admin")
    codes = twofactor.enroll(admin, TOTP_SECRET, pyotp.TOTP(TOTP_SECRET).now())
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [admin.pk])
        assert TOTP_SECRET not in cursor.fetchone()[0]
    assert not StaticToken.objects.filter(token__in=[c.replace("-", "") for c in codes]).exists()
    client = Client()
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert client.post("/accounts/2fa/", {"code": "000000-000000"}).status_code == 200
    assert client.post("/accounts/2fa/", {"code": codes[1].upper()}).status_code == 302
    assert AuditEvent.objects.filter(action="2fa.recovery_code_used", target_repr="admin").count() == 1
    assert StaticToken.objects.filter(device__user=admin).count() == 9


def test_optional_second_factor_for_other_roles(demo):
    client = login("kezhang")
    page = client.get("/accounts/security/")
    secret = page.context["secret"]
    client.post("/accounts/security/", {"code": pyotp.TOTP(secret).now()})
    assert TotpDevice.objects.filter(user__username="kezhang", confirmed_at__isnull=False).exists()
    response = Client().post("/accounts/login/", {"username": "kezhang", "password": PASSWORD})
    assert response.url == "/accounts/2fa/"


class TestSeparatedAdministrators:
    """三员分立: each administrator can do their own work and none of the others'."""

    def test_the_system_administrator_manages_accounts_and_settings_only(self, demo):
        client = login("admin")
        assert client.get("/accounts/users/new/").status_code == 200
        assert client.get("/settings/rules/").status_code == 200
        assert client.get("/audit/").status_code == 403
        target = User.objects.get(username="dangyuan")
        response = client.post(f"/accounts/users/{target.pk}/", {"role": "leader", "org": demo["orgs"]["SXX"].pk,
                                                                  "include_subtree": "on"})
        assert response.status_code == 403
        assert not target.role_assignments.exists()
        assert client.get("/people/").context["page"].paginator.count == 1  # only their own person
        shenji = User.objects.get(username="shenji")
        assert client.post(f"/accounts/users/{shenji.pk}/reset/").status_code == 403

    def test_the_security_administrator_assigns_roles_only(self, demo):
        client = login("anquan")
        target = User.objects.get(username="dangyuan")
        response = client.post(f"/accounts/users/{target.pk}/", {"role": "leader", "org": demo["orgs"]["SXX-BGS"].pk,
                                                                  "include_subtree": "on"})
        assert response.status_code == 302 and target.role_assignments.filter(role="leader").exists()
        me = User.objects.get(username="anquan")
        response = client.post(f"/accounts/users/{me.pk}/", {"role": "audit_admin", "org": demo["orgs"]["SXX"].pk})
        assert response.status_code == 403
        for url in ("/audit/", "/accounts/users/new/", "/settings/rules/meetings.quorum/", "/settings/holidays/"):
            assert client.get(url).status_code == 403
        assert client.post(f"/accounts/users/{target.pk}/reset/").status_code == 403

    def test_the_audit_administrator_reads_and_exports_the_log_and_changes_nothing(self, demo):
        Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
        client = login("shenji")
        page = client.get("/audit/?q=nobody")
        assert page.status_code == 200 and page.context["page"].paginator.count >= 1
        assert client.get("/audit/?export=xlsx").status_code == 200
        target = User.objects.get(username="dangyuan")
        assert client.post(f"/accounts/users/{target.pk}/", {"role": "leader", "org": demo["orgs"]["SXX"].pk}).status_code == 403
        assert client.get("/settings/rules/").status_code == 403
        assert client.post(f"/accounts/users/{target.pk}/disable/").status_code == 403
        assert client.get("/people/").context["page"].paginator.count == 1


def test_key_rotation_re_encrypts_everything(demo, settings, tmp_path, monkeypatch):
    from django.core.management import call_command
    from django.db import connection

    from dangjian.core import crypto

    copy = tmp_path / "keyring.json"  # rotate a copy, so the shared test keyring stays as it is
    copy.write_text(crypto.keyring_path().read_text())
    monkeypatch.setenv("DANGJIAN_KEYRING_FILE", str(copy))
    crypto.reload_keyring()
    try:
        call_command("rotate_keys")
        new_id = crypto.keyring()["current"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM orgs_person")
            ids = {row[0].split("$")[1] for row in cursor.fetchall()}
        assert ids == {new_id}
        person = User.objects.get(username="dangyuan").person
        assert len(person.id_number) == 18
        assert AuditEvent.objects.filter(action="crypto.rotate_keys").exists()
    finally:
        monkeypatch.delenv("DANGJIAN_KEYRING_FILE")
        crypto.reload_keyring()


def test_api_tokens_are_self_service_lapse_and_can_be_revoked(demo):
    """A token is issued by its owner (shown once), lapses after the rule's days, and is revoked at once."""
    from dangjian.accounts.models import ApiToken

    client = signed_in(demo["users"]["zhibu"])
    page = client.post("/accounts/security/tokens/", {"name": "档案系统对接"}).content.decode()
    key = re.search(r"dj_[\w-]+", page).group(0)
    token = ApiToken.objects.get(user__username="zhibu", name="档案系统对接")
    assert abs((token.expires_at - timezone.now()) - dt.timedelta(days=180)) < dt.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="token.issued", actor__username="zhibu").exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/orgs").status_code == 200
    listing = client.get("/accounts/security/").content.decode()
    assert "档案系统对接" in listing and key not in listing  # shown once only

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/orgs").status_code == 401 and "已过期" in client.get("/accounts/security/").content.decode()

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    assert signed_in(demo["users"]["dangwu"]).post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404
    assert api.get("/api/v1/orgs").status_code == 200
    assert client.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/orgs").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked", actor__username="zhibu").count() == 1


def test_agency_wide_settings_need_the_capability_over_the_whole_tree(demo):
    """A 系统管理员 granted on one branch manages that branch's accounts but not the agency's rules."""
    from dangjian.accounts.models import RoleAssignment
    from dangjian.accounts.roles import Role

    user = User.objects.create_user("fenguan", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.SYSADMIN, org=demo["orgs"]["SXX-ZB2"], include_subtree=True)
    client = signed_in(user)
    for url in ("/settings/rules/", "/settings/holidays/", "/settings/rules/security.api_token_days/"):
        response = client.get(url)
        assert response.status_code == 403 and "全单位" in response.content.decode(), url
    assert "/settings/rules/" not in client.get("/").content.decode()  # not offered in the menu either
    assert signed_in(demo["users"]["admin"]).get("/settings/rules/").status_code == 200
