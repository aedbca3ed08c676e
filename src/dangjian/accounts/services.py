"""Log-in with lock-out, log-out, role changes: each writes a security event."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dangjian.core import audit, rule_settings
from dangjian.core.crypto import blind_index
from dangjian.core.models import AuditEvent
from dangjian.core.notify import notify
from dangjian.core.scope import forget_grants, path_in_scope

from . import twofactor
from .models import ApiToken, RoleAssignment, User
from .roles import ADMIN_DUTIES, Role, admin_duties


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _recent_failures(**match) -> int:
    since = timezone.now() - timedelta(minutes=rule_settings.get("security.lockout_minutes"))
    return AuditEvent.objects.filter(action="login.failure", at__gte=since, **match).count()


def lock_reason(username: str, ip: str | None) -> str:
    """"account" or "address" while the last N failures for the account, or from the address, are
    within the window; "" otherwise.

    The lock lapses by itself after the window, so a stranger cannot lock a user out for ever;
    the per-address count (its own rule) stops one address from trying many accounts.
    """
    if _recent_failures(target_repr=username[:255]) >= rule_settings.get("security.login_max_failures"):
        return "account"
    if ip and _recent_failures(ip=ip) >= rule_settings.get("security.login_address_max_failures"):
        return "address"
    return ""


def is_locked(username: str, ip: str | None) -> bool:
    return bool(lock_reason(username, ip))


def _account_key(identifier: str) -> str:
    """The account's username when the identifier names one (by username or phone), so that
    failures typed as the phone number and as the username count against the same account."""
    found = User.objects.filter(Q(username=identifier) | Q(phone_index=blind_index(identifier)))
    return found.values_list("username", flat=True).first() or identifier


def _refuse_if_locked(username: str, ip: str | None) -> None:
    reason = lock_reason(username, ip)
    if not reason:
        return
    minutes = rule_settings.get("security.lockout_minutes")
    if reason == "account":
        audit.security_event("login.refused_locked", success=False, target_repr=username, message="账号已锁定")
        raise LoginRefused(f"该账号登录失败次数过多，已临时锁定，请 {minutes} 分钟后再试或联系管理员。")
    # The address, not the account: behind a shared NAT address many people are held up at once.
    audit.security_event("login.refused_locked", success=False, target_repr=username, message=f"地址 {ip} 已暂停登录")
    raise LoginRefused(f"您所在网络地址（{ip}）的登录失败次数过多，来自该地址的登录已暂停，请 {minutes} 分钟后再试"
                       "或联系管理员；这不是您的账号被锁定。")


def _failed(username: str, ip: str | None, message: str) -> None:
    audit.security_event("login.failure", success=False, target_repr=username, message=message)
    if is_locked(username, ip):
        audit.security_event("login.lockout", success=False, target_repr=username,
                             message=f"连续失败 {rule_settings.get('security.login_max_failures')} 次，锁定")


def do_check_password(request, username: str, password: str):
    """First step of log-in: the password (or phone and password). Returns the user, not yet signed in."""
    ip = audit.current_ip()
    username = _account_key((username or "").strip())
    _refuse_if_locked(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _failed(username, ip, "用户名或密码错误")
        raise LoginRefused("用户名（或手机号）或密码错误。")
    return user


def needs_second_factor(user) -> bool:
    return twofactor.confirmed_device(user) is not None or twofactor.required_for(user)


def do_check_second_factor(user, code: str) -> None:
    """Second step: a TOTP code (once only, within its window) or an unused recovery code."""
    ip = audit.current_ip()
    _refuse_if_locked(user.username, ip)
    code = (code or "").strip()
    ok = twofactor.verify_code(user, code) if len(code) == 6 else twofactor.use_recovery_code(user, code)
    if not ok:
        _failed(user.username, ip, "动态口令错误或已使用")
        raise LoginRefused("动态口令不正确或已使用过，请输入验证器上当前显示的 6 位数字，或一个未用过的恢复码。")


def do_complete_login(request, user) -> None:
    login(request, user, backend="dangjian.accounts.backends.UsernameOrPhoneBackend")
    request.session["login_at"] = timezone.now().timestamp()
    request.session["password_expired"] = password_expired(user)
    audit.security_event("login.success", actor=user, target=user, target_repr=user.username)


def do_login(request, username: str, password: str):
    """Log in with a password alone (for accounts without a second factor)."""
    user = do_check_password(request, username, password)
    if needs_second_factor(user):
        raise LoginRefused("该账号须使用动态口令登录。")
    do_complete_login(request, user)
    return user


def do_logout(request) -> None:
    user = request.user
    if user.is_authenticated:
        audit.security_event("logout", actor=user, target=user, target_repr=user.username)
    logout(request)  # flushes the session: its row is deleted


def held_roles(user_id: int) -> set[str]:
    """The roles an account holds now or is granted for later (an expired grant no longer counts)."""
    return set(RoleAssignment.objects.filter(user_id=user_id)
               .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
               .values_list("role", flat=True))


def is_privileged(user) -> bool:
    """Whether the account carries a duty of one of the three administrators (三员), reading the audit log
    included: its password and its being enabled are then the 安全管理员's to change, not the 系统管理员's."""
    return bool(admin_duties(held_roles(user.pk)))


def _check_separation(assignment: RoleAssignment) -> None:
    """三员分立: no account carries the duties of two of the three administrators — checked here, where
    every grant is made (the pages and any import or API call through this service)."""
    duties = admin_duties(held_roles(assignment.user_id) | {assignment.role})
    if len(duties) > 1:
        names = "与".join(Role(d).label for d in ADMIN_DUTIES if d in duties)
        raise ValidationError({"role": f"角色：授权后该账号将同时承担{names}的职责，违反三员分立"
                                       "（一个账号只能担任系统管理员、安全管理员、审计管理员中的一员，"
                                       "且三员不能兼任可查阅审计记录的角色）"})


def do_grant_role(assignment: RoleAssignment, *, actor) -> RoleAssignment:
    with transaction.atomic():
        if not path_in_scope(actor, "role.assign", assignment.org.path):
            raise PermissionDenied(f"无权在“{assignment.org}”授权")
        if assignment.user_id == actor.pk:
            raise PermissionDenied("不能给自己授权（三员分立）")
        # the account's row is locked so that two grants at once cannot each pass the check alone
        User.objects.select_for_update().filter(pk=assignment.user_id).first()
        _check_separation(assignment)
        assignment.full_clean()
        assignment.save()
        audit.security_event("role.grant", actor=actor, target=assignment, org_path=assignment.org.path,
                             message=str(assignment))
    forget_grants(assignment.user)
    return assignment


def do_revoke_role(assignment: RoleAssignment, *, actor) -> None:
    with transaction.atomic():
        if not path_in_scope(actor, "role.assign", assignment.org.path):
            raise PermissionDenied(f"无权在“{assignment.org}”撤销授权")
        audit.security_event("role.revoke", actor=actor, target=assignment, org_path=assignment.org.path,
                             message=str(assignment))
        assignment.delete()
    forget_grants(assignment.user)


def _issued_password() -> str:
    # Satisfies any composition rule: letters of both cases, digits and a symbol.
    return f"{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}aZ"


def do_create_account(user: User, *, actor) -> tuple[User, str]:
    """A new account with an issued password, to be changed at first log-in."""
    with transaction.atomic():
        password = _issued_password()
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.full_clean(exclude=["password"])
        user.save()
        audit.security_event("account.create", actor=actor, target=user, target_repr=user.username)
    return user, password


def _require_may_administer(user: User, actor, what: str) -> None:
    """三员分立: the 系统管理员 administers ordinary accounts; an account that carries an administrator's
    duty (or reads the audit log) only the 安全管理员 — so that no administrator takes over another's."""
    if user.pk == actor.pk:
        raise PermissionDenied(f"不能{what}自己的账号" if what != "重置密码" else "请在“修改密码”中修改自己的密码")
    capability = "admin_account.manage" if is_privileged(user) else "account.manage"
    if not User.objects.visible_to(actor, capability).filter(pk=user.pk).exists():
        if capability == "admin_account.manage":
            raise PermissionDenied(f"该账号担任三员或可查阅审计记录，只能由安全管理员{what}（三员分立）")
        raise PermissionDenied(f"无权{what}该账号")


