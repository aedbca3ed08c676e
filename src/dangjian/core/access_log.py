"""The web server's access log (gunicorn ``--logger-class``): as gunicorn writes it, except that a request to a
page that must not record who visits it (the public 群众监督 portal, docs/rules.md) is logged with no address,
no user agent, no referrer and none of the request's headers or environment — only the time, the request line
(its URLs carry no 查询码: lookups are POSTs), the status and the size."""

from __future__ import annotations

from gunicorn.glogging import Logger

from .privacy import is_unrecorded

_KEPT = frozenset("trsmUqHbBTDMLp")


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if is_unrecorded(environ.get("PATH_INFO")):
            atoms = {key: (value if key in _KEPT else "-") for key, value in atoms.items()
                     if not key.startswith("{")}
        return atoms
