"""花名册: roster export and import (.xlsx, or .csv in UTF-8 or GBK). An import is all or nothing, with a
row-by-row report. The ordinary export is masked and cannot be imported again; the full export, for those
who may see full ID numbers, can."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from dangjian.core import audit
from dangjian.core.crypto import blind_index
from dangjian.core.db import in_transaction
from dangjian.core.documents import ImportReport, RowError, read_table_rows, write_xlsx
from dangjian.core.models import AuditEvent
from dangjian.core.scope import has_capability, path_in_scope

from .models import Education, Gender, Org, PartyStatus, Person
from .services import apply_count_deltas

COLUMNS = ["姓名", "性别", "出生日期", "居民身份证号", "手机号", "学历", "职务（职级）",
           "所在单位或科室", "所在党支部", "政治面貌", "入党日期", "转正日期"]
REQUIRED = {"姓名", "居民身份证号", "所在单位或科室", "政治面貌"}
TEXT_COLUMNS = ("居民身份证号", "手机号")  # numbers Excel would round or turn into 4.5e+17 as numbers
HOW_TO_TEXT = "选中该列→右键“设置单元格格式”→“文本”，或在号码前加英文单引号 '（如 '110101198506010016）"
NOTES = [
    "花名册导入说明：",
    "1. 第1行为表头，请勿修改；每行一人。必填列：姓名、居民身份证号、所在单位或科室、政治面貌。",
    "2. 性别可留空，出生日期可留空（均按身份证号推算）；填写的出生日期须与身份证号一致。日期格式：2020-07-01。",
    "3. 政治面貌填：正式党员、预备党员、入党积极分子、群众。党员须填所在党支部和入党日期。",
    "4. 学历填：博士研究生、硕士研究生、大学本科、大学专科、中专及以下。",
    "5. 所在单位或科室、所在党支部填组织名称或组织编码，须在您的管理范围内。",
    "6. 身份证号已存在的人员将按本表更新；任何一行有误，整表不导入，并逐行列出错误。",
    f"7. 居民身份证号、手机号两列须为文本格式（本模板已设好）。粘贴到其他表格或新建表格时，请{HOW_TO_TEXT}，"
    "否则 Excel 会把号码变成 4.5010319860309E+17 这样的数字，末几位无法恢复。",
    "8. 也可上传 CSV 文件（UTF-8 或 GBK 编码），表头与本模板相同。",
    "9. 花名册页面“导出 Excel”得到的是脱敏文件（号码中间为*，出生日期只有年份），不能用于导入；"
    "需要修改后再导入时，请用“导出完整花名册（可再导入）”。",
]
# The masked export says so in its file name and on its second sheet.
MASKED_NOTES = [
    "本表为脱敏导出：居民身份证号、手机号中间几位以*代替，出生日期只有年份。",
    "脱敏导出的花名册不能用于导入。需要修改后再导入时，请由有“查看完整证件号码”权限的人员在花名册页面"
    "使用“导出完整花名册（可再导入）”（记入审计日志），或按导入模板填写完整信息。",
]
FULL_NOTES = [
    "本表为完整导出，含完整的居民身份证号、手机号和出生日期，可修改后按原样导入。",
    "本次导出已记入审计日志。请妥善保管，用后及时删除，不要通过互联网邮箱、即时通信工具传送。",
]
MASKED_EXPORT = ("这是脱敏导出的花名册（号码中间为*，出生日期只有年份），不能用于导入。请用花名册页面的"
                 "“导出完整花名册（可再导入）”（需有查看完整证件号码的权限），或按导入模板填写完整信息后再导入。")
NUMERIC_IDS = ("居民身份证号列是数字格式：Excel 只保留 15 位有效数字，号码已变成 4.5010319860309E+17 这样的数字，"
               f"末几位无法恢复。请把该列设为文本（{HOW_TO_TEXT}），重新填写完整号码后再导入。")

_GENDERS = {label: value for value, label in Gender.choices}
_STATUSES = {label: value for value, label in PartyStatus.choices}
_EDUCATIONS = {label: value for value, label in Education.choices}
_FIELD_COLUMN = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "id_number": "居民身份证号", "phone": "手机号",
    "education": "学历", "job_title": "职务（职级）", "org": "所在单位或科室", "branch": "所在党支部",
    "party_status": "政治面貌", "joined_party_on": "入党日期", "full_member_on": "转正日期",
}


def export_rows(people, *, full: bool = False):
    """The roster's rows: masked (the ordinary export), or full for the export meant for re-import, where
    the units are given by code so that a name used twice still finds its org."""
    labels_g, labels_s, labels_e = dict(Gender.choices), dict(PartyStatus.choices), dict(Education.choices)
    for p in people.select_related("org", "branch").iterator(chunk_size=2000):
        if full:
            born, number, phone = p.birth_date, p.id_number, p.phone
            org, branch = p.org.code, p.branch.code if p.branch_id else ""
        else:
            born, number, phone = p.masked_birth_date, p.masked_id_number, p.masked_phone
            org, branch = p.org.name, p.branch.name if p.branch_id else ""
        yield [p.name, labels_g.get(p.gender, ""), born, number, phone, labels_e.get(p.education, ""), p.job_title,
               org, branch, labels_s[p.party_status], p.joined_party_on, p.full_member_on]


def export_bytes(people, *, full: bool) -> bytes:
    if not full:  # streamed as written; it cannot be imported, so its columns need no text format
        return write_xlsx("花名册", COLUMNS, export_rows(people), notes=MASKED_NOTES)
    return _as_text_columns(write_xlsx("花名册", COLUMNS, export_rows(people, full=True), notes=FULL_NOTES))


def template_bytes() -> bytes:
    sample = [["张三", "男", dt.date(1985, 6, 1), "110101198506010016", "13800000000", "大学本科", "科员",
               "办公室", "第一党支部", "正式党员", dt.date(2010, 7, 1), dt.date(2011, 7, 1)]]
    return _as_text_columns(write_xlsx("花名册", COLUMNS, sample, notes=NOTES))


def _as_text_columns(content: bytes) -> bytes:
    """The ID and phone columns formatted as text (number format "@"), the whole column and each filled
    cell, so that a number typed or pasted there stays the digits it was."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    for column in TEXT_COLUMNS:
        letter = ws.cell(row=1, column=COLUMNS.index(column) + 1).column_letter
        ws.column_dimensions[letter].number_format = "@"
        for (cell,) in ws.iter_rows(min_row=2, min_col=COLUMNS.index(column) + 1, max_col=COLUMNS.index(column) + 1):
            cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _date(value, column: str, number: int, report: ImportReport) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        report.add(number, column, f"“{value}”不是有效日期，应为 2020-07-01 格式")
        return None


