"""The REST API's base (/api/v1/): the API class, its authentication and its Chinese error answers.

Every module's api.py builds on this package; the routers are assembled above the modules, in
dangjian/api_site.py, so that this package imports no module's router.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dangjian.core.actions import refusal_text
from dangjian.core.audit import ConflictError
from dangjian.core.db import in_transaction

from .auth import SessionAuth, TokenAuth
from .errors import describe_validation_errors

# Every operation may answer with these refusals; the schema says so, so that clients (and the
# schemathesis run in tests/security) can rely on it.
ERROR_RESPONSES = {
    "400": "请求有误（如含空字符）", "401": "未登录或令牌无效", "403": "无权执行此操作",
    "404": "记录不存在或不在您的权限范围内", "409": "记录已被他人修改（版本冲突）", "422": "请求参数有误",
    "429": "请求过于频繁",
}
ERROR_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string", "description": "中文说明"},
                                                 "errors": {"description": "逐字段的错误"}}, "required": ["detail"]}


_READS = {"GET", "HEAD", "OPTIONS"}


def _in_transaction(view_func):
    """The operation's call in ``core.db.in_transaction``, as pages run theirs (core.actions): a write the
    database aborted for a deadlock or SQLite busy runs again from the start (the view loads its records anew)."""
    @functools.wraps(view_func)
    def run(request, *args, **kwargs):
        return in_transaction(lambda: view_func(request, *args, **kwargs))
    run.dangjian_retried = True
    return run


def _operations(router):
    for path_view in router.path_operations.values():
        yield from path_view.operations
    for _, child in router._routers:
        yield from _operations(child)


class DangjianAPI(NinjaAPI):
    """The project's NinjaAPI: token or session log-in, and every refusal answered as ``{"detail": 中文说明}``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("title", "规矩 党建工作管理系统 API")
        kwargs.setdefault("version", "1")
        kwargs.setdefault("description", "机关党建工作管理系统的 REST 接口。认证：登录会话（需 CSRF 令牌）或 "
                                         "`Authorization: Bearer <令牌>`。")
        kwargs.setdefault("auth", [TokenAuth(), SessionAuth()])
        kwargs.setdefault("urls_namespace", "api")
        super().__init__(**kwargs)
        for exc_class, handler in (
            (NinjaValidationError, self.on_validation), (ConflictError, self.on_conflict),
            (ValidationError, self.on_model_validation), (PermissionDenied, self.on_forbidden),
            (Http404, self.on_not_found), (AuthenticationError, self.on_unauthenticated),
            (HttpError, self.on_http_error),
        ):
            self.add_exception_handler(exc_class, handler)

    def add_router(self, prefix, router, **kwargs):
        """Every write operation (not GET) runs in one retried transaction: the one place the API does so."""
        super().add_router(prefix, router, **kwargs)
        for operation in _operations(router):
            if not set(operation.methods) <= _READS and not getattr(operation.view_func, "dangjian_retried", False):
                operation.view_func = _in_transaction(operation.view_func)

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERROR_RESPONSES.items():
                    responses.setdefault(code, {"description": text, "content": ref})
        return schema

    def on_validation(self, request, exc):
        return self.create_response(
            request, {"detail": "请求参数有误", "errors": describe_validation_errors(exc.errors)}, status=422)

    def on_conflict(self, request, exc):
        return self.create_response(request, {"detail": refusal_text(exc)}, status=409)

    def on_model_validation(self, request, exc):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return self.create_response(request, {"detail": "数据校验未通过", "errors": errors}, status=422)

    def on_forbidden(self, request, exc):
        return self.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)

    def on_not_found(self, request, exc):
        return self.create_response(request, {"detail": "记录不存在或不在您的权限范围内"}, status=404)

    def on_unauthenticated(self, request, exc):
        return self.create_response(request, {"detail": "未登录或令牌无效"}, status=401)

    def on_http_error(self, request, exc):
        return self.create_response(request, {"detail": str(exc)}, status=exc.status_code)
