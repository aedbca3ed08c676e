"""花名册: template, all-or-nothing import with a row-by-row report, counts, and export."""

import io

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
    assert ".xlsx" in client.post("/people/import/", {"file": csv}).content.decode()
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

    report, created, updated = roster.write_roster(people, report, actor=dangwu)
    assert (created, updated) == (0, 0) and state() == before
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
