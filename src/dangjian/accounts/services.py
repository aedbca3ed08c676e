"""Log-in with lock-out, log-out, role changes: each writes a security event."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.crypto import blind_index
from dangjian.core.models import AuditEvent
from dangjian.core.scope import forget_grants, path_in_scope

from . import twofactor
from .models import ApiToken, RoleAssignment, User
from .roles import ADMIN_ROLES


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _recent_failures(**match) -> int:
    since = timezone.now() - timedelta(minutes=rule_settings.get("security.lockout_minutes"))
    return AuditEvent.objects.filter(action="login.failure", at__gte=since, **match).count()


def is_locked(username: str, ip: str | None) -> bool:
    """Locked while the last N failures for the account, or from the address, are within the window.

    The lock lapses by itself after the window, so a stranger cannot lock a user out for ever;
    the per-address count stops one address from trying many accounts.
    """
    limit = rule_settings.get("security.login_max_failures")
    if _recent_failures(target_repr=username[:255]) >= limit:
        return True
    return bool(ip) and _recent_failures(ip=ip) >= limit * 4


def _account_key(identifier: str) -> str:
    """The account's username when the identifier names one (by username or phone), so that
    failures typed as the phone number and as the username count against the same account."""
    found = User.objects.filter(Q(username=identifier) | Q(phone_index=blind_index(identifier)))
    return found.values_list("username", flat=True).first() or identifier


def _refuse_if_locked(username: str, ip: str | None) -> None:
    if is_locked(username, ip):
        audit.security_event("login.refused_locked", success=False, target_repr=username, message="账号或地址已锁定")
        minutes = rule_settings.get("security.lockout_minutes")
        raise LoginRefused(f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试或联系管理员。")


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


def do_grant_role(assignment: RoleAssignment, *, actor) -> RoleAssignment:
    with transaction.atomic():
        if not path_in_scope(actor, "role.assign", assignment.org.path):
            raise PermissionDenied(f"无权在“{assignment.org}”授权")
        if assignment.user_id == actor.pk:
            raise PermissionDenied("不能给自己授权（三员分立）")
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


def do_reset_password(user: User, *, actor) -> str:
    """Issue a new password. Administrator accounts are reset only from the server console (三员分立)."""
    with transaction.atomic():
        if user.role_assignments.filter(role__in=ADMIN_ROLES).exists():
            raise PermissionDenied("管理员账号的密码只能由本人修改或在服务器上用命令重置（三员分立）")
        if user.pk == actor.pk:
            raise PermissionDenied("请在“修改密码”中修改自己的密码")
        password = _issued_password()
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit.security_event("account.reset_password", actor=actor, target=user, target_repr=user.username)
    return password


def do_set_account_active(user: User, active: bool, *, actor) -> None:
    with transaction.atomic():
        if user.pk == actor.pk:
            raise PermissionDenied("不能停用自己的账号")
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
