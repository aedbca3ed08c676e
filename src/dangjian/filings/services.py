"""Actions of 报告报备 (do_*): scope re-checked, one transaction, audited; late or missing reports and absences
without a filing or a confirmed return become entries of the 作风台账 (assessment.conduct.record_conduct).

外出报备's one rule that spans filings — the 党组书记（主任） and the deputy who presides in their absence are not
away at the same time — is checked with the agency's org row locked, so that two filings made at the same
moment are checked one after the other and cannot both pass.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.assessment.conduct import record_conduct
from dangjian.assessment.models import ConductKind
from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.scope import has_capability, path_in_scope
from dangjian.core.workdays import next_workday
from dangjian.orgs.models import LEADERSHIP_TITLES, Org, Person, PositionTitle
from dangjian.orgs.services import agency_of, current_positions
from dangjian.supervision.models import secretary_paths

from .models import (
    AWAY_STATUSES,
    EVENT_CATEGORIES,
    EVENT_REPORT_DAYS,
    Absence,
    AbsenceStatus,
    AgencyReport,
    Occasion,
    PersonalReport,
    annual_due,
)

CHANGE = "filing.change"
PERSONAL_CHANGE = "filing_personal.change"


def _require(actor, capability: str, path: str, what: str) -> None:
    if not path_in_scope(actor, capability, path):
        raise PermissionDenied(f"无权{what}")


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label}：不能为空"})
    return value


def is_self(actor, person: Person) -> bool:
    return bool(person.user_id) and person.user_id == getattr(actor, "pk", None)


def leaders_of(agency: Org, on: dt.date | None = None):
    """领导班子 of the agency on a day: the people in a leadership position (党组书记、班子成员、纪检组长)."""
    positions = current_positions(LEADERSHIP_TITLES, on).filter(org_path__pathprefix=agency.path)
    return Person.objects.filter(pk__in=positions.values("person_id"))


def principal_of(agency: Org, on: dt.date | None = None) -> Person | None:
    """The agency's 党组书记（主任）, the principal of 外出报备's rule."""
    position = (current_positions([PositionTitle.SECRETARY], on).filter(org_path__pathprefix=agency.path)
                .order_by("start_date", "pk").first())
    return position.person if position else None


# ---- 重大事项请示报告 (to the higher Party organisation) ----------------------------------------------------

def _report_conduct(report: AgencyReport, today: dt.date) -> None:
    if report.reported_on and report.reported_on > report.due_on:
        summary = f"重大事项{report.get_kind_display()}“{report.subject}”迟报 {report.late_days(today)} 天"
    elif not report.reported_on and report.due_on < today:
        summary = f"重大事项{report.get_kind_display()}“{report.subject}”逾期未报（应于 {report.due_on:%Y-%m-%d} 前报送）"
    else:
        return
    record_conduct(report.responsible, kind=ConductKind.REPORT_LATE, on=report.reported_on or today,
                   summary=summary, source=report, source_url=f"/filings/reports/{report.pk}/")


def do_save_report(report: AgencyReport, *, actor, expected_version: int | None = None) -> AgencyReport:
    """登记或修改重大事项请示报告 (the staff's, filing.change): a report sent after its due day, or past it and not
    sent, is entered in the responsible leader's 作风台账 at once."""
    today = timezone.localdate()
    with transaction.atomic():
        report.org = agency_of(report.responsible.org)
        _require(actor, CHANGE, report.org.path, "登记重大事项请示报告")
        if report.pk:
            _require(actor, CHANGE, AgencyReport.objects.get(pk=report.pk).org_path, "修改重大事项请示报告")
        if report.reported_on and report.reported_on > today:
            raise ValidationError({"reported_on": f"报送日期：{report.reported_on:%Y-%m-%d} 晚于今天"})
        if report.replied_on:
            if not report.reported_on or report.replied_on < report.reported_on:
                raise ValidationError({"replied_on": "答复日期：须在报送日期之后（尚未报送的不能有答复）"})
            if report.replied_on > today:
                raise ValidationError({"replied_on": f"答复日期：{report.replied_on:%Y-%m-%d} 晚于今天"})
            _text(report.reply, "reply", "上级答复")
        elif (report.reply or "").strip():
            raise ValidationError({"replied_on": "答复日期：填写了上级答复时不能为空"})
        report.created_by = report.created_by or actor
        action = "filings.report_update" if report.pk else "filings.report_create"
        audit.save_audited(report, actor=actor, action=action, expected_version=expected_version)
        _report_conduct(report, today)
    return report


# ---- 领导干部个人有关事项报告 ---------------------------------------------------------------------------

def obliged(person: Person, on: dt.date | None = None) -> bool:
    """Whether the person is a 领导干部 who reports personal matters (a member of an agency's 领导班子)."""
    return current_positions(LEADERSHIP_TITLES, on).filter(person=person).exists()


def _personal_conduct(report: PersonalReport, today: dt.date) -> None:
    if report.reported_on and report.reported_on <= report.due_on:
        return
    if report.reported_on is None and report.due_on >= today:
        return
    what = f"{report.year}年度集中报告" if report.occasion == Occasion.ANNUAL else "个人有关事项事后报告"
    summary = (f"{what}迟报（应于 {report.due_on:%Y-%m-%d} 前报告，{report.reported_on:%Y-%m-%d} 报告）"
               if report.reported_on else f"{what}逾期未报（应于 {report.due_on:%Y-%m-%d} 前报告）")
    # The ledger names no category and no content: it is read more widely than the report itself.
    record_conduct(report.person, kind=ConductKind.REPORT_LATE, on=report.reported_on or today, summary=summary,
                   source=report, source_url=f"/filings/personal/{report.pk}/")


def _require_personal(actor, person: Person) -> None:
    if not (is_self(actor, person) or path_in_scope(actor, PERSONAL_CHANGE, person.org.path)):
        raise PermissionDenied("无权登记他人的个人有关事项报告")


def do_file_personal_report(report: PersonalReport, *, actor) -> PersonalReport:
    """报告个人有关事项: the cadre themself, or the 组织人事 staff for them. The due day follows the rule
    (第五条 annual: 31 January of the next year; 第六条 a change: 30 days after it); a report after it is entered in
    the 作风台账. An annual report found missing by the daily check is completed rather than filed twice."""
    today = timezone.localdate()
    with transaction.atomic():
        person = report.person
        _require_personal(actor, person)
        if not obliged(person):
            raise ValidationError({"person": f"报告人：{person.name} 不是领导班子成员，无须报告个人有关事项"})
        report.org = person.org
        report.reported_on = report.reported_on or today
        if report.reported_on > today:
            raise ValidationError({"reported_on": f"报告日期：{report.reported_on:%Y-%m-%d} 晚于今天"})
        report.content = _text(report.content, "content", "报告内容")
        existing = None
        if report.occasion == Occasion.ANNUAL:
            if not report.year:
                raise ValidationError({"year": "报告年度：年度集中报告须填写年度"})
            if report.year >= today.year:
                raise ValidationError({"year": f"报告年度：{report.year}年尚未结束，次年1月报告"})
            report.category, report.event_on, report.due_on = "", None, annual_due(report.year)
            existing = lock_and_get_annual(person, report.year)
            if existing and existing.reported_on:
                raise ValidationError({"year": f"报告年度：{person.name} 的{report.year}年度集中报告已于 "
                                               f"{existing.reported_on:%Y-%m-%d} 报告"})
        elif report.occasion == Occasion.EVENT:
            if report.category not in EVENT_CATEGORIES:
                raise ValidationError({"category": "事项类别：事后报告须选择第三条所列事项之一"})
            if not report.event_on:
                raise ValidationError({"event_on": "事项发生日期：不能为空"})
            if report.event_on > report.reported_on:
                raise ValidationError({"event_on": f"事项发生日期：{report.event_on:%Y-%m-%d} 晚于报告日期"})
            report.year = None
            report.due_on = report.event_on + dt.timedelta(days=EVENT_REPORT_DAYS)
        else:
            raise ValidationError({"occasion": "报告类型：请选择年度集中报告或事后报告"})
        if existing:  # the row of the missing report: it is now reported
            existing.reported_on, existing.content = report.reported_on, report.content
            existing.created_by = existing.created_by or actor
            report = existing
        else:
            report.created_by = actor
        audit.save_audited(report, actor=actor, action="filings.personal_report")
        _personal_conduct(report, today)
    return report


def lock_and_get_annual(person: Person, year: int) -> PersonalReport | None:
    """The person's annual report row of ``year`` (a missing one made by the check), locked; None if none."""
    pk = (PersonalReport.objects.filter(person=person, year=year, occasion=Occasion.ANNUAL)
          .values_list("pk", flat=True).first())
    return lock_row(PersonalReport, pk, "person") if pk else None


def check_personal_reports(today: dt.date) -> int:
    """The daily check (第五条): once 31 January is past, each cadre in a 领导班子 on that day without the last
    year's annual report gets a row for the missing report and a 作风台账 entry. Returns the rows made."""
    year = today.year - 1
    due = annual_due(year)
    if today <= due:
        return 0
    made = 0
    reported = PersonalReport.objects.filter(year=year, occasion=Occasion.ANNUAL).values("person_id")
    for person in current_positions(LEADERSHIP_TITLES, due).exclude(person__in=reported).select_related(
            "person__org").order_by("person_id").distinct():
        with transaction.atomic():
            if lock_and_get_annual(person.person, year):
                continue
            report = PersonalReport(person=person.person, org=person.person.org, occasion=Occasion.ANNUAL,
                                    year=year, due_on=due)
            audit.save_audited(report, actor=None, action="filings.personal_missing")
            _personal_conduct(report, today)
            made += 1
    return made


def reads_personal(user) -> bool:
    """Whether the user reads others' personal reports anywhere (the 组织人事 staff, the discipline team)."""
    return has_capability(user, "filing_personal.view")


# ---- 外出报备 -------------------------------------------------------------------------------------------

class OverlapRefused(ValidationError):
    """A filing refused because the principal and the deputy presiding in their absence would both be away."""


def _away(person_ids, first: dt.date, last: dt.date, exclude_pk=None):
    """The filings of these people whose time away meets [first, last] (a refused filing is not away)."""
    rows = (Absence.objects.filter(person_id__in=person_ids, status__in=AWAY_STATUSES, leaves_on__lte=last)
            .filter(Q(returned_on__isnull=True, returns_on__gte=first) | Q(returned_on__gte=first))
            .select_related("person", "acting").order_by("leaves_on", "pk"))
    return rows.exclude(pk=exclude_pk) if exclude_pk else rows


def _check_dates(absence: Absence, *, in_advance: bool, today: dt.date) -> None:
    if not absence.leaves_on:
        raise ValidationError({"leaves_on": "离开日期：不能为空"})
    if not absence.returns_on:
        raise ValidationError({"returns_on": "返回日期：不能为空"})
    if absence.returns_on < absence.leaves_on:
        raise ValidationError({"returns_on": f"返回日期：{absence.returns_on:%Y-%m-%d} 早于离开日期 "
                                             f"{absence.leaves_on:%Y-%m-%d}"})
    if in_advance and absence.leaves_on < today:
        raise ValidationError({"leaves_on": f"离开日期：{absence.leaves_on:%Y-%m-%d} 已过，外出须事先报备；"
                                            "事后发现的未报备外出由工作人员登记"})
    if not in_advance and absence.leaves_on > today:
        raise ValidationError({"leaves_on": f"离开日期：{absence.leaves_on:%Y-%m-%d} 尚未到来，不是已发生的未报备外出"})


def _check_presence(absence: Absence, principal: Person | None) -> None:
    """The rule across filings, with the agency's row locked by the caller: the one presiding is not away, and
    the 党组书记（主任） and the deputy presiding in their absence are not away at the same time."""
    first, last = absence.leaves_on, absence.returns_on
    if absence.acting_id:
        for other in _away([absence.acting_id], first, last, absence.pk)[:1]:
            raise OverlapRefused({"acting": f"主持工作的同志：{other.person.name} 同期外出（“{other}”），"
                                            "不能在此期间主持工作"})
    if principal is None or principal.pk == absence.person_id:
        return
    for other in _away([principal.pk], first, last, absence.pk).filter(acting_id=absence.person_id)[:1]:
        raise OverlapRefused({"leaves_on": f"外出时间：与“{other}”重叠——党组书记（主任）外出期间由 "
                                           f"{absence.person.name} 主持工作，二人不得同时外出"})


def _check_people(absence: Absence, agency: Org) -> None:
    leaders = leaders_of(agency)
    if not leaders.filter(pk=absence.person_id).exists():
        raise ValidationError({"person": f"外出领导：{absence.person.name} 不是本单位领导班子成员"})
    if absence.acting_id:
        if absence.acting_id == absence.person_id:
            raise ValidationError({"acting": "主持工作的同志：不能是外出领导本人"})
        if not leaders.filter(pk=absence.acting_id).exists():
            raise ValidationError({"acting": f"主持工作的同志：{absence.acting.name} 不是本单位领导班子成员"})


def _refusal_recorded(call, *, actor, absence: Absence):
    """Run ``call`` (its own atomic block); a refused overlap writes nothing but a failed audit entry, made after
    the rollback, naming the other filing: the attempt stays visible in the audit log."""
    try:
        return call()
    except OverlapRefused as exc:
        audit.record("filings.absence_refused", actor=actor, success=False, org_path=absence.org.path,
                     target_repr=f"{absence.person.name} {absence.leaves_on:%Y-%m-%d}至{absence.returns_on:%Y-%m-%d}"
                                 f" 外出{absence.destination}", message="；".join(exc.messages))
        raise


def do_file_absence(absence: Absence, *, actor) -> Absence:
    """外出报备: a leader files before leaving (or the staff for them): the dates, the one presiding meanwhile
    (required of the 党组书记), then the 党组书记 approves."""
    today = timezone.localdate()
    person = absence.person
    absence.org = person.org

    def file():
        with transaction.atomic():
            if not (is_self(actor, person) or path_in_scope(actor, CHANGE, person.org.path)):
                raise PermissionDenied("无权为他人报备外出")
            absence.destination = _text(absence.destination, "destination", "外出地点")
            absence.reason = _text(absence.reason, "reason", "外出事由")
            _check_dates(absence, in_advance=True, today=today)
            agency = agency_of(person.org)
            lock_row(Org, agency.pk)  # filings of one agency are checked one at a time
            _check_people(absence, agency)
            principal = principal_of(agency)
            if principal is not None and principal.pk == person.pk and not absence.acting_id:
                raise ValidationError({"acting": "主持工作的同志：党组书记（主任）外出须明确主持工作的副职"})
            _check_presence(absence, principal)
            absence.status, absence.created_by = AbsenceStatus.PENDING, actor
            audit.save_audited(absence, actor=actor, action="filings.absence_file")
        return absence

    return _refusal_recorded(file, actor=actor, absence=absence)


def may_decide(user, absence: Absence) -> bool:
    """The approver: the agency's 党组书记 for the other leaders' filings; the 党组书记's own filing is approved by
    the higher organisation, whose answer the staff (filing.change) enter."""
    if is_self(user, absence.person):
        return False
    principal = principal_of(agency_of(absence.org))
    if principal is not None and principal.pk == absence.person_id:
        return path_in_scope(user, CHANGE, absence.org_path)
    return any(absence.org_path.startswith(p) for p in secretary_paths(user))


def do_decide_absence(absence: Absence, *, actor, approve: bool, note: str = "",
                      expected_version: int | None = None) -> Absence:
    """审批外出报备: 同意 or 不同意 (with the reason) a pending filing."""
    today = timezone.localdate()
    with transaction.atomic():
        stored = lock_row(Absence, absence.pk, "person", "org")
        if not may_decide(actor, stored):
            raise PermissionDenied("无权审批该外出报备（由党组书记审批；党组书记本人外出由工作人员登记上级意见）")
        if stored.status != AbsenceStatus.PENDING:
            raise ValidationError({"status": f"状态：该报备{stored.get_status_display()}，不能再审批"})
        note = (note or "").strip()
        if not approve and not note:
            raise ValidationError({"decision_note": "审批意见：不同意时须写明理由"})
        updated = Absence.objects.select_related("person").get(pk=stored.pk)
        updated.status = AbsenceStatus.APPROVED if approve else AbsenceStatus.REJECTED
        updated.decided_by, updated.decided_on, updated.decision_note = actor, today, note[:300]
        audit.save_audited(updated, actor=actor, action="filings.absence_decide", expected_version=expected_version,
                           locked=stored)
    return updated


def do_confirm_return(absence: Absence, *, actor, returned_on: dt.date,
                      expected_version: int | None = None) -> Absence:
    """销假: the leader (or the staff) confirms the return. A return later than filed is entered in the 作风台账."""
    today = timezone.localdate()
    with transaction.atomic():
        stored = lock_row(Absence, absence.pk, "person", "org")
        if not (is_self(actor, stored.person) or path_in_scope(actor, CHANGE, stored.org_path)):
            raise PermissionDenied("无权确认他人返岗")
        if stored.status != AbsenceStatus.APPROVED:
            raise ValidationError({"status": f"状态：该报备{stored.get_status_display()}，不能确认返岗"})
        if not returned_on:
            raise ValidationError({"returned_on": "实际返岗日期：不能为空"})
        if returned_on > today:
            raise ValidationError({"returned_on": f"实际返岗日期：{returned_on:%Y-%m-%d} 晚于今天"})
        if returned_on < stored.leaves_on:
            raise ValidationError({"returned_on": f"实际返岗日期：{returned_on:%Y-%m-%d} 早于离开日期"})
        updated = Absence.objects.select_related("person").get(pk=stored.pk)
        updated.status, updated.returned_on = AbsenceStatus.RETURNED, returned_on
        audit.save_audited(updated, actor=actor, action="filings.absence_return", expected_version=expected_version,
                           locked=stored)
        if returned_on > stored.returns_on:
            record_conduct(updated.person, kind=ConductKind.ABSENCE_UNFILED, on=returned_on,
                           summary=f"外出超期返岗：报备 {stored.returns_on:%Y-%m-%d} 返回，{returned_on:%Y-%m-%d} 方返岗",
                           source=updated, source_url=f"/filings/absences/{updated.pk}/")
    return updated


def do_cancel_absence(absence: Absence, *, actor, expected_version: int | None = None) -> Absence:
    """撤销报备: the trip will not happen. Before the day of leaving only (after it, the return is confirmed); a
    cancelled filing is not an absence: it blocks no other filing and is never an unconfirmed return."""
    today = timezone.localdate()
    with transaction.atomic():
        stored = lock_row(Absence, absence.pk, "person", "org")
        if not (is_self(actor, stored.person) or path_in_scope(actor, CHANGE, stored.org_path)):
            raise PermissionDenied("无权撤销他人的外出报备")
        if stored.status not in (AbsenceStatus.PENDING, AbsenceStatus.APPROVED):
            raise ValidationError({"status": f"状态：该报备{stored.get_status_display()}，不能撤销"})
        if stored.leaves_on <= today:
            raise ValidationError({"status": f"状态：离开日期 {stored.leaves_on:%Y-%m-%d} 已到，不能撤销；"
                                             "已返岗的请确认返岗"})
        updated = Absence.objects.select_related("person").get(pk=stored.pk)
        updated.status = AbsenceStatus.CANCELLED
        audit.save_audited(updated, actor=actor, action="filings.absence_cancel", expected_version=expected_version,
                           locked=stored)
    return updated


def may_cancel(user, absence: Absence) -> bool:
    return (absence.status in (AbsenceStatus.PENDING, AbsenceStatus.APPROVED)
            and absence.leaves_on > timezone.localdate()
            and (is_self(user, absence.person) or path_in_scope(user, CHANGE, absence.org_path)))


def do_record_unfiled(absence: Absence, *, actor, evidence: str) -> Absence:
    """登记未报备外出: the staff record an absence found without a filing (with how it was found); it is entered in
    the leader's 作风台账 at once, and shown on the calendar."""
    today = timezone.localdate()
    with transaction.atomic():
        person = absence.person
        _require(actor, CHANGE, person.org.path, "登记未报备外出")
        absence.org = person.org
        absence.destination = _text(absence.destination, "destination", "外出地点")
        absence.reason = _text(evidence, "reason", "发现情况")[:300]
        _check_dates(absence, in_advance=False, today=today)
        agency = agency_of(person.org)
        lock_row(Org, agency.pk)
        _check_people(absence, agency)
        absence.acting = None
        absence.status, absence.created_by = AbsenceStatus.UNFILED, actor
        absence.returned_on = min(absence.returns_on, today)
        audit.save_audited(absence, actor=actor, action="filings.absence_unfiled")
        record_conduct(person, kind=ConductKind.ABSENCE_UNFILED, on=absence.leaves_on,
                       summary=f"外出未报备：{absence.leaves_on:%Y-%m-%d}至{absence.returns_on:%Y-%m-%d} 外出{absence.destination}",
                       source=absence, source_url=f"/filings/absences/{absence.pk}/", actor=actor)
    return absence


def check_unconfirmed_returns(today: dt.date) -> int:
    """The daily check: an approved filing whose return nobody confirmed by the end of the first working day after
    its return day is entered in the leader's 作风台账 (once: record_conduct is idempotent per filing). Returns the
    filings entered."""
    found = 0
    for absence in (Absence.objects.filter(status=AbsenceStatus.APPROVED, returns_on__lt=today - dt.timedelta(days=1))
                    .select_related("person__org").order_by("pk")):
        deadline = confirm_deadline(absence)
        if deadline >= today:
            continue
        record_conduct(absence.person, kind=ConductKind.ABSENCE_UNFILED, on=deadline,
                       summary=f"外出逾期未销假：报备 {absence.returns_on:%Y-%m-%d} 返回，{deadline:%Y-%m-%d} 前未确认返岗",
                       source=absence, source_url=f"/filings/absences/{absence.pk}/")
        found += 1
    return found


def confirm_deadline(absence: Absence) -> dt.date:
    """The last day to confirm the return: the first working day after the filed return day."""
    return next_workday(absence.returns_on + dt.timedelta(days=1))


def check_overdue_reports(today: dt.date) -> int:
    """The daily check of the agency's reports: one past its due day and not sent is entered once."""
    found = 0
    for report in AgencyReport.objects.filter(reported_on__isnull=True, due_on__lt=today).select_related(
            "responsible__org"):
        _report_conduct(report, today)
        found += 1
    return found


def run_daily_checks(today: dt.date) -> dict[str, int]:
    return {"reports": check_overdue_reports(today), "personal": check_personal_reports(today),
            "returns": check_unconfirmed_returns(today)}
