"""Log-in (username or phone), lock-out, log-out, session lifetimes, password hashing."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from dangjian.accounts import services
from dangjian.core import rule_settings
from dangjian.core.models import AuditEvent

from .conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_logs_in_by_username_and_by_phone(demo):
    user = demo["users"]["zhibu"]
    for identifier in (user.username, user.phone):
        client = Client()
        response = attempt(client, identifier, PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200
        assert AuditEvent.objects.filter(action="login.success", actor=user).exists()


def test_a_wrong_password_is_refused_in_chinese(demo):
    response = attempt(Client(), "zhibu", "wrong-password")
    assert response.status_code == 200 and "用户名（或手机号）或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failure", target_repr="zhibu").count() == 1


def test_the_next_parameter_cannot_send_the_user_elsewhere(demo):
    client = Client()
    response = client.post("/accounts/login/?next=https://evil.example/", {"username": "zhibu", "password": PASSWORD})
    assert response["Location"] == "/"


def test_five_failures_lock_the_account_for_the_window_and_the_lock_lapses(demo, monkeypatch):
    user = demo["users"]["kezhang"]
    client = Client()
    for i in range(rule_settings.get("security.login_max_failures")):  # by username and by phone: the same account
        attempt(client, user.username if i % 2 else user.phone, "wrong")
    assert AuditEvent.objects.filter(action="login.lockout", target_repr=user.username).exists()
    response = attempt(client, user.username, PASSWORD)  # the right password, but locked
    assert response.status_code == 200 and "已临时锁定" in response.content.decode()
    assert "已临时锁定" in attempt(Client(), user.phone, PASSWORD).content.decode()
    assert AuditEvent.objects.filter(action="login.refused_locked").count() == 2
    other = attempt(Client(), "zhibu", PASSWORD)  # another account is not affected
    assert other.status_code == 302
    later = timezone.now() + timezone.timedelta(minutes=rule_settings.get("security.lockout_minutes"), seconds=1)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert attempt(Client(), user.username, PASSWORD).status_code == 302


def test_logout_deletes_the_session_and_clears_the_site_data(demo):
    client = signed_in(demo["users"]["dangwu"])
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/accounts/logout/").status_code == 405  # only by POST (a form with the CSRF token)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and "已安全退出" in response.content.decode()
    assert "cookies" in response["Clear-Site-Data"] and "storage" in response["Clear-Site-Data"]
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/people/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=demo["users"]["dangwu"]).exists()


def test_the_absolute_session_lifetime_holds_even_while_active(demo):
    rule_settings.set_rule("security.session_absolute_hours", 1, actor=demo["users"]["anquan"], reason="测试")
    client = Client()
    assert attempt(client, "shuji", PASSWORD).status_code == 302
    assert client.get("/people/").status_code == 200
    session = client.session
    session["login_at"] = time.time() - 3600 + 5  # signed in almost an hour ago, active all along
    session.save()
    assert client.get("/people/").status_code == 200
    session = client.session
    session["login_at"] = time.time() - 3601
    session.save()
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "会话已超过最长有效期" in client.get(response["Location"]).content.decode()
    assert client.get("/people/").status_code == 302  # logged out for good
    assert client.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="session.expired").exists()


@pytest.mark.django_db
def test_the_session_cookie_is_the_idle_timeout_renewed_at_most_once_a_minute(demo):
    from django.contrib.sessions.models import Session

    from dangjian.accounts.middleware import RENEW_SECONDS

    assert settings.SESSION_COOKIE_HTTPONLY
    assert rule_settings.get("security.session_idle_minutes") == 30 and rule_settings.get("security.session_absolute_hours") == 12
    client = signed_in(demo["users"]["kezhang"])
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    renewed = expiry()
    client.get("/people/")
    assert expiry() == renewed  # reading a page within the minute writes no session row
    session = client.session
    session["renewed_at"] -= RENEW_SECONDS + 1  # as if the last renewal were over a minute ago
    session.save()
    before = expiry()
    client.get("/people/")
    assert expiry() > before and client.session.get_expiry_age() == 30 * 60
    rule_settings.set_rule("security.session_idle_minutes", "20", actor=None)
    client.get("/people/")  # a changed rule applies at the next request
    assert client.session.get_expiry_age() == 20 * 60


def test_argon2_is_the_configured_password_hasher():
    # conftest swaps in MD5 for speed while testing; the settings module itself names Argon2 first.
    import importlib

    import dangjian.settings as production

    importlib.reload(production)
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("Demo-pass-2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_the_security_administrator_grants_and_revokes_a_role_within_their_scope(demo):
    from dangjian.accounts.models import RoleAssignment

    admin = signed_in(demo["users"]["anquan"])
    target = demo["users"]["dangyuan"]
    response = admin.post(f"/accounts/users/{target.pk}/", {"role": "section_head", "org": demo["orgs"]["SXX-CWK"].pk,
                                                            "include_subtree": "on"})
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=target, role="section_head")
    assert AuditEvent.objects.filter(action="role.grant").exists()
    assert admin.post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke").exists()
