"""三员分立 that holds on every path, weak passwords refused, tokens that die with the password, the client
address from trusted proxies only, and demo people without password log-in (issue 11 items 1, 7, 8, 9, 11)."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dangjian.accounts import services
from dangjian.accounts.models import ApiToken, PasswordHistory, RoleAssignment, User
from dangjian.accounts.passwords import HistoryValidator, PatternValidator
from dangjian.accounts.roles import Role
from dangjian.core import rule_settings
from dangjian.core.models import AuditEvent, RuleSetting

from ..conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


# ---- item 1: 三员分立 ----------------------------------------------------------------------------

def test_security_rules_are_changed_by_the_security_administrator_only(demo):
    admin, anquan = signed_in(demo["users"]["admin"]), signed_in(demo["users"]["anquan"])
    listing = admin.get("/settings/rules/").content.decode()
    assert "security.totp_required_roles" not in listing and "meetings.quorum" in listing
    for key, value in (("security.totp_required_roles", "审计管理员"), ("security.login_max_failures", "20")):
        assert admin.get(f"/settings/rules/{key}/").status_code == 403
        assert admin.post(f"/settings/rules/{key}/", {"value": value, "reason": "试"}).status_code == 403
    with pytest.raises(PermissionDenied):
        rule_settings.set_rule("security.login_max_failures", "20", actor=demo["users"]["admin"])
    assert not RuleSetting.objects.filter(key__startswith="security.").exists()
    # the security administrator's page lists the security rules only, and changes them
    listing = anquan.get("/settings/rules/").content.decode()
    assert "security.login_max_failures" in listing and "meetings.quorum" not in listing
    assert anquan.get("/settings/rules/meetings.quorum/").status_code == 403
    response = anquan.post("/settings/rules/security.login_max_failures/", {"value": "6", "reason": "测评意见"})
    assert response.status_code == 302 and rule_settings.get("security.login_max_failures") == 6


def test_no_account_carries_the_duties_of_two_of_the_three(demo):
    anquan, root = demo["users"]["anquan"], demo["orgs"]["SXX"]
    client = signed_in(anquan)
    for target, role in ((demo["users"]["admin"], Role.AUDIT_ADMIN), (demo["users"]["shenji"], Role.SYSADMIN),
                         (demo["users"]["admin"], Role.PARTY_ADMIN)):  # a 党务管理员 reads the audit log
        response = client.post(f"/accounts/users/{target.pk}/", {"role": role, "org": root.pk, "include_subtree": "on"})
        assert response.status_code == 200 and "三员分立" in response.content.decode()
        assert not target.role_assignments.filter(role=role).exists()
    # the service refuses whatever path calls it; and oneself is refused before anything else
    with pytest.raises(ValidationError, match="角色：授权后该账号将同时承担系统管理员与审计管理员的职责"):
        services.do_grant_role(RoleAssignment(user=demo["users"]["admin"], role=Role.AUDIT_ADMIN, org=root),
                               actor=anquan)
    with pytest.raises(PermissionDenied, match="不能给自己授权"):
        services.do_grant_role(RoleAssignment(user=anquan, role=Role.AUDIT_ADMIN, org=root), actor=anquan)
    # an ordinary role is still granted to an administrator
    response = client.post(f"/accounts/users/{demo['users']['admin'].pk}/",
                           {"role": Role.MEMBER, "org": root.pk, "include_subtree": "on"})
    assert response.status_code == 302


def test_an_auditors_password_is_reset_by_the_security_administrator_and_never_shown(
        demo, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    shenji, dangwu = demo["users"]["shenji"], demo["users"]["dangwu"]
    admin = signed_in(demo["users"]["admin"])
    for target in (shenji, dangwu):  # an administrator, and a 党务管理员 who reads the audit log
        assert admin.post(f"/accounts/users/{target.pk}/reset/").status_code == 403
        assert admin.post(f"/accounts/users/{target.pk}/disable/").status_code == 403
    shenji.refresh_from_db()
    assert shenji.is_active and shenji.check_password(PASSWORD)
    anquan = signed_in(demo["users"]["anquan"])
    # no e-mail on record: the link could not reach the owner, so nothing happens and the field is named
    response = anquan.post(f"/accounts/users/{shenji.pk}/reset/", follow=True)
    assert "电子邮箱：账号 shenji 未登记电子邮箱" in response.content.decode()
    User.objects.filter(pk=shenji.pk).update(email="shenji@example.gov.cn", notify_by_email=False)
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the reset is committed
        response = anquan.post(f"/accounts/users/{shenji.pk}/reset/", follow=True)
    page = response.content.decode()
    assert "一次性链接已发送到本人的电子邮箱" in page and "/accounts/reset/" not in page
    shenji.refresh_from_db()
    assert not shenji.has_usable_password()  # the old password stops working at once
    assert Client().post("/accounts/login/", {"username": "shenji", "password": PASSWORD}).status_code == 200
    (message,) = mail.outbox
    assert message.to == ["shenji@example.gov.cn"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    owner = Client()
    assert owner.post(link, {"new_password1": "Hongqi-Jiaoyan-7", "new_password2": "Hongqi-Jiaoyan-7"}).url == \
        "/accounts/login/"
    shenji.refresh_from_db()
    assert shenji.check_password("Hongqi-Jiaoyan-7") and not shenji.must_change_password
    assert owner.get(link).status_code == 404  # used once
    assert AuditEvent.objects.filter(action="password.reset_by_link", actor=shenji).exists()
    # the security administrator may disable the auditor; the system administrator still an ordinary account
    assert anquan.post(f"/accounts/users/{shenji.pk}/disable/").status_code == 302
    ry = User.objects.filter(username__startswith="ry").first()
    assert admin.post(f"/accounts/users/{ry.pk}/reset/").context["password"]


# ---- item 7: tokens die with the password -------------------------------------------------------

def test_api_tokens_are_revoked_when_the_password_changes_or_is_reset(demo):
    zhibu = demo["users"]["zhibu"]
    _, own_key = ApiToken.issue(zhibu, "自己改密码前")
    client = signed_in(zhibu)
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Hongqi-Dangzu-88",
                                                    "new_password2": "Hongqi-Dangzu-88"})
    assert response.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {own_key}").get("/api/v1/orgs").status_code == 401
    event = AuditEvent.objects.get(action="token.revoked", target_repr="zhibu · 自己改密码前")
    assert event.message == "密码已修改或被重置，令牌随之吊销" and event.actor == zhibu
    _, key = ApiToken.issue(zhibu, "管理员重置前")
    assert signed_in(demo["users"]["admin"]).post(f"/accounts/users/{zhibu.pk}/reset/").status_code == 200
    assert AuditEvent.objects.get(action="token.revoked", target_repr="zhibu · 管理员重置前").actor.username == "admin"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/orgs").status_code == 401
    _, key = ApiToken.issue(zhibu, "服务器上改密码前")  # the console's changepassword saves the same way
    zhibu.set_password("Hongqi-Console-42")
    zhibu.save()
    assert not ApiToken.live().filter(user=zhibu).exists()


# ---- item 8: the lock-out message and the client address ----------------------------------------

def test_an_address_lock_out_says_so_and_only_a_trusted_proxy_names_the_client(demo, settings):
    limit = rule_settings.get("security.login_address_max_failures")
    rule_settings.set_rule("security.rate_login_per_minute", "1000", actor=None)  # the lock-out, not the rate limit
    # the address's limit of failures, spread over accounts so that no account is itself locked
    attacker = Client(REMOTE_ADDR="10.20.30.40", HTTP_X_REAL_IP="1.2.3.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    names = list(User.objects.filter(username__startswith="ry").values_list("username", flat=True)[:4])
    for n in range(limit):
        attacker.post("/accounts/login/", {"username": names[n % 4], "password": "Wrong-pass-1"})
    # no proxy is trusted by default: the spoofed headers are ignored, the connection's address is logged
    assert set(AuditEvent.objects.filter(action="login.failure").values_list("ip", flat=True)) == {"10.20.30.40"}
    page = attacker.post("/accounts/login/", {"username": "dangyuan", "password": PASSWORD}).content.decode()
    assert "网络地址（10.20.30.40）" in page and "不是您的账号被锁定" in page and "账号已临时锁定" not in page
    # behind a configured proxy its X-Real-IP, else the right-most X-Forwarded-For hop it did not add itself
    settings.TRUSTED_PROXIES = ["127.0.0.1", "192.168.0.0/24"]
    proxied = Client(REMOTE_ADDR="192.168.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.8.7, 127.0.0.1")
    proxied.post("/accounts/login/", {"username": "tanzhen1", "password": "Wrong-pass-1"})
    Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.1.1.1").post(
        "/accounts/login/", {"username": "tanzhen2", "password": "Wrong-pass-1"})
    ips = dict(AuditEvent.objects.filter(action="login.failure", target_repr__in=["tanzhen1", "tanzhen2"])
               .values_list("target_repr", "ip"))
    assert ips == {"tanzhen1": "10.9.8.7", "tanzhen2": "10.1.1.1"}


def test_the_address_lock_out_threshold_is_the_security_administrators_rule(demo):
    """Once 4 × the account limit fixed in code: now a rule only the 安全管理员 changes, and it takes effect."""
    with pytest.raises(PermissionDenied):
        rule_settings.set_rule("security.login_address_max_failures", "6", actor=demo["users"]["admin"])
    response = signed_in(demo["users"]["anquan"]).post("/settings/rules/security.login_address_max_failures/",
                                                       {"value": "6", "reason": "测评意见：收紧地址暂停阈值"})
    assert response.status_code == 302 and rule_settings.get("security.login_address_max_failures") == 6
    rule_settings.set_rule("security.rate_login_per_minute", "1000", actor=None)  # the lock-out, not the rate limit
    attacker = Client(REMOTE_ADDR="10.20.30.41")
    names = list(User.objects.filter(username__startswith="ry").values_list("username", flat=True)[:3])
    for n in range(5):  # two failures per account at most: no account is locked (its limit is 5)
        attacker.post("/accounts/login/", {"username": names[n % 3], "password": "Wrong-pass-1"})
    page = attacker.post("/accounts/login/", {"username": "dangyuan", "password": PASSWORD}).content.decode()
    assert "网络地址（10.20.30.41）" not in page  # five of six: not yet
    attacker.post("/accounts/login/", {"username": names[0], "password": "Wrong-pass-1"})
    page = attacker.post("/accounts/login/", {"username": "dangyuan", "password": PASSWORD}).content.decode()
    assert "网络地址（10.20.30.41）" in page and "不是您的账号被锁定" in page


# ---- item 9: weak passwords -----------------------------------------------------------------------

@pytest.mark.parametrize("password, message", [
    ("Qwerty123!", "连续序列“Qwer”"), ("Zxcv!2024x", "连续序列“Zxcv”"), ("1qaz2WSX#", "连续序列“1qaz”"),
    ("Aa1!Aa1!", "重复"), ("Hao!Hao!Hao9", "重复"), ("Ry10ry10!", "用户名"), ("Pp-Ry10-2026", "用户名"),
    ("Xiaoi-01yr-9", "用户名"),  # the user name backwards
])
def test_keyboard_walks_repeats_and_the_user_name_are_refused(password, message):
    with pytest.raises(ValidationError) as exc:
        PatternValidator().validate(password, User(username="ry10"))
    assert message in exc.value.messages[0] and exc.value.messages[0].startswith("密码：")


def test_a_sound_password_passes_every_validator(demo):
    from django.contrib.auth.password_validation import validate_password

    validate_password("Hongqi-Dangzu-88", demo["users"]["zhibu"])


def test_the_current_and_the_last_five_passwords_cannot_be_chosen_again(demo):
    user = User.objects.create_user("lishi", password="Start-Mima-71")
    with pytest.raises(ValidationError, match="不能与当前密码或最近 5 次"):
        HistoryValidator().validate("Start-Mima-71", user)
    used = [f"Hongqi-Lishi-{n}8" for n in range(6)]
    for password in used:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5  # hashed, the oldest dropped
    assert not PasswordHistory.objects.filter(password__contains="Hongqi").exists()
    for password in used[1:]:
        with pytest.raises(ValidationError):
            HistoryValidator().validate(password, user)
    HistoryValidator().validate(used[0], user)  # six passwords ago: allowed again
    HistoryValidator().validate("Start-Mima-71", user)
    client = signed_in(user)
    response = client.post("/accounts/password/", {"old_password": used[-1], "new_password1": used[-2],
                                                    "new_password2": used[-2]})
    assert response.status_code == 200 and "最近 5 次" in response.content.decode()


# ---- item 11: the demo's other people ------------------------------------------------------------

def test_demo_people_other_than_the_role_accounts_have_no_password_log_in(demo):
    others = User.objects.filter(username__startswith="ry")
    assert others.count() >= 40
    assert not any(u.has_usable_password() for u in others)
    assert all(u.has_usable_password() for u in demo["users"].values())
    response = Client().post("/accounts/login/", {"username": others.first().username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