def _choice(value, mapping: dict, column: str, number: int, report: ImportReport, default=""):
    if value in (None, ""):
        return default
    text = str(value).strip()
    if text not in mapping:
        report.add(number, column, f"“{text}”无效，应为：{'、'.join(mapping)}")
        return default
    return mapping[text]


def _resolve_orgs(actor, keys: set[str]) -> dict[str, list[Org]]:
    """Orgs the actor may place people in, by code and by name."""
    found: dict[str, list[Org]] = {}
    keys = {k for k in keys if k}
    if not keys:
        return found
    candidates = Org.objects.visible_to(actor).filter(Q(code__in=keys) | Q(name__in=keys), is_active=True)
    for org in candidates:
        for key in {org.code, org.name} & keys:
            found.setdefault(key, []).append(org)
    return found


def import_roster(upload, *, actor) -> tuple[ImportReport, int, int, int]:
    """Validate every row, then write all of them in one transaction, or nothing.

    Returns (report, created, updated, unchanged). People already on file (same ID number, in scope) are
    updated; a row that says what is on file already is left alone (no new version, no audit event).
    """
    report, people = validate_roster(upload, actor=actor)
    if not report.ok:
        return report, 0, 0, 0
    return write_roster(people, report, actor=actor)


def validate_roster(upload, *, actor) -> tuple[ImportReport, list]:
    """Every row checked (nothing written): the report, and the people to write with their rows as read."""
    report = ImportReport()
    raw = list(read_table_rows(upload, COLUMNS))
    report.rows = len(raw)
    if not raw:
        report.add(2, "", "表中没有数据行")
        return report, []
    orgs = _resolve_orgs(actor, {str(v[c]).strip() for _, v in raw for c in ("所在单位或科室", "所在党支部")
                                 if v[c] not in (None, "")})
    indexes = [blind_index(_id_text(v["居民身份证号"])) for _, v in raw if v["居民身份证号"]]
    existing: dict[str, Person] = {}
    for start in range(0, len(indexes), 5000):
        chunk = indexes[start:start + 5000]
        existing.update({p.id_number: p for p in Person.objects.filter(id_number_index__in=chunk)
                         .select_related("org", "branch")})
    editable = set(Person.objects.filter(pk__in=[p.pk for p in existing.values()])
                   .visible_to(actor, "change").values_list("pk", flat=True)) if existing else set()
    seen: dict[str, int] = {}
    people: list[tuple[int, Person, Person | None]] = []
    unusable: set[str] = set()  # why some ID cells could not hold a number: "masked", "numeric"
    for number, values in raw:
        person = _build_person(number, values, orgs, existing, editable, seen, actor, report, unusable)
        if person is not None:
            people.append(person)
    # One plain explanation first, then the rows it concerns.
    if "numeric" in unusable:
        report.errors.insert(0, RowError(1, "居民身份证号", NUMERIC_IDS))
    if "masked" in unusable:
        report.errors.insert(0, RowError(1, "", MASKED_EXPORT))
    return report, people


