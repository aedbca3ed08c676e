"""The real URLs plus routes that fail on purpose, to see the error pages a user would get."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from dangjian import urls as real


def boom(request):
    raise RuntimeError("秘密的内部细节 SECRET-TRACE-42")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("SECRET-TRACE-43")


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), path("suspicious/", suspicious),
               *real.urlpatterns]
handler400, handler403, handler404, handler500 = real.handler400, real.handler403, real.handler404, real.handler500
