"""Core's own pages: 即将上线 modules, record history and restore, the audit log, and the error pages."""

import sys

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import audit
from . import history as versions
from .actions import run_action
from .documents import xlsx_response
from .forms import AuditFilterForm
from .middleware import database_error_response
from .models import AuditEvent
from .navigation import COMING
from .scope import ScopedQuerySet, get_visible_or_404, has_capability, path_in_scope, require_capability
from .web import paginate


def healthz(request):
    """For load balancers and the throughput benchmark's bare page: no session, no template, no write;
    one ``SELECT 1`` so that a server that lost its database is taken out of rotation (503)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "detail": "数据库不可用"}, status=503)
    return JsonResponse({"status": "ok", "detail": "服务正常"})


@login_required
def coming(request, module):
    if module not in COMING:
        raise Http404("没有这个模块")
    return render(request, "core/coming.html", {"module_title": COMING[module]})


def _history_target(request, label, pk, action="view"):
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404("没有这种记录") from exc
    # Only business records placed in the org tree have a history page; anything else (the audit
    # log itself, accounts…) is not reachable through it, whatever manager methods it has.
    if not isinstance(model._default_manager.all(), ScopedQuerySet):
        raise Http404("没有这种记录")
    obj = get_visible_or_404(model, request.user, pk, action)
    # A confidential record's history (its full snapshots) is not for those who see it as party to it only.
    capability = audit.confidential_capability(model)
    if capability and not path_in_scope(request.user, capability, obj.org_path):
        raise Http404("记录不存在或不在您的权限范围内")
    return model, obj


@login_required
def history(request, label, pk):
    model, obj = _history_target(request, label, pk)
    page = paginate(request, audit.history(obj))
    return render(request, "core/history.html", {
        "obj": obj, "label": label, "model_name": model._meta.verbose_name, "page": page,
        "versions": versions.versions(model, page.object_list),
        "restorable": audit.restorer_for(model) is not None})


@login_required
@require_POST
def restore(request, label, pk, event_id):
    model, obj = _history_target(request, label, pk, "change")
    restorer = audit.restorer_for(model)
    if restorer is None:  # a workflow record: its state changes only through its own steps
        raise PermissionDenied(f"{model._meta.verbose_name}不能恢复历史版本：请通过其办理流程更改（如事项销号后的“重新打开”，须说明理由）。")
    event = get_object_or_404(audit.history(obj), pk=event_id)
    return run_action(request, lambda: restorer(obj, event, actor=request.user),
                      f"已将“{obj}”恢复到所选版本。", reverse("history", kwargs={"label": label, "pk": pk}),
                      records=[obj])


@login_required
def audit_log(request):
    require_capability(request.user, "audit.view", what="查看审计日志")
    form = AuditFilterForm(request.GET or None)
    events = form.filter(AuditEvent.objects.visible_to(request.user))
    if request.GET.get("export") == "xlsx":
        require_capability(request.user, "audit.export", what="导出审计日志")
        audit.security_event("audit.export", actor=request.user, message=request.GET.urlencode()[:400])
        rows = (
            [e.at, e.get_category_display(), e.action_label, e.actor_name, e.ip or "", e.target_repr,
             "成功" if e.success else "失败", e.message]
            for e in events.iterator()
        )
        return xlsx_response("审计日志", ["时间", "类别", "操作", "操作人", "地址", "对象", "结果", "说明"], rows)
    return render(request, "core/audit_log.html", {"form": form, "page": paginate(request, events),
                                                   "can_export": has_capability(request.user, "audit.export")})


def _api_error(request, status: int, detail: str):
    """API clients get JSON errors from the URL resolver and middleware too, never an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return None


def permission_denied(request, exception=None):
    return _api_error(request, 403, "无权执行此操作") or render(
        request, "403.html", {"reason": str(exception or "")}, status=403)


def not_found(request, exception=None):
    return _api_error(request, 404, "记录不存在或不在您的权限范围内") or render(request, "404.html", status=404)


# Used when even the 500 page cannot render (e.g. the database is down): no template, no trace.
_BARE_500 = ('<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>系统繁忙</title></head>'
             "<body><h1>系统繁忙</h1><p>服务器处理出错，已记录，请稍后重试。</p></body></html>")


def server_error(request):
    # what the database refused outside a view (a lost connection in a middleware…) is a 503 that says so
    if (raised := sys.exc_info()[1]) is not None and (refused := database_error_response(request, raised)):
        return refused
    if api := _api_error(request, 500, "系统繁忙，请稍后重试"):
        return api
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001 - the error page must never fail in turn
        return HttpResponseServerError(_BARE_500)


def csrf_failure(request, reason=""):
    """A refused form token (expired page, forged post): the Chinese 403 page, not Django's English one.

    Every refusal is a security event: a run of them from one address is what a forged-post attack looks like.
    """
    user = getattr(request, "user", None)
    audit.security_event("csrf.refused", actor=user if user is not None and user.is_authenticated else None,
                         success=False, message=f"{request.method} {request.path[:200]}：{reason}"[:500])
    return render(request, "403.html", {"reason": "页面已过期或表单令牌无效，请返回上一页刷新后重新提交。"}, status=403)


def bad_request(request, exception=None):
    # our own BadRequest says in Chinese what is wrong (a period's format…); other 400s (suspicious requests)
    # say nothing more
    reason = str(exception) if type(exception) is BadRequest else ""
    return _api_error(request, 400, reason or "请求有误") or render(request, "400.html", {"reason": reason},
                                                                 status=400)


__all__ = ["PermissionDenied"]
