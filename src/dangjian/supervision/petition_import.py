"""历史诉求导入: years of messages from a channel's export or a history file (.xlsx, or .csv in UTF-8 or GBK), with
a column-mapping step (which column is 编号, 标题, 内容, 时间, 渠道, 类型, 分类). The same for the page and the command
``dangjian petitions import``.

All or nothing, as the roster import: every row is checked first (the intake's own checks, petitions.check_text),
and one bad row writes nothing and is reported with its row number, column and what is wrong.

Imported rows are records of the past: status 已受理 with ``imported`` set and no Matter — they were handled
outside this system, so they never enter the triage queue (待分类), the reply deadlines or the overdue figures
(which are the Matters'). Their categories (``category_source`` "imported") are the history the category
suggestion learns from; a category name the agency does not have yet is created in the same transaction.
The import is audited as one summarised event (100,000 rows are one change, not 100,000), its rows written by
bulk_create in batches within one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit, jobs
from dangjian.core.documents import ImportReport, XlsxFormatError, read_table_grid
from dangjian.core.models import AuditEvent
from dangjian.core.notify import notify
from dangjian.core.scope import path_in_scope
from dangjian.core.web import YEAR_MIN
from dangjian.orgs.models import Org

from . import classify
from .petition_models import CategorySource, Channel, Petition, PetitionCategory, PetitionKind, PetitionStatus
from .petitions import check_text

# field → the column's Chinese name (the mapping step's labels and the report's columns)
FIELDS = {"number": "编号", "subject": "标题", "content": "内容", "received_at": "时间", "channel": "渠道",
          "kind": "类型", "category": "分类"}
# --map accepts the field's name or its Chinese name
FIELD_NAMES = {label: name for name, label in FIELDS.items()}
# Header texts that pre-select a column on the mapping page (a guess the user confirms).
HEADER_GUESSES = {
    "number": ("编号", "序号", "件号", "诉求编号", "工单号"), "subject": ("标题", "主题", "事由", "诉求标题"),
    "content": ("内容", "正文", "诉求内容", "来信内容", "留言内容", "详细内容"),
    "received_at": ("时间", "日期", "收到时间", "来件时间", "登记时间", "提交时间", "留言时间", "受理时间"),
    "channel": ("渠道", "来源", "来源渠道", "受理渠道"), "kind": ("类型", "诉求类型", "性质"),
    "category": ("分类", "类别", "诉求分类", "问题分类"),
}
# Channel and type cells: their labels, their codes, and the names offices commonly use for them.
CHANNEL_SYNONYMS = {
    "电话": Channel.HOTLINE, "热线": Channel.HOTLINE, "热线电话": Channel.HOTLINE, "来电": Channel.HOTLINE,
    "QQ": Channel.QQ, "QQ群": Channel.QQ, "邮箱": Channel.EMAIL, "邮件": Channel.EMAIL, "电子邮件": Channel.EMAIL,
    "EMAIL": Channel.EMAIL, "E-MAIL": Channel.EMAIL, "信件": Channel.LETTER, "书信": Channel.LETTER,
    "信访": Channel.LETTER, "走访": Channel.VISIT, "上访": Channel.VISIT, "当面": Channel.VISIT,
    "网站": Channel.WEBSITE, "政务公开": Channel.GOV_OPEN, "政务网": Channel.GOV_OPEN,
    "网上平台": Channel.PORTAL, "监督平台": Channel.PORTAL, "网上监督平台": Channel.PORTAL, "提案": Channel.PROPOSAL,
    "企业": Channel.ENTERPRISE, "村级发展": Channel.VILLAGE,
}
KIND_SYNONYMS = {"意见": PetitionKind.SUGGESTION, "建议": PetitionKind.SUGGESTION, "意见建议": PetitionKind.SUGGESTION,
                 "投诉": PetitionKind.COMPLAINT, "检举": PetitionKind.ACCUSATION, "控告": PetitionKind.ACCUSATION,
                 "举报": PetitionKind.ACCUSATION, "检举控告": PetitionKind.ACCUSATION}
SUBJECT_FROM_CONTENT = 40  # a file with no 标题 column: the content's first line, cut to this many characters
BATCH = 2000
CATEGORY_MAX = PetitionCategory._meta.get_field("name").max_length
NUMBER_MAX = Petition._meta.get_field("number").max_length
_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_SPACES = re.compile(r"\s+")


def _lookup(choices, synonyms: dict) -> dict[str, str]:
    table = {_key(label): value for value, label in choices}
    table.update({_key(value): value for value, _ in choices})
    table.update({_key(name): value for name, value in synonyms.items()})
    return table


def _key(text) -> str:
    return _SPACES.sub("", str(text)).upper()


CHANNELS = _lookup(Channel.choices, CHANNEL_SYNONYMS)
KINDS = _lookup(PetitionKind.choices, KIND_SYNONYMS)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(spec: str, headers: list[str]) -> int | None:
    """A column by its header text, or by its letter (A, B … AA) when no header has that text."""
    spec = (spec or "").strip()
    if not spec:
        return None
    if spec in headers:
        return headers.index(spec)
    if _LETTERS.fullmatch(spec):
        index = 0
        for char in spec.upper():
            index = index * 26 + ord(char) - 64
        return index - 1
    return None


def channel_value(text) -> str | None:
    return CHANNELS.get(_key(text)) if text not in (None, "") else None


@dataclass
class Mapping:
    """Which column (0-based) holds each field; ``channel`` the one channel of a file with no 渠道 column."""

    columns: dict[str, int] = field(default_factory=dict)
    channel: str = ""

    def described(self, headers: list[str]) -> dict[str, str]:
        return {FIELDS[f]: f"{column_letter(i)}列" + (f"（{headers[i]}）" if i < len(headers) and headers[i] else "")
                for f, i in self.columns.items()}


def build_mapping(specs: dict[str, str], headers: list[str], *, channel: str = "") -> Mapping:
    """The mapping the user chose (field → header text or letter), checked: each error names its field."""
    errors, columns = {}, {}
    for name, spec in specs.items():
        if name not in FIELDS:
            errors[name] = f"“{name}”不是可对应的字段，应为：{'、'.join(f'{k}（{v}）' for k, v in FIELDS.items())}"
            continue
        if spec in (None, ""):
            continue
        index = column_index(str(spec), headers)
        if index is None or index >= max(len(headers), 1) + 26 * 26:
            errors[name] = f"{FIELDS[name]}：表中没有“{spec}”列（请填表头文字或列字母，如 B）"
        elif index in columns.values():
            other = next(f for f, i in columns.items() if i == index)
            errors[name] = f"{FIELDS[name]}：{column_letter(index)}列已对应“{FIELDS[other]}”，一列只能对应一个字段"
        else:
            columns[name] = index
    if "subject" not in columns and "content" not in columns and not {"subject", "content"} & errors.keys():
        errors["subject"] = "标题、内容：请至少选择其中一列"
    if "received_at" not in columns and "received_at" not in errors:
        errors["received_at"] = "时间：请选择收到时间所在的列"
    chosen = channel_value(channel) if channel else None
    if channel and chosen is None:
        errors["channel"] = f"渠道：“{channel}”不是已有渠道，应为：{'、'.join(Channel.labels)}"
    elif "channel" not in columns and not chosen and "channel" not in errors:
        errors["channel"] = "渠道：请选择渠道所在的列，或为整个文件选择一个渠道"
    if errors:
        raise ValidationError(errors)
    return Mapping(columns, chosen or "")


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Columns pre-selected on the mapping page by their header texts."""
    found = {}
    for name, texts in HEADER_GUESSES.items():
        for i, header in enumerate(headers):
            if header in texts and i not in found.values():
                found[name] = i
                break
    return found


