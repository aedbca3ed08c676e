from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from dangjian.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        if not token or len(token) > 200 or "\x00" in token:
            return None
        row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if row is None or not row.user.is_active:
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The signed-in page session; unsafe methods need the CSRF token (X-CSRFToken)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
