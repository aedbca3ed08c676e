"""The REST API (/api/v1/), assembled from each module's router. Same scope rules as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dangjian.core.audit import ConflictError

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


class DangjianAPI(NinjaAPI):
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


api = DangjianAPI(
    title="规矩 党建工作管理系统 API",
    version="1",
    description="机关党建工作管理系统的 REST 接口。认证：登录会话（需 CSRF 令牌）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def on_validation(request, exc):
    return api.create_response(request, {"detail": "请求参数有误", "errors": describe_validation_errors(exc.errors)},
                               status=422)


@api.exception_handler(ConflictError)
def on_conflict(request, exc):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=409)


@api.exception_handler(ValidationError)
def on_model_validation(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "数据校验未通过", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "记录不存在或不在您的权限范围内"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _register():
    from dangjian.duties.api import router as duties_router
    from dangjian.matters.api import router as matters_router
    from dangjian.meetings.api import router as meetings_router
    from dangjian.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)
    api.add_router("/duties", duties_router)
    api.add_router("/matters", matters_router)
    api.add_router("/meetings", meetings_router)


_register()
