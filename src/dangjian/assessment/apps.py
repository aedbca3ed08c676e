from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = "考评"

    def ready(self):
        from dangjian.core import action_labels

        action_labels.register({"assessment.conduct_record": "记入作风台账"})
