"""年度报告 services: create a year's report with its drafted sections, edit a section (versions and audit
trail through core.audit), and freeze (定稿) it with the values of its figures as read at that moment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row

from . import drafting, references
from .models import AnnualReport, FrozenFigure, Part, ReportSection, ReportStatus


def title_for(org) -> tuple[str, str]:
    """The title block: 坚持从严治党　打造规矩XX / ——市XX党组织书记抓基层党建工作情况汇报."""
    return f"坚持从严治党　打造规矩{org.name.removeprefix('市')}", f"——{org.name}党组织书记抓基层党建工作情况汇报"


@transaction.atomic
def create_report(org, year: int, *, actor) -> AnnualReport:
    """The year's report of ``org``, with every section drafted from the records (one per org and year)."""
    if AnnualReport.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": f"年度：{org}的{year}年度报告已存在，请在原报告上修改"})
    title, subtitle = title_for(org)
    report = audit.save_audited(AnnualReport(org=org, year=year, title=title, subtitle=subtitle, created_by=actor),
                                actor=actor, action="report.create")
    for order, draft in enumerate(drafting.draft_report(org, year), start=1):
        audit.save_audited(ReportSection(report=report, org=org, part=draft.part, order=order, number=draft.number,
                                         heading=draft.heading, body=draft.body),
                           actor=actor, action="report.section_draft")
    return report


def _refuse_if_frozen(report: AnnualReport) -> None:
    if report.is_frozen:
        raise ValidationError(f"“{report}”已定稿，不能再修改")


@transaction.atomic
def update_section(section: ReportSection, *, actor, expected_version: int | None) -> ReportSection:
    """Save a section's heading and body (a new version, audited); refused once the report is frozen or when
    someone saved the section meanwhile."""
    _refuse_if_frozen(lock_row(AnnualReport, section.report_id))
    if len(section.body) > 20000:
        raise ValidationError({"body": "正文：不能超过20000字"})
    return audit.save_audited(section, actor=actor, action="report.section_update", expected_version=expected_version)


def restore_section(section: ReportSection, event, *, actor) -> ReportSection:
    """The history page's restore of a section: through the same rules as an edit."""
    audit.apply_version(section, event)
    return update_section(section, actor=actor, expected_version=section.version)


def referenced_keys(report: AnnualReport) -> list[str]:
    keys = []
    for body in report.sections.values_list("body", flat=True):
        keys += references.keys_in(body)
    return list(dict.fromkeys(keys))


@transaction.atomic
def freeze(report: AnnualReport, *, actor, expected_version: int | None) -> AnnualReport:
    """定稿: keep the value of every figure the report quotes, and of the key figures, as read now; refused
    while a section quotes a figure the registry does not know."""
    locked = lock_row(AnnualReport, report.pk)
    _refuse_if_frozen(locked)
    unknown = [(s, references.unknown_keys(s.body)) for s in report.sections.order_by("order")]
    unknown = [(s, keys) for s, keys in unknown if keys]
    if unknown:
        raise ValidationError("不能定稿：" + "；".join(
            f"{s.get_part_display()}{s.number}引用了不存在的统计数字 {'、'.join(keys)}" for s, keys in unknown))
    keys = referenced_keys(report) + [k for k in references.KEY_FIGURES]
    values = references.live_readings(report, dict.fromkeys(keys))
    FrozenFigure.objects.bulk_create(FrozenFigure(
        report=report, key=v.key, label=v.label, unit=v.unit, definition=v.definition[:300], is_rate=v.is_rate,
        count=v.count, total=v.total, text=v.text, read_at=v.read_at) for v in values.values())
    report.status, report.frozen_at, report.frozen_by = ReportStatus.FROZEN, timezone.now(), actor
    return audit.save_audited(report, actor=actor, action="report.freeze", expected_version=expected_version,
                              locked=locked, message=f"定稿：保存 {len(values)} 个统计数字的当时数值")


def changes_since_freeze(report: AnnualReport) -> list[tuple[references.Reading, references.Reading]]:
    """(as frozen, live now) for each frozen figure whose value has moved since."""
    if not report.is_frozen:
        return []
    frozen = references.frozen_readings(report)
    live = references.live_readings(report, frozen)
    return [(frozen[k], live[k]) for k in frozen if k in live
            and (frozen[k].count != live[k].count or frozen[k].total != live[k].total)]


def sections_by_part(report: AnnualReport) -> list[tuple[str, str, list[ReportSection]]]:
    """(part, its heading, its sections) in the report's order; the opening has no heading."""
    sections = list(report.sections.order_by("order"))
    return [(part, "" if part == Part.OPENING else label, [s for s in sections if s.part == part])
            for part, label in Part.choices]
