"""Log-in with lock-out, log-out, role changes: each writes a security event."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import AuditEvent
from dangjian.core.scope import forget_grants, path_in_scope

from .models import RoleAssignment


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _recent_failures(**match) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    return AuditEvent.objects.filter(action="login.failure", at__gte=since, **match).count()


def is_locked(username: str, ip: str | None) -> bool:
    """Locked while the last N failures for the account, or from the address, are within the window.

    The lock lapses by itself after the window, so a stranger cannot lock a user out for ever;
    the per-address count stops one address from trying many accounts.
    """
    limit = settings.LOGIN_MAX_FAILURES
    if _recent_failures(target_repr=username[:255]) >= limit:
        return True
    return bool(ip) and _recent_failures(ip=ip) >= limit * 4


def _account_key(identifier: str) -> str:
    """The account's username when the identifier names one (by username or phone), so that
    failures typed as the phone number and as the username count against the same account."""
    from django.db.models import Q

    from .models import User

    found = User.objects.filter(Q(username=identifier) | Q(phone=identifier)).values_list("username", flat=True)
    return found.first() or identifier


def do_login(request, username: str, password: str):
    ip = audit.current_ip()
    username = _account_key((username or "").strip())
    if is_locked(username, ip):
        audit.security_event("login.refused_locked", success=False, target_repr=username, message="账号或地址已锁定")
        minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
        raise LoginRefused(f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试或联系管理员。")
    user = authenticate(request, username=username, password=password)
    if user is None:
        audit.security_event("login.failure", success=False, target_repr=username, message="用户名或密码错误")
        if is_locked(username, ip):
            audit.security_event("login.lockout", success=False, target_repr=username,
                                 message=f"连续失败 {settings.LOGIN_MAX_FAILURES} 次，锁定")
        raise LoginRefused("用户名（或手机号）或密码错误。")
    login(request, user)
    request.session["login_at"] = timezone.now().timestamp()
    audit.security_event("login.success", actor=user, target=user, target_repr=user.username)
    return user


def do_logout(request) -> None:
    user = request.user
    if user.is_authenticated:
        audit.security_event("logout", actor=user, target=user, target_repr=user.username)
    logout(request)  # flushes the session: its row is deleted


def do_grant_role(assignment: RoleAssignment, *, actor) -> RoleAssignment:
    with transaction.atomic():
        if not path_in_scope(actor, "account.manage", assignment.org.path):
            raise PermissionDenied(f"无权在“{assignment.org}”授权")
        assignment.full_clean()
        assignment.save()
        audit.security_event("role.grant", actor=actor, target=assignment, org_path=assignment.org.path,
                             message=str(assignment))
    forget_grants(assignment.user)
    return assignment


def do_revoke_role(assignment: RoleAssignment, *, actor) -> None:
    with transaction.atomic():
        if not path_in_scope(actor, "account.manage", assignment.org.path):
            raise PermissionDenied(f"无权在“{assignment.org}”撤销授权")
        audit.security_event("role.revoke", actor=actor, target=assignment, org_path=assignment.org.path,
                             message=str(assignment))
        assignment.delete()
    forget_grants(assignment.user)
