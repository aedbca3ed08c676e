"""花名册: template, all-or-nothing import with a row-by-row report, counts, and export."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from dangjian.core.crypto import blind_index
from dangjian.core.documents import write_xlsx
from dangjian.core.ids import id_check_digit
from dangjian.core.models import AuditEvent
from dangjian.orgs import roster, services
from dangjian.orgs.models import Org, PartyStatus, Person

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def new_id(seq: int) -> str:
    first17 = f"11010119800505{seq:03d}"
    return first17 + id_check_digit(first17)


def upload(rows, headers=roster.COLUMNS, name="花名册.xlsx"):
    f = io.BytesIO(write_xlsx("花名册", headers, rows))
    f.name = name
    return f


def row(name, number, org="SXX-BGS", branch="", status="群众", joined="", **kw):
    values = dict(zip(roster.COLUMNS, [name, "", "", number, "", "", "", org, branch, status, joined, ""], strict=True))
    values.update(kw)
    return [values[c] for c in roster.COLUMNS]


def state():
    """What an import could write; refused uploads are logged as security events, which are not writes of it."""
    return (Person.objects.count(), AuditEvent.objects.filter(category=AuditEvent.Category.BUSINESS).count(), sum(Person.objects.values_list("version", flat=True)),
            services.member_counts([Org.objects.get(code="SXX").path]))


def raw_counts(path):
    totals = {s.value: 0 for s in PartyStatus}
    for p in Person.objects.filter(is_active=True):
        if (p.branch_path or p.org_path).startswith(path):
            totals[p.party_status] += 1
    return totals


def test_the_template_downloads_with_the_columns_and_notes(demo):
    response = signed_in(demo["users"]["dangwu"]).get("/people/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header == roster.COLUMNS
    assert "填写说明" in wb.sheetnames
    # Issue 12: the ID and phone columns are text, so that Excel keeps every digit typed there
    sheet = wb.worksheets[0]
    for column in ("居民身份证号", "手机号"):
        letter = sheet.cell(row=1, column=roster.COLUMNS.index(column) + 1).column_letter
        assert sheet.column_dimensions[letter].number_format == "@" and sheet[f"{letter}2"].number_format == "@"
    notes = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row)
    assert "设置单元格格式" in notes and "CSV" in notes
    assert "*" not in notes.replace("中间为*", "") and "带*" not in notes  # no header carries a *


def test_bad_rows_get_a_row_by_row_report_and_nothing_is_written(demo):
    existing = Person.objects.get(user__username="dangyuan")
    rows = [
        row("好人甲", new_id(1)),                                             # row 2: fine
        row("", new_id(2)),                                                   # row 3: no name
        row("好人乙", "110101198005050029"),                                  # row 4: bad check digit
        row("好人丙", new_id(3), org="不存在的科室"),                           # row 5: unknown org
        row("好人丁", new_id(4), status="党员"),                               # row 6: unknown status
        row("好人戊", new_id(5), status="正式党员"),                            # row 7: member without branch/date
        row("好人己", new_id(1)),                                              # row 8: duplicate of row 2
        row("好人庚", new_id(6), 出生日期="2020-02-30"),                        # row 9: bad date
    ]
    client = signed_in(demo["users"]["dangwu"])
    before = state()
    response = client.post("/people/import/", {"file": upload(rows)})
    assert response.status_code == 200
    report = response.context["report"]
    found = {(e.row, e.column) for e in report.errors}
    for expected in [(3, "姓名"), (4, "居民身份证号"), (5, "所在单位或科室"), (6, "政治面貌"), (7, "所在党支部"),
                     (7, "入党日期"), (8, "居民身份证号"), (9, "出生日期")]:
        assert expected in found, (expected, report.errors)
    assert 2 not in {e.row for e in report.errors}
    html = response.content.decode()
    assert 'id="import-report"' in html and "第 4 行" in html and "校验码不正确" in html and "未写入任何数据" in html
    assert state() == before
    # a row for someone outside the importer's scope is refused too, without writing the good rows
    zuzhi_like = signed_in(demo["users"]["zhibu"])
    assert zuzhi_like.post("/people/import/", {"file": upload([row("x", existing.id_number)])}).status_code == 403
    assert state() == before


def test_a_file_that_is_not_the_template_is_refused_with_a_message(demo):
    client = signed_in(demo["users"]["dangwu"])
    before = state()
    response = client.post("/people/import/", {"file": upload([["a", "b"]], headers=["甲", "乙"])})
    assert "表头缺少列" in response.content.decode()
    bogus = io.BytesIO(b"not a workbook at all")
    bogus.name = "x.xlsx"
    assert "不是 Excel" in client.post("/people/import/", {"file": bogus}).content.decode()
    csv = io.BytesIO(b"a,b")
    csv.name = "x.csv"
    assert "表头缺少列" in client.post("/people/import/", {"file": csv}).content.decode()
    binary = io.BytesIO(b"\x00\x01\x02 not text")
    binary.name = "x.csv"
    assert "文件内容：不是" in client.post("/people/import/", {"file": binary}).content.decode()
    assert state() == before


def test_a_good_import_creates_and_updates_and_the_counts_match_a_raw_count(demo):
    client = signed_in(demo["users"]["dangwu"])
    existing = Person.objects.filter(party_status=PartyStatus.MASSES, branch__isnull=True).first()
    events_before = AuditEvent.objects.filter(action="person.import").count()
    rows = [
        row("新党员甲", new_id(11), org="SXX-CWK", branch="第一党支部", status="正式党员", joined="2015-07-01"),
        row("新群众乙", new_id(12), org="人事科", 手机号="13712345678"),
        row(existing.name, existing.id_number, org=existing.org.code, branch="SXX-ZB3", status="预备党员",
            joined="2025-07-01"),
    ]
    response = client.post("/people/import/", {"file": upload(rows)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert "新增 2 人，更新 1 人" in client.get(response["Location"]).content.decode()
    created = Person.objects.get(id_number_index=blind_index(new_id(11)))
    assert created.branch.code == "SXX-ZB1" and created.branch_path == created.branch.path
    assert created.birth_date.isoformat() == "1980-05-05" and created.gender == "M"
    assert Person.objects.get(id_number_index=blind_index(new_id(12))).phone == "13712345678"
    updated = Person.objects.get(pk=existing.pk)
    assert updated.party_status == PartyStatus.PROBATIONARY and updated.version == existing.version + 1
    assert AuditEvent.objects.filter(action="person.import").count() == events_before + 3
    for org in Org.objects.all():
        assert services.member_counts([org.path]) == raw_counts(org.path), org.code


def test_the_export_reads_back_with_masked_numbers_within_scope(demo):
    client = signed_in(demo["users"]["banzi"])
    response = client.get("/people/?export=xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == roster.COLUMNS
    visible = {p.name: p for p in Person.objects.filter(org__code__in=["SXX-BGS", "SXX-RSK", "SXX-DJB"],
                                                         is_active=True)}
    names = {r[0] for r in rows[1:]}
    assert names == set(visible)
    for r in rows[1:]:
        person = visible[r[0]]
        assert r[3] == person.masked_id_number and person.id_number not in r
        assert r[4] == person.masked_phone
    assert AuditEvent.objects.filter(action="person.export", actor=demo["users"]["banzi"]).exists()
    assert signed_in(demo["users"]["kezhang"]).get("/people/?export=xlsx").status_code == 403


def test_an_edit_between_validation_and_writing_is_a_conflict_not_a_drift(demo):
    """The counters move by the rows as locked when the import writes, and a person changed since the
    import was validated is reported: nothing is written, nothing drifts."""
    dangwu = demo["users"]["dangwu"]
    person = Person.objects.filter(org__code="SXX-BGS", is_active=True).exclude(party_status=PartyStatus.MASSES).first()
    report, people = roster.validate_roster(upload([
        row(person.name, person.id_number, org="SXX-BGS", branch=person.branch.code if person.branch_id else "",
            status="群众"),
        row("新来", new_id(21))]), actor=dangwu)
    assert report.ok, report.errors
    meanwhile = Person.objects.get(pk=person.pk)
    meanwhile.is_active = False  # someone else deactivates the person while the import is being validated
    services.do_update_person(meanwhile, actor=dangwu, expected_version=meanwhile.version)
    before = state()

    report, created, updated, unchanged = roster.write_roster(people, report, actor=dangwu)
    assert (created, updated, unchanged) == (0, 0, 0) and state() == before
    assert [(e.row, e.column) for e in report.errors] == [(2, "居民身份证号")]
    assert "已被他人修改" in report.errors[0].message
    root = Org.objects.get(code="SXX").path
    assert services.member_counts([root]) == raw_counts(root)


def test_verify_counts_names_every_difference_alerts_and_repairs_only_on_request(demo):
    from django.core.management import CommandError, call_command
    from django.db.models import F

    from dangjian.core.models import Notification
    from dangjian.orgs.models import OrgMemberCount
    from dangjian.orgs.tasks import verify_counts_daily

    assert services.count_differences() == [] and verify_counts_daily.call_local() is True
    counter = OrgMemberCount.objects.filter(org_path__gt="").order_by("org_path", "party_status").last()
    office, status = counter.org_path, counter.party_status
    OrgMemberCount.objects.filter(pk=counter.pk).update(count=F("count") + 2)  # a drifted counter
    stored = counter.count + 2
    assert services.count_differences() == [(office, status, stored, stored - 2)]

    assert verify_counts_daily.call_local() is False  # told, not repaired
    assert Notification.objects.filter(recipient__username="dangwu", title="人数统计与人员表不符").exists()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_counts", stdout=out)
    assert f"{office}\t{status}\t统计 {stored}\t实际 {stored - 2}" in out.getvalue()
    assert services.count_differences() != []

    call_command("verify_counts", "--repair", stdout=out)
    assert services.count_differences() == []
    assert AuditEvent.objects.filter(action="org.counts_repair", message__contains="修正 1 项").exists()


def _report(response):
    assert response.status_code == 200, response.get("Location")
    return [(e.row, e.column, e.message) for e in response.context["report"].errors]


def test_id_numbers_typed_as_numbers_are_explained_once_not_as_duplicates_or_nulls(demo):
    """Issue 12: 4.5010319860309e+17 gave "应为18位", "与第 2 行重复" and "这个值不能为 null。"."""
    rows = [row(f"数字{i}", 4.5010319860309e+17) for i in range(5)] + [row("文本人", new_id(31))]
    before = state()
    errors = _report(signed_in(demo["users"]["dangwu"]).post("/people/import/", {"file": upload(rows)}))
    assert state() == before
    first, rest = errors[0], errors[1:]
    assert first[:2] == (1, "居民身份证号") and "数字格式" in first[2] and "设置单元格格式" in first[2] and "'" in first[2]
    assert [(r, c) for r, c, _ in rest] == [(n, "居民身份证号") for n in range(2, 7)]
    assert all("数字格式" in m and "4.5010319860309E+17" in m for _, _, m in rest), rest
    assert not any("重复" in m or "null" in m or "18位" in m for _, _, m in errors)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_file_in_utf8_or_gbk_imports_like_a_workbook(demo, encoding):
    """Issue 12: offices export CSV from other systems, often in GBK."""
    import csv

    def csv_upload(rows):
        text = io.StringIO()
        csv.writer(text).writerows([roster.COLUMNS, *rows])
        f = io.BytesIO(text.getvalue().encode(encoding))
        f.name = "花名册.csv"
        return f

    client = signed_in(demo["users"]["dangwu"])
    good = [row("甲乙丙", new_id(41), org="财务科", 手机号="13712345678"), row("丁戊", new_id(42), org="人事科")]
    bad = [*good, row("己庚", new_id(43), org="不存在的科室")]
    before = state()
    assert _report(client.post("/people/import/", {"file": csv_upload(bad)})) == [
        (4, "所在单位或科室", "找不到组织“不存在的科室”，或不在您的管理范围内")]
    assert state() == before
    response = client.post("/people/import/", {"file": csv_upload(good)})
    assert response.status_code == 302, _report(response)
    created = Person.objects.get(id_number_index=blind_index(new_id(41)))
    assert (created.name, created.org.name, created.phone) == ("甲乙丙", "财务科", "13712345678")


def test_an_impossible_birth_date_is_refused_naming_the_row_and_the_column(demo, frozen_today):
    """Issue 11 item 15: a birth date in the future (in the ID or the column) or one that is not the ID's."""
    future_first17 = "110101202612010" + "12"
    future_id = future_first17 + id_check_digit(future_first17)
    rows = [row("未来人", future_id),                          # row 2: the ID's birth date lies ahead
            row("将来人", new_id(51), 出生日期="2026-12-01"),   # row 3: the column lies ahead
            row("错日人", new_id(52), 出生日期="1980-05-06"),   # row 4: not the ID's (1980-05-05)
            row("对日人", new_id(53), 出生日期="1980-05-05")]   # row 5: fine
    before = state()
    errors = _report(signed_in(demo["users"]["dangwu"]).post("/people/import/", {"file": upload(rows)}))
    assert errors == [
        (2, "居民身份证号", "居民身份证号中的出生日期（2026-12-01）晚于今天"),
        (3, "出生日期", "出生日期（2026-12-01）晚于今天"),
        (4, "出生日期", "出生日期（1980-05-06）与居民身份证号中的出生日期（1980-05-05）不符"),
    ]
    assert state() == before