def require_import(actor, org) -> None:
    if not path_in_scope(actor, "petition.change", org.path):
        raise PermissionDenied(f"无权导入“{org}”的群众诉求（需要群众监督的登记权限）")


@dataclass
class ImportResult:
    report: ImportReport
    created: int = 0
    new_categories: list[str] = field(default_factory=list)


def import_petitions(upload, mapping_specs: dict[str, str], *, org, actor, channel: str = "",
                     stored_as: str = "") -> ImportResult:
    """Check every row of ``upload`` against the mapping, then write them all in one transaction, or nothing.

    ``mapping_specs``: field → header text or column letter. Raises ValidationError for a mapping that cannot
    be used, XlsxFormatError for a file that cannot be read; a bad row is in the returned report. ``stored_as``:
    the upload's name in the storage (the page's), kept in the audit event so that a background run is done once."""
    require_import(actor, org)
    headers, rows = read_table_grid(upload)
    mapping = build_mapping(mapping_specs, headers, channel=channel)
    report, petitions, new_categories = validate_rows(rows, mapping, org=org, actor=actor)
    if not report.ok:
        return ImportResult(report)
    name = getattr(upload, "name", "") or ""
    # One plain transaction, not retried (in_transaction): a retry would start from rows already given ids.
    created = _write(petitions, new_categories, org=org, actor=actor, summary={
        "file": name.rsplit("/", 1)[-1][:100], "rows": report.rows, "mapping": mapping.described(headers),
        "channel": Channel(mapping.channel).label if mapping.channel else "", "stored_as": stored_as})
    transaction.on_commit(lambda: retrain_categories(org))
    return ImportResult(report, created, sorted(new_categories))


