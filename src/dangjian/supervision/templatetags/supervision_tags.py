"""Template filters of 监督: whether the signed-in user holds a capability (for the 群众监督 tab)."""

from django import template

from dangjian.core.scope import has_capability

register = template.Library()


@register.filter
def holds(user, capability: str) -> bool:
    return has_capability(user, capability)
