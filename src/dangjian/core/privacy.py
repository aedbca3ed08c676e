"""Paths whose visitors are not recorded: the public 群众监督 portal (supervision/portal_urls.py, docs/rules.md).

For them the request carries no address into the audit context (core.middleware.RequestContextMiddleware), so
that no event recorded while serving them — by a middleware or a view — names one, and the web server's access
line has no address or user agent (core.access_log). The address is kept on the request only for the rate
limits, which count a keyed digest of it in the cache."""

UNRECORDED_PREFIXES = ("/gongkai/",)


def is_unrecorded(path: str) -> bool:
    return (path or "").startswith(UNRECORDED_PREFIXES)
