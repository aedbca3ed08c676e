"""考评 pages: a round driven through the pages by 党务, the person's own view and 复核 request, the 党组书记's
approval, the anonymous vote page, 民主评议 pages, and a fixed number of queries on the lists."""

import re

import pytest
from django.test import Client

from dangjian.assessment import evaluation_members as member_review
from dangjian.assessment import evaluations as ev
from dangjian.assessment.evaluation_models import Ballot, Evaluation, EvaluationRound, MemberReview
from dangjian.assessment.evaluation_rules import DEFAULT_DIMENSIONS
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_round_pages_end_to_end(demo, frozen_today, django_assert_max_num_queries):
    dangwu, kezhang = signed_in(demo["users"]["dangwu"]), signed_in(demo["users"]["kezhang"])
    assert dangwu.get("/assessment/evaluations/rules/").status_code == 200
    r = dangwu.post("/assessment/evaluations/rules/", {"text": ev.rules_text(None), "note": "首版"})
    assert r.status_code == 302 and ev.current_rules().number >= 1
    data = {"title": "办公室2026年第四季度考评", "year": 2026, "period": "q4", "org": demo["orgs"]["SXX-BGS"].pk,
            "weight_self": 10, "weight_leader": 40, "weight_peer": 20, "weight_democratic": 30}
    r = dangwu.post("/assessment/evaluations/new/", {**data, "weight_self": 20}, follow=True)
    assert "权重之和须为100" in r.content.decode()
    dangwu.post("/assessment/evaluations/new/", data)
    rnd = EvaluationRound.objects.get(title=data["title"])
    url = f"/assessment/evaluations/rounds/{rnd.pk}/"
    dangwu.post(url + "action/", {"op": "prefill"})
    with django_assert_max_num_queries(20):
        page = dangwu.get(url)
    assert page.status_code == 200 and "从记录预填加减分" in page.content.decode()
    sheet = dangwu.post(url + "codes/", {"count": 2}).content.decode()
    codes = re.findall(r"<strong>([A-Z2-9]{10})</strong>", sheet)
    assert len(codes) == 2 and "data:image/svg+xml" in sheet
    mine = Evaluation.objects.get(round=rnd, person=demo["users"]["kezhang"].person)
    assert kezhang.get(f"/assessment/evaluations/{mine.pk}/").status_code == 200
    other = Evaluation.objects.filter(round=rnd).exclude(pk=mine.pk).first()
    assert kezhang.get(f"/assessment/evaluations/{other.pk}/").status_code == 404  # not theirs
    kezhang.post(f"/assessment/evaluations/{mine.pk}/action/", {"op": "score", "rater": "self", "score": "101"})
    mine.refresh_from_db()
    assert mine.self_score is None
    r = kezhang.post(f"/assessment/evaluations/{mine.pk}/action/", {"op": "score", "rater": "leader", "score": "99"})
    assert r.status_code == 403
    # the vote page, without log-in
    anon = Client()
    first = anon.get(f"/assessment/evaluations/vote/?code={codes[0]}").content.decode()
    assert rnd.title in first and "无记名投票" in first
    grades = {f"g{e}": "competent" for e in Evaluation.objects.filter(round=rnd).values_list("pk", flat=True)}
    done = anon.post("/assessment/evaluations/vote/", {"code": codes[0], "cast": "1", **grades}).content.decode()
    assert "投票成功" in done and Ballot.objects.filter(round=rnd).count() == 1
    again = anon.post("/assessment/evaluations/vote/", {"code": codes[0], "cast": "1", **grades}).content.decode()
    assert "已经使用过" in again and Ballot.objects.filter(round=rnd).count() == 1
    assert "票码：无效" in anon.get("/assessment/evaluations/vote/?code=WRONGCODE1").content.decode()
    with django_assert_max_num_queries(12):
        assert dangwu.get("/assessment/evaluations/").status_code == 200


def test_member_review_pages(demo, frozen_today):
    dangwu, zhibu = signed_in(demo["users"]["dangwu"]), signed_in(demo["users"]["zhibu"])
    branch = demo["orgs"]["SXX-ZB2"]
    MemberReview.objects.filter(org=branch, year=2030).delete()
    dangwu.post("/assessment/evaluations/members/", {"branch": branch.pk, "year": 2030})
    review = MemberReview.objects.get(org=branch, year=2030)
    page = dangwu.get(f"/assessment/evaluations/members/{review.pk}/").content.decode()
    assert "保存评定结果" in page
    members = list(member_review.branch_members(branch).values_list("pk", flat=True))
    post = {f"g{pk}": "qualified" for pk in members}
    post[f"g{members[0]}"] = "unqualified"
    r = dangwu.post(f"/assessment/evaluations/members/{review.pk}/action/", post, follow=True)
    assert "组织处置" in r.content.decode() and not review.ratings.exists()
    post[f"f{members[0]}"] = "correct"
    dangwu.post(f"/assessment/evaluations/members/{review.pk}/action/", post)
    assert review.ratings.count() == len(members)
    assert zhibu.get(f"/assessment/evaluations/members/{review.pk}/").status_code == 404  # no assessment grant
    assert ev.do_save_rules(DEFAULT_DIMENSIONS, actor=demo["users"]["dangwu"]).number >= 1


def test_the_demo_rounds_figures_match_their_records(demo):
    """The demo's approved round: each grade's count on the page is the number of results with that grade, the
    ballots shown are the ballots stored, and the 复核 is on the person's page with its answer."""
    from dangjian.assessment.evaluation_models import Grade, RoundStatus

    last = EvaluationRound.objects.filter(org=demo["orgs"]["SXX"], status=RoundStatus.APPROVED).latest("year")
    html = signed_in(demo["users"]["shuji"]).get(f"/assessment/evaluations/rounds/{last.pk}/").content.decode()
    for value, label in Grade.choices:
        assert f"{label}{Evaluation.objects.filter(round=last, grade=value).count()}人" in html
    assert "结果已冻结" in html and "党组审定</button>" not in html
    reviewed = Evaluation.objects.get(round=last, reviews__isnull=False)
    own = signed_in(reviewed.person.user).get(f"/assessment/evaluations/{reviewed.pk}/").content.decode()
    assert "维持原结果" in own and "保存评分" not in own
    current = EvaluationRound.objects.get(org=demo["orgs"]["SXX"], status=RoundStatus.OPEN)
    page = signed_in(demo["users"]["dangwu"]).get(f"/assessment/evaluations/rounds/{current.pk}/").content.decode()
    assert f"已投{Ballot.objects.filter(round=current).count()}张" in page
