"""年度报告: dashboards per subtree and the annual report, written from the one figure registry."""
from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dangjian.reports"
    verbose_name = "年度报告"

    def ready(self):
        from dangjian.core import action_labels, audit

        from . import demo  # noqa: F401  (registers the demo's report, drafted after every module's records)
        from .annual import restore_section
        from .models import ReportSection

        audit.register_restorer(ReportSection, restore_section)
        action_labels.register({
            "report.create": "新建年度报告", "report.section_draft": "生成章节草稿", "report.section_update": "修改报告章节",
            "report.section_restore": "恢复报告章节", "report.freeze": "年度报告定稿", "report.export": "导出年度报告"})
