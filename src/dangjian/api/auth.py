from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from dangjian.accounts.models import ApiToken
from dangjian.core import audit, ratelimit, rule_settings
from dangjian.core.db import in_transaction


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        # Only failures count, so that a busy integration with a valid token is never slowed.
        limit = rule_settings.get("security.rate_api_auth_failures_per_minute")
        if ratelimit.is_limited("api-token", audit.current_ip(), limit):
            raise HttpError(429, ratelimit.MESSAGE)
        row = None
        if token and len(token) <= 200 and "\x00" not in token:
            row = ApiToken.live().select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if row is None or not row.user.is_active:
            if ratelimit.hit("api-token", audit.current_ip(), limit):
                raise HttpError(429, ratelimit.MESSAGE)
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 300:
            # A write before the operation's own transaction: retried the same way (SQLite busy, a deadlock).
            in_transaction(lambda: ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now()))
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The signed-in page session; unsafe methods need the CSRF token (X-CSRFToken)."""

    param_name = "sessionid"

    def _get_key(self, request):
        # No session cookie: simply not signed in (401), not a CSRF refusal (403).
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