def revoke_tokens(user: User, *, actor=None, why: str) -> int:
    """Every live API token of the account, revoked: a token must not outlive the password it was issued under.
    Run on every password save (passwords.RevokeTokensOnChange, Django's password_changed hook: the pages, the
    one-time link, the console's changepassword) and when a reset makes the password unusable."""
    tokens = list(ApiToken.live().filter(user=user))
    if tokens:
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            audit.security_event("token.revoked", actor=actor, target=token,
                                 target_repr=f"{user.username} · {token.name}", message=why)
    return len(tokens)


def reset_link(request, user: User) -> str:
    """The one-time link with which the owner sets a new password (void once used or once the password changes)."""
    path = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                    default_token_generator.make_token(user)])
    return request.build_absolute_uri(path) if request is not None else path


def do_reset_password(user: User, *, actor, request=None) -> str | None:
    """Reset an account's password. An ordinary account gets an issued password, shown to the 系统管理员
    once and changed at first log-in. An account that carries an administrator's duty (三员, or reading the
    audit log) is reset by the 安全管理员 only, and the password is never shown: the old one stops working
    and a one-time link goes to the owner's e-mail, with which they set a new one. Returns the issued
    password, or None when a link was sent."""
    _require_may_administer(user, actor, "重置密码")
    privileged = is_privileged(user)
    if privileged and not user.email:
        raise ValidationError({"email": f"电子邮箱：账号 {user.username} 未登记电子邮箱，重置链接无法交给本人；"
                                        "请本人在服务器上用 changepassword 命令重置，或先登记邮箱"})
    with transaction.atomic():
        password = None
        if privileged:
            user.set_unusable_password()
            user.must_change_password = False
        else:
            password = _issued_password()
            user.set_password(password)
            user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        if privileged:  # an unusable password is no password save: Django's hook is not called
            revoke_tokens(user, actor=actor, why="密码被重置，令牌随之吊销")
        audit.security_event("account.reset_password", actor=actor, target=user, target_repr=user.username,
                             message="重置链接已发送给本人" if privileged else "已下发临时密码")
    if privileged:
        notify(user, "重置密码", f"您的账号 {user.username} 的密码已由安全管理员重置，原密码已失效。"
                                 "请用下面的一次性链接设置新密码（链接只能使用一次）：",
               link=reset_link(request, user), category="security", always_email=True)
    return password