_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_YEAR_ONLY = re.compile(r"\d{4}年")


def _id_text(value) -> str:
    return str(value if value is not None else "").strip().upper()


def _unusable_number(value, column: str) -> tuple[str, str] | None:
    """Why a cell cannot hold the ID or phone number, and the kind: a number cell (Excel keeps 15 digits,
    so an 18-digit number is already rounded), or a value masked by the ordinary export."""
    text = _id_text(value)
    if column == "居民身份证号" and (isinstance(value, int | float) and not isinstance(value, bool)
                                     or _SCIENTIFIC.fullmatch(text)):
        return "numeric", f"单元格是数字格式（读到 {text}），号码末几位已丢失：该列须为文本格式"
    if "*" in text:
        return "masked", f"“{text}”是脱敏导出的值（含*），不能导入"
    return None


def write_roster(people, report: ImportReport, *, actor) -> tuple[ImportReport, int, int, int]:
    """Write what validate_roster accepted, or, when someone changed one of those people since, nothing:
    each such row is reported as a conflict (import again to see their current state)."""
    try:
        # retried when the database aborts it for a deadlock or SQLite busy (the new rows then get their ids again)
        created, updated, unchanged = in_transaction(lambda: _write(people, actor),
                                                     records=[p for _, p, _ in people])
    except _ChangedMeanwhile as exc:
        for number, person in exc.rows:
            report.add(number, "居民身份证号", f"{person.name}的记录在导入期间已被他人修改或删除，本次未导入任何一行，请重新导入")
        return report, 0, 0, 0
    return report, created, updated, unchanged


def _pick_org(values, column, orgs, number, report, actor, *, required: bool) -> Org | None:
    key = values[column]
    if key in (None, ""):
        if required:
            report.add(number, column, "必填")
        return None
    key = str(key).strip()
    matches = orgs.get(key, [])
    if not matches:
        report.add(number, column, f"找不到组织“{key}”，或不在您的管理范围内")
        return None
    if len(matches) > 1:
        report.add(number, column, f"名称“{key}”对应多个组织，请改填组织编码")
        return None
    org = matches[0]
    if not path_in_scope(actor, "person.change", org.path):
        report.add(number, column, f"您无权在“{org.name}”登记人员")
        return None
    return org