def validate_rows(rows, mapping: Mapping, *, org, actor):
    """Every row checked, nothing written: (report, petitions to write, category names to create)."""
    report = ImportReport()
    categories = {c.name: c for c in PetitionCategory.objects.filter(org=org)}
    new_categories: dict[str, PetitionCategory] = {}
    now, tz = timezone.now(), timezone.get_current_timezone()
    numbers: dict[str, int] = {}
    petitions = []
    cols = mapping.columns
    for number, row in rows:
        report.rows += 1
        before = len(report.errors)

        def cell(name, row=row):
            i = cols.get(name)
            value = row[i] if i is not None and i < len(row) else None
            return None if value is None or (isinstance(value, str) and not value) else value

        p = Petition(org=org, org_path=org.path, status=PetitionStatus.ACCEPTED, imported=True, anonymous=True,
                     created_by=actor)
        p.number = _text(cell("number"))
        if len(p.number) > NUMBER_MAX:
            report.add(number, "编号", f"最多 {NUMBER_MAX} 个字符（现有 {len(p.number)} 个）")
        elif p.number in numbers:
            report.add(number, "编号", f"“{p.number}”与第 {numbers[p.number]} 行重复")
        elif p.number:
            numbers[p.number] = number
        p.received_at = _when(cell("received_at"), number, report, now, tz)
        subject, content = _text(cell("subject")), _text(cell("content"))
        if not subject and not content:
            report.add(number, "、".join(FIELDS[f] for f in ("subject", "content") if f in cols), "为空")
        p.subject = subject or content.split("\n", 1)[0][:SUBJECT_FROM_CONTENT]
        p.content = content or subject
        raw_channel = cell("channel")
        p.channel = channel_value(raw_channel) or ("" if raw_channel is not None else mapping.channel)
        if raw_channel is not None and not p.channel:
            report.add(number, "渠道", f"“{raw_channel}”不是已有渠道，应为：{'、'.join(Channel.labels)}")
        elif not p.channel:
            report.add(number, "渠道", "为空（或为整个文件选择一个渠道）")
        raw_kind = cell("kind")
        p.kind = KINDS.get(_key(raw_kind), "") if raw_kind is not None else PetitionKind.SUGGESTION
        if not p.kind:
            report.add(number, "类型", f"“{raw_kind}”无效，应为：{'、'.join(PetitionKind.labels)}")
        category = _text(cell("category"))
        if len(category) > CATEGORY_MAX:
            report.add(number, "分类", f"最多 {CATEGORY_MAX} 个字（现有 {len(category)} 个）")
        elif category:
            p.category = categories.get(category) or new_categories.setdefault(
                category, PetitionCategory(org=org, org_path=org.path, name=category))
            p.category_source = CategorySource.IMPORTED
        try:
            check_text(p)
        except ValidationError as exc:  # the intake's own checks, the report naming the column
            # every problem of the row at once, a column already reported not twice
            reported = "、".join(e.column for e in report.errors[before:])
            for name, messages in exc.message_dict.items():
                column = FIELDS.get(name, "")
                if column and column in reported:
                    continue
                for message in messages:
                    report.add(number, column, message.split("：", 1)[-1])
        if len(report.errors) == before:
            petitions.append(p)
    if report.rows == 0:
        report.add(2, "", "表中没有数据行")
    _check_numbers_on_file(numbers, org, report)
    return report, petitions, new_categories


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a cell comes back as 1024.0
    return str(value).strip() if value is not None else ""


_DATE_SEPARATORS = re.compile(r"[/.年月]")
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _from_parts(match) -> dt.datetime | None:
    try:
        return dt.datetime(*(int(p) for p in match.groups(default="0")))
    except ValueError:  # 2024-13-01, 2024-02-30
        return None


def _when(value, number: int, report: ImportReport, now: dt.datetime, tz) -> dt.datetime | None:
    if value is None:
        report.add(number, "时间", "为空")
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif match := _ISO.fullmatch(str(value).strip()):  # the common case, without strptime (100,000 rows)
        moment = _from_parts(match)
    else:
        text = _DATE_SEPARATORS.sub("-", str(value).strip()).replace("日", " ").replace("T", " ").strip()
        text = re.sub(r"\s+", " ", text)
        moment = None
        for fmt in _FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        report.add(number, "时间", f"“{value}”不是有效时间，应为 2024-03-05 或 2024-03-05 10:20 格式")
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz)
    if moment > now:
        report.add(number, "时间", f"{moment:%Y-%m-%d %H:%M} 晚于现在，历史诉求不能是将来的时间")
    elif moment.year < YEAR_MIN:
        report.add(number, "时间", f"{moment:%Y-%m-%d} 早于 {YEAR_MIN} 年，请检查是否填错")
    return moment


