from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = "考评"

    def ready(self):
        from dangjian.core import action_labels, audit

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            ledger_rules,  # noqa: F401  (the 影响期 of each form of 问责)
            tasks,  # noqa: F401  (the daily 超期未办 check)
        )
        from .models import (
            Accountability,
            Commendation,
            Commitment,
            CommitmentProgress,
            ConductEntry,
            TaskScore,
        )

        # Personnel records: their audit records and history are read only where the reader reads the records.
        for model in (ConductEntry, Commitment, CommitmentProgress, Commendation, Accountability, TaskScore):
            audit.register_confidential(model, "assessment.view")
        action_labels.register({
            "assessment.conduct_record": "记入作风台账", "assessment.commitment_create": "登记量化承诺",
            "assessment.commitment_progress": "报告承诺进展", "assessment.commitment_check": "核查量化承诺",
            "assessment.commendation_create": "登记先进典型", "assessment.accountability_create": "登记问责",
            "assessment.task_score": "责任状任务评分", "assessment.file_open": "查阅干部考评档案"})