def do_set_password_by_link(user: User, form) -> None:
    """The owner sets a new password with the one-time link (``form``: a valid SetPasswordForm)."""
    with transaction.atomic():
        form.save()
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password_changed_at", "must_change_password"])
        audit.security_event("password.reset_by_link", actor=user, target=user, target_repr=user.username)


def do_change_password(form, *, actor) -> User:
    """The user's own change (``form``: a valid PasswordChangeForm); their API tokens are revoked on the save."""
    with transaction.atomic():
        user = form.save()
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password_changed_at", "must_change_password"])
        audit.security_event("password.change", actor=actor, target=user, target_repr=user.username)
    return user


def do_set_account_active(user: User, active: bool, *, actor) -> None:
    _require_may_administer(user, actor, "启用" if active else "停用")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.security_event("account.enable" if active else "account.disable", actor=actor, target=user,
                             target_repr=user.username)


def password_expired(user) -> bool:
    days = rule_settings.get("security.password_max_age_days")
    if user.must_change_password:
        return True
    if not days or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=days)


def do_issue_token(user: User, name: str, *, actor) -> tuple[ApiToken, str]:
    """A user's own API token (it carries the user's scope, so nobody issues one for another)."""
    if actor.pk != user.pk:
        raise PermissionDenied("接口令牌只能由本人生成")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写令牌名称（用途），如“档案系统对接”"})
    with transaction.atomic():
        token, key = ApiToken.issue(user, name[:100])
        audit.security_event("token.issued", actor=actor, target=token, target_repr=f"{user.username} · {token.name}",
                             message=f"有效期至 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")
    return token, key


def do_revoke_token(token: ApiToken, *, actor) -> None:
    if actor.pk != token.user_id:
        raise PermissionDenied("只能吊销本人的接口令牌")
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            audit.security_event("token.revoked", actor=actor, target=token,
                                 target_repr=f"{token.user.username} · {token.name}")