def _check_numbers_on_file(numbers: dict[str, int], org, report: ImportReport) -> None:
    """A number the agency already holds (the same file imported twice) is refused, row by row."""
    keys = list(numbers)
    for start in range(0, len(keys), 5000):
        taken = (Petition.objects.filter(org=org, number__in=keys[start:start + 5000])
                 .values_list("number", flat=True).distinct())
        for taken_number in taken:
            report.add(numbers[taken_number], "编号", f"系统中已有编号为“{taken_number}”的诉求（该文件可能已导入过）")
    report.errors.sort(key=lambda e: e.row)


def _write(petitions, new_categories: dict[str, PetitionCategory], *, org, actor, summary: dict) -> int:
    with transaction.atomic():
        for category in new_categories.values():
            audit.save_audited(category, actor=actor, action="supervision.petition_category_import")
        Petition.objects.bulk_create(petitions, batch_size=BATCH)
        audit.record("supervision.petition_import", actor=actor, org_path=org.path,
                     target_repr=f"{summary['file'] or '历史诉求'}（{len(petitions)} 条）",
                     after={**summary, "created": len(petitions), "categories_created": sorted(new_categories)},
                     message=f"导入历史诉求 {len(petitions)} 条，新建分类 {len(new_categories)} 个")
    return len(petitions)


# ---- large files from the page: in the background ----------------------------------------------------------

# A file larger than this is imported by the task queue (a request would outlast the server's worker timeout);
# about 5,000 rows of ordinary messages.
PAGE_BYTES = 1024 * 1024
IMPORT_JOB = "supervision.petition_import"
REPORT_LINES = 200  # rows of a refusal listed in the notification (the count says how many in all)


@jobs.job(IMPORT_JOB, "导入历史诉求")
def run_stored_import(stored_as: str, org_id: int, user_id: int, specs: dict, channel: str, original: str) -> str:
    """The page's import of a large file, run by the queue; the uploader is told the outcome (站内通知), with the
    row-by-row report when it was refused. Safe to run twice: a file already imported is not imported again."""
    if AuditEvent.objects.filter(action="supervision.petition_import", after__stored_as=stored_as).exists():
        return "已导入（重复执行，未再导入）"
    org, actor = Org.objects.get(pk=org_id), get_user_model().objects.get(pk=user_id)
    link = "/supervision/petitions/import/"
    if not default_storage.exists(stored_as):
        return "文件已不存在"
    try:
        with default_storage.open(stored_as, "rb") as f:
            result = import_petitions(f, specs, org=org, actor=actor, channel=channel, stored_as=stored_as)
    except (ValidationError, XlsxFormatError, PermissionDenied) as exc:
        text = "；".join(m for ms in exc.message_dict.values() for m in ms) if isinstance(exc, ValidationError) \
            else str(exc)
        notify(actor, "历史诉求导入未完成", f"“{original}”未导入：{text}", link=link, category="supervision")
        default_storage.delete(stored_as)
        return f"未导入：{text}"[:200]
    report = result.report
    default_storage.delete(stored_as)
    if report.ok:
        new = f"；新建分类：{'、'.join(result.new_categories)}" if result.new_categories else ""
        notify(actor, "历史诉求导入完成", f"“{original}”已导入 {result.created} 条{new}。", link=link,
               category="supervision")
        return f"已导入 {result.created} 条"
    lines = [f"第 {e.row} 行 {e.column or '—'}：{e.message}" for e in report.errors[:REPORT_LINES]]
    more = f"\n……共 {len(report.errors)} 处错误，仅列出前 {REPORT_LINES} 处" if len(report.errors) > REPORT_LINES else ""
    notify(actor, "历史诉求导入未完成", f"“{original}”共 {report.rows} 行，发现 {len(report.errors)} 处错误，"
                                   f"未写入任何数据。请修改后重新上传：\n" + "\n".join(lines) + more,
           link=link, category="supervision")
    return f"未导入：{len(report.errors)} 处错误"


def retrain_categories(org) -> bool:
    """After an import: the category suggestion learns again from the history, in the background."""
    classify.request_retrain(org)
    return True