def _build_person(number, values, orgs, existing, editable, seen, actor, report, unusable):
    errors_before = len(report.errors)
    for column in REQUIRED:
        if values[column] in (None, ""):
            report.add(number, column, "必填")
    id_number = _id_text(values["居民身份证号"])
    for column in TEXT_COLUMNS:
        problem = _unusable_number(values[column], column)
        if problem:
            unusable.add(problem[0])
            report.add(number, column, problem[1])
    if _YEAR_ONLY.fullmatch(str(values["出生日期"] or "")):
        unusable.add("masked")
        report.add(number, "出生日期", f"“{values['出生日期']}”只有年份（脱敏导出的值），不能导入")
    id_refused = len(report.errors) > errors_before and any(
        e.column == "居民身份证号" for e in report.errors[errors_before:])
    if id_refused:
        id_number = ""  # a rounded or masked number is no number: not compared with other rows
    elif id_number in seen:
        report.add(number, "居民身份证号", f"与第 {seen[id_number]} 行重复")
    elif id_number:
        seen[id_number] = number
    org = _pick_org(values, "所在单位或科室", orgs, number, report, actor, required=False)
    branch = _pick_org(values, "所在党支部", orgs, number, report, actor, required=False)
    stored = existing.get(id_number)
    if stored is not None and stored.pk not in editable:
        report.add(number, "居民身份证号", "该身份证号的人员已在其他单位登记，不在您的管理范围内")
    phone = values["手机号"]
    person = Person(pk=stored.pk if stored else None, version=stored.version if stored else 1,
                    user_id=stored.user_id if stored else None, is_active=stored.is_active if stored else True)
    person.name = str(values["姓名"] or "").strip()
    person.id_number = id_number
    person.gender = _choice(values["性别"], _GENDERS, "性别", number, report)  # empty: from the ID (the model)
    if not _YEAR_ONLY.fullmatch(str(values["出生日期"] or "")):
        person.birth_date = _date(values["出生日期"], "出生日期", number, report)
    person.phone = str(int(phone)) if isinstance(phone, int | float) else str(phone or "").strip()
    person.education = _choice(values["学历"], _EDUCATIONS, "学历", number, report)
    person.job_title = str(values["职务（职级）"] or "").strip()[:50]
    person.party_status = _choice(values["政治面貌"], _STATUSES, "政治面貌", number, report, PartyStatus.MASSES)
    person.joined_party_on = _date(values["入党日期"], "入党日期", number, report)
    person.full_member_on = _date(values["转正日期"], "转正日期", number, report)
    if org is not None:
        person.org, person.org_path = org, org.path
    if branch is not None:
        person.branch, person.branch_path = branch, branch.path
    # The model's own checks run even when a cell was already refused, so that the report lists
    # every problem of the row at once (a column already reported is not reported twice).
    # org and branch are already checked: resolved above among the active orgs in the actor's scope
    # (validating the foreign keys again would cost one query per row).
    reported = {e.column for e in report.errors[errors_before:]}
    if "居民身份证号" in reported or values["居民身份证号"] in (None, ""):
        # 出生日期 and 性别 left empty come from the ID number: with no usable number, its error says it all
        reported |= {c for c in ("出生日期", "性别") if values[c] in (None, "")}
    try:
        person.full_clean(exclude=["user", "org", "branch", "id_number"] if stored else ["user", "org", "branch"],
                          validate_unique=False)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            column = _FIELD_COLUMN.get(field_name, "")
            if column in reported or (field_name in ("name", "party_status") and column in REQUIRED
                                      and values[column] in (None, "")):
                continue
            for message in messages:
                report.add(number, column, message)
    if len(report.errors) > errors_before:
        return None
    return number, person, stored


