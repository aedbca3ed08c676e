"""Demo record of 年度报告: the agency's report for this year, drafted from every module's demo records
(appended to orgs.demo.DEMO_BUILDERS after the modules' builders: reports is installed after them)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.demo import DEMO_BUILDERS

from .annual import create_report


def build(context: dict) -> None:
    staff = User.objects.get(username="dangwu")
    create_report(context["root"], timezone.localdate().year, actor=staff)


DEMO_BUILDERS.append(build)
