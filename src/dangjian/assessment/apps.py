from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = "考评"

    def ready(self):
        from dangjian.core import action_labels, audit, todos
        from dangjian.supervision.services import talk_recorded
        from dangjian.supervision.verdicts import complaint_upheld

        from . import (
            checklist_demo,  # noqa: F401  (the 两个责任清单 scored in the demo)
            checklist_rules,  # noqa: F401  (the checklists and the chain's pass mark)
            demo,  # noqa: F401  (registers this module's demo records)
            evaluation_demo,  # noqa: F401  (registers 考评's demo records)
            evaluation_rules,  # noqa: F401  (考评's rule settings)
            figures,  # noqa: F401  (registers this module's figures)
            ledger_rules,  # noqa: F401  (the 影响期 of each form of 问责)
            tasks,  # noqa: F401  (the daily 超期未办 check)
        )
        from .checklist_models import ChecklistScore
        from .evaluation_models import Adjustment, Evaluation, EvaluationReview, MemberRating
        from .evaluation_todos import my_todos
        from .evaluations import ACTION_LABELS
        from .ledger import record_complaint_upheld, record_talk
        from .models import (
            Accountability,
            Commendation,
            Commitment,
            CommitmentProgress,
            ConductEntry,
            TaskScore,
        )

        # Personnel records and evaluations: their audit records and history are read only by the holders of
        # assessment.view where the records are (not by every reader of the audit log).
        for model in (ConductEntry, Commitment, CommitmentProgress, Commendation, Accountability, TaskScore,
                      Evaluation, Adjustment, EvaluationReview, MemberRating, ChecklistScore):
            audit.register_confidential(model, "assessment.view")
        action_labels.register({
            "assessment.conduct_record": "记入作风台账", "assessment.commitment_create": "登记量化承诺",
            "assessment.commitment_progress": "报告承诺进展", "assessment.commitment_check": "核查量化承诺",
            "assessment.commendation_create": "登记先进典型", "assessment.accountability_create": "登记问责",
            "assessment.task_score": "责任状任务评分",
            "assessment.checklist_score": "两个责任清单评分", "assessment.checklist_approve": "审定两个责任清单得分",
            "assessment.file_open": "查阅干部考评档案"})
        action_labels.register(ACTION_LABELS)
        todos.register(my_todos)
        talk_recorded.connect(record_talk, dispatch_uid="assessment.record_talk")
        complaint_upheld.connect(record_complaint_upheld, dispatch_uid="assessment.record_complaint_upheld")
