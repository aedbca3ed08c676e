from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = "考评"

    def ready(self):
        from dangjian.core import action_labels, todos

        from . import (
            evaluation_demo,  # noqa: F401  (registers 考评's demo records)
            evaluation_rules,  # noqa: F401  (考评's rule settings)
        )
        from .evaluation_todos import my_todos
        from .evaluations import ACTION_LABELS

        action_labels.register({"assessment.conduct_record": "记入作风台账"})
        action_labels.register(ACTION_LABELS)
        todos.register(my_todos)
