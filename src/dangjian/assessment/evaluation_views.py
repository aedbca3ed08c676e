"""Pages of 考评 (thin: scope through visible_to / get_visible_or_404, every change through the evaluation* service modules).

The readers (assessment.view) see the rounds in their scope; everyone sees their own results (the own-record rule),
gives their 自评 and asks for 复核. The 民主测评 vote page needs no log-in: the one-time code is the ballot's
only key.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import ratelimit
from dangjian.core.actions import refusal_text, run_action
from dangjian.core.scope import get_visible_or_404, has_capability, scope_roots
from dangjian.core.web import int_param, paginate, year_field
from dangjian.orgs.models import Org

from . import evaluation_ballots as ballots
from . import evaluation_members as party_review
from . import evaluation_prefill as prefill
from . import evaluation_results as results
from . import evaluations as ev
from .evaluation_models import (
    Adjustment,
    Evaluation,
    EvaluationReview,
    EvaluationRound,
    FollowUp,
    Grade,
    MemberGrade,
    MemberRating,
    MemberReview,
    Period,
    ScoringRules,
)

VIEW, CHANGE = "assessment.view", "assessment.change"


class RoundForm(forms.Form):
    title = forms.CharField(label="名称", max_length=100)
    year = year_field(label="年度")
    period = forms.ChoiceField(label="类型", choices=Period.choices)
    org = forms.ModelChoiceField(label="考评范围", queryset=Org.objects.none())
    weight_self = forms.IntegerField(label="自评权重（%）", min_value=0, max_value=100, initial=10)
    weight_leader = forms.IntegerField(label="领导评价权重（%）", min_value=0, max_value=100, initial=40)
    weight_peer = forms.IntegerField(label="同事互评权重（%）", min_value=0, max_value=100, initial=20)
    weight_democratic = forms.IntegerField(label="民主测评权重（%）", min_value=0, max_value=100, initial=30)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roots = scope_roots(user, CHANGE) if user else []
        q = Q(pk__in=[])
        for path in roots:
            q |= Q(path__startswith=path)
        self.fields["org"].queryset = Org.objects.filter(q, is_active=True).order_by("path")


@login_required
def index(request):
    """考评: the rounds in the reader's scope, and one's own results."""
    user = request.user
    # a grouped query keeps no Meta.ordering: ordered here, so that no round is on two pages or on none
    rounds = (EvaluationRound.objects.visible_to(user).select_related("org").annotate(n=Count("evaluations"))
              .order_by("-year", "-id"))
    mine = (Evaluation.objects.visible_to(user).filter(person__user=user).select_related("round")
            .order_by("-round__year", "-pk")[:20])
    return render(request, "assessment/evaluations/index.html", {
        "page": paginate(request, rounds), "mine": mine, "can_change": has_capability(user, CHANGE),
        "form": RoundForm(user=user, initial={"year": timezone.localdate().year}) if has_capability(user, CHANGE)
        else None,
        "reader": has_capability(user, VIEW)})


@login_required
@require_POST
def round_add(request):
    if not has_capability(request.user, CHANGE):
        raise Http404("页面不存在")
    form = RoundForm(request.POST, user=request.user)

    def create():
        data = form.cleaned_data
        return ev.do_create_round(EvaluationRound(**data), actor=request.user)

    return run_action(request, create, lambda r: f"已发起“{r}”，共{r.evaluations.count()}人。",
                      "assessment:eval_index", form=form, prefix="未发起：")


class RulesForm(forms.Form):
    text = forms.CharField(label="评分细则（每行一个条目）", widget=forms.Textarea(attrs={"rows": 14}),
                           help_text="维度|代码|名称|扣分或加分|每次分值|上限|计分规则|所需佐证|预填来源")
    note = forms.CharField(label="修订说明", max_length=200)


@login_required
def rules(request):
    """评分细则: the version in force, its history, and (for the changers) a new version."""
    if not has_capability(request.user, VIEW):
        raise Http404("页面不存在")
    current = ev.current_rules()
    can_change = has_capability(request.user, CHANGE)
    form = RulesForm(request.POST or None, initial={"text": ev.rules_text(current)}) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise Http404("页面不存在")
        return run_action(request, lambda: ev.do_save_rules(ev.parse_rules_text(form.cleaned_data["text"]),
                                                            actor=request.user, note=form.cleaned_data["note"]),
                          lambda v: f"已保存{v}。", "assessment:eval_rules", form=form, prefix="未保存：")
    return render(request, "assessment/evaluations/rules.html", {
        "current": current, "form": form, "versions": ScoringRules.objects.order_by("-number")[:20]})


@login_required
def round_detail(request, pk):
    rnd = get_visible_or_404(EvaluationRound, request.user, pk)
    evaluations = (Evaluation.objects.visible_to(request.user).filter(round=rnd).select_related("person", "org")
                   .annotate(proposed=Count("adjustments", filter=Q(adjustments__status="proposed")))
                   .order_by("person__name", "id"))
    grade_counts = dict(Evaluation.objects.filter(round=rnd).values_list("grade").annotate(n=Count("id")))
    return render(request, "assessment/evaluations/round.html", {
        "r": rnd, "page": paginate(request, evaluations), "ballots": ballots.ballot_counts(rnd),
        "grades": [(label, grade_counts.get(value, 0)) for value, label in Grade.choices],
        "can_change": has_capability(request.user, CHANGE) and not rnd.frozen,
        "can_approve": has_capability(request.user, "assessment.approve") and not rnd.frozen,
        "review_deadline": results.review_deadline(rnd)})


@login_required
@require_POST
def round_action(request, pk):
    rnd = get_visible_or_404(EvaluationRound, request.user, pk)
    op = request.POST.get("op")
    if op == "prefill":
        return run_action(request, lambda: prefill.do_prefill(rnd, actor=request.user), lambda n: f"已预填加减分{n}条。",
                          f"/assessment/evaluations/rounds/{rnd.pk}/", prefix="未预填：")
    if op == "approve":
        return run_action(request, lambda: results.do_approve(rnd, actor=request.user), "党组已审定，考评结果已冻结。",
                          f"/assessment/evaluations/rounds/{rnd.pk}/", prefix="未审定：")
    if op == "tally":
        return run_action(request, lambda: ballots.do_tally(rnd, actor=request.user), "已统计民主测评结果。",
                          f"/assessment/evaluations/rounds/{rnd.pk}/", prefix="未统计：")
    raise Http404("页面不存在")


@login_required
@require_POST
def round_codes(request, pk):
    """The printable sheet of new one-time codes (shown once: only their digests are kept)."""
    import segno

    rnd = get_visible_or_404(EvaluationRound, request.user, pk)
    count = int_param(request.POST, "count", 0, maximum=100000)
    try:
        codes = ballots.do_issue_codes(rnd, count, actor=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc, "未生成："))
        return redirect("assessment:eval_round", pk=rnd.pk)
    vote = request.build_absolute_uri("/assessment/evaluations/vote/")
    sheet = [(c, segno.make(f"{vote}?code={c}", error="m").svg_data_uri(scale=3)) for c in codes]
    response = render(request, "assessment/evaluations/codes.html", {"r": rnd, "sheet": sheet, "vote": vote})
    response["Cache-Control"] = "no-store"  # the only copy of the codes: not kept by the browser or a proxy
    return response


class ScoreForm(forms.Form):
    rater = forms.ChoiceField(label="评分类别", choices=[("self", "自评"), ("leader", "领导评价"), ("peer", "同事互评")])
    score = forms.DecimalField(label="分数（0—100）", max_digits=6, decimal_places=2)


class AdjustForm(forms.Form):
    item = forms.ChoiceField(label="评分条目")
    points = forms.DecimalField(label="分值（扣分为负数）", max_digits=6, decimal_places=2)
    summary = forms.CharField(label="事由", max_length=300)
    evidence = forms.CharField(label="佐证", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _score_form(own: bool, can_change: bool) -> ScoreForm:
    """自评 for the person themself; 领导评价 and 同事互评 for the raters (entered by the 党务 staff)."""
    form = ScoreForm()
    form.fields["rater"].choices = [(k, label) for k, label in form.fields["rater"].choices
                                    if (k == "self" and own) or (k != "self" and can_change)]
    return form


@login_required
def evaluation_detail(request, pk):
    e = get_visible_or_404(Evaluation.objects.select_related("round__rules", "person", "org"), request.user, pk)
    can_change = has_capability(request.user, CHANGE) and Evaluation.objects.visible_to(
        request.user, "change").filter(pk=e.pk).exists()
    own = e.person.user_id == request.user.pk
    adjust = None
    if can_change and not e.round.frozen:
        adjust = AdjustForm()
        adjust.fields["item"].choices = [(code, f"{i['dimension']}·{i['name']}（{'扣' if i['kind'] == 'deduct' else '加'}"
                                          f"{i['points']}分/次，上限{i['cap']}）") for code, i in e.round.rules.items().items()]
    return render(request, "assessment/evaluations/evaluation.html", {
        "e": e, "r": e.round, "adjustments": e.adjustments.select_related("decided_by"),
        "reviews": e.reviews.all(), "can_change": can_change, "own": own, "adjust": adjust,
        "score_form": _score_form(own, can_change) if (can_change or own) and not e.round.frozen else None,
        "grades": Grade.choices, "review_deadline": results.review_deadline(e.round), "items": e.round.rules.items()})


@login_required
@require_POST
def evaluation_action(request, pk):
    """One change to an evaluation: score, adjust, decide, grade, review (the person's request) or answer."""
    e = get_visible_or_404(Evaluation.objects.select_related("round", "person"), request.user, pk)
    user, post, op = request.user, request.POST, request.POST.get("op")
    back = f"/assessment/evaluations/{e.pk}/"
    version = int_param(post, "version", None)
    if op == "score":
        form = ScoreForm(post)
        return run_action(request, lambda: ev.do_score(e, form.cleaned_data["rater"], form.cleaned_data["score"],
                                                       actor=user, expected_version=version),
                          "已保存评分。", back, form=form)
    if op == "adjust":
        return run_action(request, lambda: ev.do_add_adjustment(
            e, item=post.get("item", ""), points=post.get("points", ""), summary=post.get("summary", ""),
            evidence=post.get("evidence", ""), actor=user), "已录入加减分。", back, prefix="未录入：")
    if op == "decide":
        adj = get_visible_or_404(Adjustment.objects.filter(evaluation=e), user, int_param(post, "adjustment", 0))
        return run_action(request, lambda: ev.do_decide_adjustment(
            adj, confirm=post.get("confirm") == "1", reason=post.get("reason", ""), actor=user,
            expected_version=version), "已处理。", back, prefix="未处理：")
    if op == "grade":
        return run_action(request, lambda: ev.do_set_grade(e, post.get("grade", ""), reason=post.get("reason", ""),
                                                           actor=user, expected_version=version),
                          "已评定等次。", back, prefix="未评定：")
    if op == "review":
        return run_action(request, lambda: results.do_request_review(e, reason=post.get("reason", ""), actor=user),
                          "已提交复核申请。", back, prefix="未提交：")
    if op == "answer":
        review = get_visible_or_404(EvaluationReview.objects.filter(evaluation=e), user, int_param(post, "review", 0))
        return run_action(request, lambda: results.do_answer_review(review, answer=post.get("answer", ""),
                                                               new_grade=post.get("new_grade", ""), actor=user),
                          "已答复复核申请。", back, prefix="未答复：")
    raise Http404("页面不存在")


@ratelimit.rate_limit("assessment.ballot_per_minute", scope="ballot", methods=("GET", "POST"))
def vote(request):
    """民主测评 on a phone, without log-in: the code from the sheet (typed, or in the QR's link) opens the ballot."""
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:32]
    (rnd, used), error, done = (ballots.ballot_round(code) if code else (None, False)), "", False
    if used and "cast" not in request.POST:
        rnd, error = None, "票码：已经使用过，每个票码只能投票一次"
    elif request.method == "POST" and rnd is not None and "cast" in request.POST:
        grades = {pk: request.POST.get(f"g{pk}", "")
                  for pk in Evaluation.objects.filter(round=rnd).values_list("pk", flat=True)}
        try:
            ballots.cast_ballot(code, grades)
            done = True
        except ValidationError as exc:
            error = refusal_text(exc)
    elif code and rnd is None:
        error = "票码：无效，请核对测评票上的票码"
    people = (Evaluation.objects.filter(round=rnd).select_related("person").order_by("person__name", "pk")
              if rnd is not None and not done else [])
    return render(request, "assessment/evaluations/vote.html", {
        "code": code, "r": rnd, "people": people, "grades": Grade.choices, "error": error, "done": done,
        "chosen": request.POST if error else {}})


