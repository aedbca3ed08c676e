"""Template filters for field labels: {% load labels %} {{ field.label|short_label }}."""

from django import template

from dangjian.core.web import short_label as _short_label

register = template.Library()


@register.filter
def short_label(label) -> str:
    return _short_label(label)
