"""Browser test: a 民主测评 vote on a phone (375 px), without log-in, from the code on the printed sheet; the code
cannot be used twice, and the ballot is stored without the voter."""

from dangjian.accounts.models import User
from dangjian.assessment import evaluation_ballots as ballots
from dangjian.assessment import evaluation_prefill as prefill
from dangjian.assessment import evaluations as ev
from dangjian.assessment.evaluation_models import Ballot, BallotMark, Evaluation, EvaluationRound
from dangjian.assessment.evaluation_rules import DEFAULT_DIMENSIONS
from dangjian.orgs.models import Org

from .conftest import shot


def test_a_democratic_vote_on_a_phone(pages):
    dangwu = User.objects.get(username="dangwu")
    ev.do_save_rules(DEFAULT_DIMENSIONS, actor=dangwu)
    rnd = ev.do_create_round(EvaluationRound(title="党建办2026年第四季度考评", year=2026, period="q4",
                                             org=Org.objects.get(code="SXX-DJB")), actor=dangwu)
    code = ballots.do_issue_codes(rnd, 1, actor=dangwu)[0]
    page = pages.new(375, 740)
    page.goto(f"/assessment/evaluations/vote/?code={code}")
    page.wait_for_selector("h1:has-text('党建办2026年第四季度考评')")
    people = page.locator("fieldset.vote-person")
    assert people.count() == Evaluation.objects.filter(round=rnd).count() > 0
    for i in range(people.count()):
        people.nth(i).locator("label.choice").nth(0 if i == 0 else 1).click()
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "evaluation-vote-phone")
    page.click("button:has-text('提交测评票')")
    page.wait_for_selector("text=投票成功")
    shot(page, "evaluation-vote-done-phone")
    assert Ballot.objects.filter(round=rnd).count() == 1
    assert BallotMark.objects.filter(ballot__round=rnd, grade="excellent").count() == 1
    # the same code again, typed by hand
    page.goto("/assessment/evaluations/vote/")
    page.fill("input[name=code]", code.lower())
    page.click("button:has-text('开始测评')")
    page.wait_for_selector("text=已经使用过")
    assert page.locator("fieldset.vote-person").count() == 0
    # the person's own result on their phone: the scores, each deduction with its reason and source
    prefill.do_prefill(rnd, actor=dangwu)
    mine = Evaluation.objects.get(round=rnd, person__user__username="jijian")
    phone = pages.login("jijian", 375, 740)
    phone.goto(f"/assessment/evaluations/{mine.pk}/")
    phone.wait_for_selector("h2:has-text('加减分及理由')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "evaluation-own-result-phone")
    assert Ballot.objects.filter(round=rnd).count() == 1
