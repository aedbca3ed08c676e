from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = "考评"

    def ready(self):
        from dangjian.core import action_labels, audit, todos

        from . import (
            evaluation_demo,  # noqa: F401  (registers 考评's demo records)
            evaluation_rules,  # noqa: F401  (考评's rule settings)
        )
        from .evaluation_models import Adjustment, Evaluation, EvaluationReview, MemberRating
        from .evaluation_todos import my_todos
        from .evaluations import ACTION_LABELS

        action_labels.register({"assessment.conduct_record": "记入作风台账"})
        action_labels.register(ACTION_LABELS)
        todos.register(my_todos)
        # Personnel evaluations: their audit records and history are read by the holders of assessment.view only
        # (not by every reader of the audit log).
        for model in (Evaluation, Adjustment, EvaluationReview, MemberRating):
            audit.register_confidential(model, "assessment.view")
