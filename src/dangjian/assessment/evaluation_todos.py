"""考评 in the home page's to-do list (core.todos): 复核 awaiting an answer and 不合格党员's 组织处置 awaiting its
completion, for those who answer them (assessment.change over the record), by their due day."""

from dangjian.core.todos import Todo

from .evaluation_models import EvaluationReview, MemberRating, ReviewStatus

LIMIT = 20  # a home page list, not the full register


def my_todos(user, today, until) -> list[Todo]:
    reviews = (EvaluationReview.objects.visible_to(user, "change").filter(status=ReviewStatus.OPEN, due_on__lte=until)
               .select_related("evaluation__person").order_by("due_on", "pk")[:LIMIT])
    ratings = (MemberRating.objects.visible_to(user, "change").exclude(follow_up="")
               .filter(follow_up_done_on__isnull=True, follow_up_due__lte=until)
               .select_related("person").order_by("follow_up_due", "pk")[:LIMIT])
    return ([Todo(r.due_on, f"考评复核待答复：{r.evaluation.person}", f"/assessment/evaluations/{r.evaluation_id}/")
             for r in reviews]
            + [Todo(r.follow_up_due, f"不合格党员组织处置：{r.person}（{r.get_follow_up_display()}）",
                    f"/assessment/evaluations/members/{r.review_id}/") for r in ratings])
