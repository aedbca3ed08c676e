import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.db import Error as DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from . import audit
from .crypto import MissingKeyError
from .db import close_broken_connection, is_busy, is_disconnect
from .privacy import is_unrecorded


@lru_cache(maxsize=8)
def _proxy_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _is_trusted_proxy(address) -> bool:
    return address is not None and any(address in net for net in _proxy_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address for the audit log, the lock-out and the rate limits.

    X-Real-IP and X-Forwarded-For are believed only when the connection comes from a configured
    proxy (DANGJIAN_TRUSTED_PROXIES); then X-Real-IP, else the right-most X-Forwarded-For entry that is not
    itself a trusted proxy (the left-most entries are whatever the client sent)."""
    remote = request.META.get("REMOTE_ADDR")
    if not _is_trusted_proxy(_address(remote)):
        return remote
    real = _address(request.META.get("HTTP_X_REAL_IP"))
    if real is not None:
        return str(real)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break
        if not _is_trusted_proxy(address):
            return str(address)
    return remote


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json":
        return b"\\u0000" in request.body or b"\x00" in request.body
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in v for values in request.POST.lists() for v in [values[0], *values[1]])
    return False


class RejectNulMiddleware:
    """A NUL character in a path, query or form value is refused with 400 before any view runs.

    No text we store may contain one (PostgreSQL refuses it with an error, which would be a 500),
    and none is ever typed by a person; one check here covers every page and API route.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "请求中含有不允许的空字符（NUL）"}, status=400)
            return render(request, "400.html", {"reason": "请求中含有不允许的空字符。"}, status=400)
        return self.get_response(request)


class RequestContextMiddleware:
    """Gives each request an id and records the client address for the audit log (except on the paths whose
    visitors are not recorded, core.privacy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        if is_unrecorded(request.path):
            # The public portal: no event names the visitor's address; the rate limits alone use it.
            request.unrecorded_address, ip = ip, None
        info = audit.set_request_info(ip, request)
        request.request_id = info.request_id
        try:
            response = self.get_response(request)
        finally:
            audit.clear_request_info()
        response["X-Request-ID"] = info.request_id
        return response


# No inline script or style is allowed: every asset is a file under /static/.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# The interactive API docs need their own inline bootstrap; they are served with a relaxed policy.
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_docs = request.path.startswith("/api/v1/docs")
        response.setdefault("Content-Security-Policy", CSP_DOCS if is_docs else CSP)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages for a signed-in user carry personal data: never stored by the browser or a proxy.
            response["Cache-Control"] = "no-store"
        return response


logger = logging.getLogger(__name__)

BUSY_MESSAGE = "该记录正被他人修改，系统暂时无法完成本次操作，未保存任何内容。请稍后重试。"
DISCONNECT_MESSAGE = "数据库连接中断，请稍后重试。如果刚才提交了表单，请先刷新页面，核对是否已经保存。"
BUSY_RETRY_SECONDS = 5
# The file's path stays in the log: a user is told what happened, not where the server keeps its keys.
KEY_MISSING_MESSAGE = ("系统找不到密钥文件，无法读取或保存加密的数据，本次操作未写入任何内容。"
                       "请通知系统管理员把原密钥文件放回原处后再试。")
KEY_MISSING_RETRY_SECONDS = 300  # until an administrator has put the file back
_BARE_503 = ('<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>请稍后重试</title></head>'
             "<body><h1>请稍后重试</h1><p>{message}</p></body></html>")


def database_error_response(request, exception):
    """The clear 503 for what the database refused — a lock not granted (after ``core.db.in_transaction``'s
    retries) or a lost connection — or for the missing key ring (``crypto.MissingKeyError``: the transaction
    was rolled back), else None. Also the 500 handler's answer for one raised outside a view."""
    if isinstance(exception, MissingKeyError):
        logger.error("key ring missing on %s %s: %s", request.method, request.path, exception)
        message, retry_after = KEY_MISSING_MESSAGE, KEY_MISSING_RETRY_SECONDS
    elif is_busy(exception) or is_disconnect(exception):
        logger.warning("database refused %s %s: %s", request.method, request.path, exception)
        if is_busy(exception):
            message, retry_after = BUSY_MESSAGE, BUSY_RETRY_SECONDS
        else:
            close_broken_connection()
            message, retry_after = DISCONNECT_MESSAGE, 1
    else:
        return None
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        try:
            response = render(request, "503.html", {"message": message}, status=503)
        except Exception:  # noqa: BLE001 - the page's menu needs the database, which may still be away
            response = HttpResponse(_BARE_503.format(message=message), status=503)
    response["Retry-After"] = str(retry_after)
    return response


class DatabaseBusyMiddleware:
    """What the database refused is a 503 that says so (with Retry-After), never a 500.

    A lock it would not grant (after the retries of ``core.db.in_transaction``): the transaction was rolled
    back, nothing was written, the user can simply try again. A connection lost during a read (GET, HEAD) is
    closed and the view run once more on a new one; during any other request it is not (the write may or may
    not have been committed), and the page says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method in ("GET", "HEAD") and is_disconnect(exception) and request.resolver_match:
            close_broken_connection()
            logger.warning("database connection lost on %s %s, reading again: %s", request.method, request.path,
                           exception)
            match = request.resolver_match
            try:
                return match.func(request, *match.args, **match.kwargs)
            except DatabaseError as again:
                response = database_error_response(request, again)
                if response is None:
                    raise
                return response
        return database_error_response(request, exception)
