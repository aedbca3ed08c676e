import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from dangjian.core import audit, rule_settings

# How often, at most, a request renews the session's idle timeout (a write of the session row).
RENEW_SECONDS = 60
# Paths a user whose password must change can still reach.
_PASSWORD_EXEMPT = ("/accounts/password/", "/accounts/logout/", "/static/")


class SessionTimeoutMiddleware:
    """Idle timeout (renewed on each request) and an absolute lifetime that holds even while active;
    and the forced password change (first log-in with an issued password, or expiry)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get("login_at")
            absolute = rule_settings.get("security.session_absolute_hours") * 3600
            # the clock log-in wrote login_at with (accounts.services), so that both read the same time
            if login_at is None or timezone.now().timestamp() - float(login_at) > absolute:
                audit.security_event("session.expired", actor=user, target_repr=user.username)
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "会话已过期，请重新登录"}, status=401)
                messages.info(request, "会话已超过最长有效期，请重新登录。")
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            self._renew_idle_timeout(request.session, rule_settings.get("security.session_idle_minutes") * 60)
            if not request.path.startswith(_PASSWORD_EXEMPT) and request.session.get("password_expired"):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改密码"}, status=403)
                messages.info(request, "请先修改密码（首次登录或密码已到期）。")
                return redirect("password_change")
        elif self._unknown_session_cookie(request):
            # A forged, tampered or lapsed session cookie: logged once, then the browser forgets it.
            audit.security_event("session.unknown_cookie", success=False,
                                 message="请求携带的会话凭证无效（伪造、篡改或已失效）")
            response = self.get_response(request)
            response.delete_cookie(settings.SESSION_COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                                   domain=settings.SESSION_COOKIE_DOMAIN)
            return response
        return self.get_response(request)

    @staticmethod
    def _renew_idle_timeout(session, idle_seconds: int) -> None:
        """Push the idle expiry forward, writing the session at most once per RENEW_SECONDS: a session
        then lapses between ``idle - RENEW_SECONDS`` and ``idle`` after the last request (never later)."""
        now = time.time()
        if session.get_expiry_age() != idle_seconds or now - session.get("renewed_at", 0) >= RENEW_SECONDS:
            session["renewed_at"] = now
            session.set_expiry(idle_seconds)

    @staticmethod
    def _unknown_session_cookie(request) -> bool:
        """A session cookie came in but names no live session (the session store found nothing)."""
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "session"):
            return False
        request.session.keys()  # loads the session; an unknown key leaves it without one
        return request.session.session_key is None