class _ChangedMeanwhile(Exception):
    def __init__(self, rows):
        super().__init__(rows)
        self.rows = rows  # (row number, person) of each row whose person changed after validation


def _lock_on_file(people) -> dict[int, tuple[int, bool, str, str]]:
    """The people on file, locked in id order (one order for every writer) and read as they are now:
    id → (version, is_active, count path, Party status)."""
    pks = sorted(stored.pk for _, _, stored in people if stored is not None)
    current = {}
    for start in range(0, len(pks), 5000):
        rows = (Person.objects.select_for_update().filter(pk__in=pks[start:start + 5000]).order_by("pk")
                .values_list("pk", "version", "is_active", "branch_path", "org_path", "party_status"))
        current.update({pk: (version, active, branch_path or org_path, status)
                        for pk, version, active, branch_path, org_path, status in rows})
    return current


# What a roster row sets (the rest is derived from these, or kept): a row equal to the record on these
# fields changes nothing, and is not written (the full export imported back would else bump every version).
_ROW_FIELDS = ("name", "gender", "birth_date", "phone", "education", "job_title", "org_id", "branch_id",
               "party_status", "joined_party_on", "full_member_on")


def _same(person: Person, stored: Person) -> bool:
    return all(getattr(person, name) == getattr(stored, name) for name in _ROW_FIELDS)


def _write(people, actor) -> tuple[int, int, int]:
    new = [p for _, p, stored in people if stored is None]
    changed = [(p, stored) for _, p, stored in people if stored is not None and not _same(p, stored)]
    unchanged = sum(1 for _, p, stored in people if stored is not None and _same(p, stored))
    deltas: Counter = Counter()
    events = []
    info_ip = audit.current_ip()
    for p in new + [p for p, _ in changed]:
        p.fill_derived()
    with transaction.atomic():
        # The counter changes come from the rows as locked here, never from the copies validated earlier.
        current = _lock_on_file(people)
        stale = [(number, p) for number, p, stored in people
                 if stored is not None and current.get(stored.pk, (None,))[0] != stored.version]
        if stale:
            raise _ChangedMeanwhile(stale)
        Person.objects.bulk_create(new, batch_size=2000)
        for p in new:
            deltas[(p.count_path, p.party_status)] += 1
        for p, stored in changed:
            version, was_active, count_path, status = current[stored.pk]
            if was_active:
                deltas[(count_path, status)] -= 1
            if p.is_active:
                deltas[(p.count_path, p.party_status)] += 1
            p.version = version + 1
        fields = ["name", "gender", "birth_date", "phone", "phone_index", "education", "job_title", "org", "org_path", "branch",
                  "branch_path", "party_status", "joined_party_on", "full_member_on", "version"]
        Person.objects.bulk_update([p for p, _ in changed], fields, batch_size=1000)
        actor_name = actor.get_full_name() or actor.username
        for p, stored in [(p, None) for p in new] + changed:
            events.append(AuditEvent(
                action="person.import", actor=actor, actor_name=actor_name, ip=info_ip, org_path=p.org_path,
                target_type="orgs.person", target_id=str(p.pk), target_repr=p.name,
                before=audit.snapshot(stored) if stored else None, after=audit.snapshot(p),
            ))
        audit.record_many(events)
        apply_count_deltas(deltas)  # after the audit chain's head, as every writer takes them (no deadlock)
    return len(new), len(changed), unchanged


def may_export_full(user) -> bool:
    return has_capability(user, "person.export") and has_capability(user, "person.view_full")


def full_export_scope(user):
    """The people whose full numbers a user may export: where they may both export and see full numbers."""
    if not may_export_full(user):
        raise PermissionDenied("无权导出完整花名册：需要导出花名册和查看完整证件号码两项权限")
    return Person.objects.visible_to(user, "export").visible_to(user, "view_full")


def require_import(actor) -> None:
    if not has_capability(actor, "person.import"):
        raise PermissionDenied("无权导入花名册")
