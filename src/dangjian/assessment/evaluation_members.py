"""民主评议党员: a branch's yearly grades for its members (优秀 within the cap) and the 组织处置 of each 不合格 one."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, rule_settings
from dangjian.core.models import lock_row
from dangjian.core.scope import require_capability
from dangjian.orgs.models import Org, OrgKind, PartyStatus, Person

from . import evaluation_rules as rules
from .evaluation_models import (
    FollowUp,
    MemberGrade,
    MemberRating,
    MemberReview,
)

# ---- 民主评议党员 ---------------------------------------------------------------------------------------

def branch_members(branch: Org):
    """Who is graded, and counted for the 优秀 cap: the branch's 正式党员 — 预备党员 take part but are not graded, and
    “党员总数” means the 正式党员 (docs/rules.md, assessment.member_excellent_cap)."""
    return Person.objects.filter(branch=branch, is_active=True, party_status=PartyStatus.FULL)


def do_open_member_review(branch_id: int, year: int, *, actor) -> MemberReview:
    """民主评议党员 of one branch for one year (once)."""
    branch = Org.objects.filter(pk=branch_id, kind=OrgKind.BRANCH).first()
    if branch is None:
        raise ValidationError({"branch": "党支部：请选择党支部"})
    require_capability(actor, "assessment.change", path=branch.path, what="发起民主评议党员")
    if not 2000 <= (year or 0) <= 2100:
        raise ValidationError({"year": "年度：无效"})
    if MemberReview.objects.filter(org=branch, year=year).exists():
        raise ValidationError({"year": f"年度：{branch}{year}年民主评议党员已发起"})
    return audit.save_audited(MemberReview(org=branch, year=year), actor=actor, action="assessment.member_review")


def do_rate_members(review: MemberReview, grades: dict[int, tuple[str, str]], *, actor) -> MemberReview:
    """The branch's grades for its members, all at once: 优秀 within the cap, each 不合格 with its 组织处置."""
    require_capability(actor, "assessment.change", path=review.org_path, what="评定民主评议等次")
    members = dict(branch_members(review.org).values_list("pk", "name"))
    errors = [f"{pk}：不是本支部党员" for pk in grades if pk not in members]
    errors += [f"{members[pk]}：等次无效" for pk, (g, _f) in grades.items() if pk in members and g not in MemberGrade.values]
    errors += [f"{members[pk]}：评为不合格的，须确定组织处置（限期改正、劝其退党或除名）"
               for pk, (g, f) in grades.items() if pk in members and g == MemberGrade.UNQUALIFIED
               and f not in FollowUp.values]
    if errors:
        raise ValidationError({"grades": errors})
    cap = rule_settings.get("assessment.member_excellent_cap")
    excellent = sum(1 for g, _f in grades.values() if g == MemberGrade.EXCELLENT)
    if excellent > math.floor(len(members) * cap):
        raise ValidationError({"grades": f"优秀等次：{excellent}人，超过党员{len(members)}人的{cap}（最多"
                                         f"{math.floor(len(members) * cap)}人）；{rules.MEMBER_EXCELLENT_CAP.source}"})
    today = timezone.localdate()
    months = rule_settings.get("assessment.correct_months")
    with transaction.atomic():
        review = lock_row(MemberReview, review.pk)
        if review.closed:
            raise ValidationError({"grades": f"{review}：已评定，不能修改"})
        existing = {r.person_id: r for r in review.ratings.select_for_update()}
        for pk, (grade, follow) in grades.items():
            rating = existing.get(pk) or MemberRating(review=review, person_id=pk, org_id=review.org_id)
            rating.grade = grade
            rating.follow_up = follow if grade == MemberGrade.UNQUALIFIED else ""
            due_month = today.month - 1 + (months if follow == FollowUp.CORRECT else 1)
            rating.follow_up_due = (dt.date(today.year + due_month // 12, due_month % 12 + 1,
                                            min(today.day, 28)) if rating.follow_up else None)
            audit.save_audited(rating, actor=actor, action="assessment.member_rate")
        review.held_on = review.held_on or today
        review.closed = len(grades) == len(members)
        return audit.save_audited(review, actor=actor, action="assessment.member_review")


def do_record_follow_up(rating: MemberRating, *, done_on: dt.date, note: str, actor) -> MemberRating:
    require_capability(actor, "assessment.change", path=rating.org_path, what="登记组织处置")
    if not rating.follow_up:
        raise ValidationError({"follow_up": "组织处置：该党员无须组织处置"})
    if not (note or "").strip():
        raise ValidationError({"follow_up_note": "处置情况：不能为空"})
    rating.follow_up_done_on, rating.follow_up_note = done_on, note.strip()
    return audit.save_audited(rating, actor=actor, action="assessment.member_follow_up")
