from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "dangjian.filings"
    verbose_name = "报告报备"

    def ready(self):
        from dangjian.core import action_labels, audit, todos

        from . import (
            demo,  # noqa: F401  (registers this module's demo records)
            figures,  # noqa: F401  (registers this module's figures)
            tasks,  # noqa: F401  (the daily checks of late reports and unconfirmed returns)
        )
        from .models import PersonalReport
        from .todos import my_todos

        todos.register(my_todos)
        # Confidential: a cadre's personal report and its history are read only with filing_personal.view.
        audit.register_confidential(PersonalReport, "filing_personal.view")
        action_labels.register({
            "filings.report_create": "登记重大事项请示报告", "filings.report_update": "修改重大事项请示报告",
            "filings.personal_report": "报告个人有关事项", "filings.personal_missing": "个人有关事项逾期未报",
            "filings.absence_file": "外出报备", "filings.absence_refused": "外出报备被拒（时间冲突）",
            "filings.absence_decide": "审批外出报备", "filings.absence_return": "确认返岗（销假）",
            "filings.absence_unfiled": "登记未报备外出",
            "filings.absence_cancel": "撤销外出报备"})
