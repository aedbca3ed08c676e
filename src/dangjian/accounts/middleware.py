import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from dangjian.core import audit


class SessionTimeoutMiddleware:
    """An absolute session lifetime that holds even while the user stays active.

    The idle timeout is the session cookie age, renewed on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get("login_at")
            if login_at is None or time.time() - float(login_at) > settings.SESSION_ABSOLUTE_SECONDS:
                audit.security_event("session.expired", actor=user, target_repr=user.username)
                logout(request)
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "会话已过期，请重新登录"}, status=401)
                messages.info(request, "会话已超过最长有效期，请重新登录。")
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)