# ---- 民主评议党员 ----------------------------------------------------------------------------------------

@login_required
def members(request):
    if not has_capability(request.user, VIEW):
        raise Http404("页面不存在")
    reviews = MemberReview.objects.visible_to(request.user).select_related("org").annotate(
        n=Count("ratings"), unqualified=Count("ratings", filter=Q(ratings__grade=MemberGrade.UNQUALIFIED))
    ).order_by("-year", "org_path", "id")
    if request.method == "POST":
        if not has_capability(request.user, CHANGE):
            raise Http404("页面不存在")
        return run_action(request, lambda: party_review.do_open_member_review(
            int_param(request.POST, "branch", 0), int_param(request.POST, "year", 0), actor=request.user),
            lambda r: f"已发起{r}。", "assessment:eval_members", prefix="未发起：")
    branches = Org.objects.visible_to(request.user).filter(kind="branch", is_active=True).order_by("path")
    return render(request, "assessment/evaluations/members.html", {
        "page": paginate(request, reviews), "branches": branches if has_capability(request.user, CHANGE) else [],
        "year": timezone.localdate().year})


@login_required
def member_review(request, pk):
    review = get_visible_or_404(MemberReview.objects.select_related("org"), request.user, pk)
    ratings = {r.person_id: r for r in review.ratings.all()}
    people = list(party_review.branch_members(review.org).order_by("name", "pk"))
    for p in people:
        p.rating = ratings.get(p.pk)
    return render(request, "assessment/evaluations/member_review.html", {
        "review": review, "people": people, "grades": MemberGrade.choices, "follow_ups": FollowUp.choices,
        "can_change": has_capability(request.user, CHANGE) and MemberReview.objects.visible_to(
            request.user, "change").filter(pk=review.pk).exists()})


@login_required
@require_POST
def member_action(request, pk):
    review = get_visible_or_404(MemberReview.objects.select_related("org"), request.user, pk)
    post, back = request.POST, f"/assessment/evaluations/members/{review.pk}/"
    if post.get("op") == "follow_up":
        rating = get_visible_or_404(MemberRating.objects.filter(review=review), request.user,
                                    int_param(post, "rating", 0))
        form = FollowUpDoneForm(post)
        return run_action(request, lambda: party_review.do_record_follow_up(rating, done_on=form.cleaned_data["done_on"],
                                                                  note=form.cleaned_data["note"], actor=request.user),
                          "已登记组织处置。", back, form=form)
    grades = {}
    for person_id in party_review.branch_members(review.org).values_list("pk", flat=True):
        grade = post.get(f"g{person_id}", "")
        if grade:
            grades[person_id] = (grade, post.get(f"f{person_id}", ""))
    return run_action(request, lambda: party_review.do_rate_members(review, grades, actor=request.user), "已保存评定结果。",
                      back, prefix="未保存：")


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label="处置完成日期")
    note = forms.CharField(label="处置情况", max_length=500)