def test_the_masked_export_says_it_cannot_be_imported_and_the_full_export_imports_back(demo):
    """Issue 11 item 16: the masked export gave 120 errors with no hint; there was no export to import back."""
    dangwu, banzi = demo["users"]["dangwu"], demo["users"]["banzi"]
    client = signed_in(dangwu)
    masked = client.get("/people/?q=&org=" + str(demo["orgs"]["SXX-BGS"].pk) + "&export=xlsx")
    assert "花名册（脱敏，不能导入）" in unquote(masked["Content-Disposition"])
    book = load_workbook(io.BytesIO(masked.content))
    assert any("不能用于导入" in str(c.value) for r in book.worksheets[1].iter_rows() for c in r)
    count = book.worksheets[0].max_row - 1
    masked_file = io.BytesIO(masked.content)
    masked_file.name = "花名册.xlsx"
    before = state()
    errors = _report(client.post("/people/import/", {"file": masked_file}))
    assert errors[0] == (1, "", roster.MASKED_EXPORT) and state() == before
    assert {r for r, c, _ in errors[1:] if c == "居民身份证号"} == set(range(2, count + 2))
    assert not any("重复" in m or "18位" in m or "null" in m for _, _, m in errors)

    # banzi may export but may not see full numbers: no full export, and nothing logged
    assert signed_in(banzi).post("/people/export/full/").status_code == 403
    assert not AuditEvent.objects.filter(action="person.export_full").exists()
    full = client.post("/people/export/full/", {"org": demo["orgs"]["SXX-BGS"].pk})
    assert full.status_code == 200
    rows = list(load_workbook(io.BytesIO(full.content)).worksheets[0].iter_rows(values_only=True))[1:]
    people = {p.id_number: p for p in Person.objects.filter(org_path__startswith=demo["orgs"]["SXX-BGS"].path,
                                                            is_active=True)}
    assert len(rows) == count and {r[3] for r in rows} == set(people)
    assert all(r[2].date() == people[r[3]].birth_date and r[4] == people[r[3]].phone for r in rows)
    event = AuditEvent.objects.get(action="person.export_full")
    assert event.actor == dangwu and event.category == AuditEvent.Category.SECURITY and f"{count} 人" in event.message
    # imported back unchanged: no row written, no new version, no audit event (it bumped every row before)
    versions = dict(Person.objects.filter(pk__in=[p.pk for p in people.values()]).values_list("pk", "version"))
    events = AuditEvent.objects.filter(target_type="orgs.person").count()
    again = io.BytesIO(full.content)
    again.name = "花名册.xlsx"
    response = client.post("/people/import/", {"file": again})
    assert response.status_code == 302, _report(response)
    assert f"新增 0 人，更新 0 人，{count} 人与系统中一致未作修改" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(target_type="orgs.person").count() == events
    assert dict(Person.objects.filter(pk__in=versions).values_list("pk", "version")) == versions
