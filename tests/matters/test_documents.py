"""Ledgers out (.xlsx read back), the 问题清单 import (all or nothing), the weekly 督办 job and the summaries."""

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core import rule_settings
from dangjian.core.documents import write_xlsx
from dangjian.core.models import Notification
from dangjian.matters import ledger, services, supervision, tasks
from dangjian.matters.models import Matter, Measure, ProblemList, Status, SupervisionLines, SupervisionSheet
from dangjian.orgs.models import Org

from ..conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_the_personal_ledger_exports_in_the_usual_columns(demo, client_for):
    response = client_for("kezhang").get("/matters/ledger/?export=xlsx")
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    assert rows[0] == ["序号", "问题", "整改措施", "责任人", "责任领导", "完成时限", "进展情况", "销号情况"]
    by_title = {r[1]: r for r in rows[1:]}
    research = by_title["调研不够深入具体"]
    assert research[0] >= 1 and "三大调研" in research[2] and research[3] == demo["users"]["kezhang"].person.name
    assert research[4] == demo["users"]["shuji"].person.name and research[5].startswith("2026年")
    assert research[7] == "未销号（办理中）"
    # another person's ledger is theirs only; a closed item shows its filing
    banzi = demo["users"]["banzi"].person
    system = Matter.objects.get(title__startswith="从严治党")
    rows = sheet_rows(client_for("dangwu").get(f"/matters/ledger/{system.owner_id}/?export=xlsx").content)
    closed = next(r for r in rows[1:] if r[1].startswith("从严治党"))
    assert closed[7].startswith("已销号（销号备案〔") and banzi.name in closed[7]


def test_any_list_exports_to_xlsx(client_for):
    rows = sheet_rows(client_for("dangwu").get("/matters/?kind=npc&export=xlsx").content)
    assert rows[0][:4] == ["编号", "类别", "标题", "组织"]
    assert {r[1] for r in rows[1:]} == {"人大建议"} and len(rows) > 2


def _upload(rows, name="清单.xlsx"):
    f = io.BytesIO(write_xlsx("问题清单", ledger.IMPORT_COLUMNS, rows))
    f.name = name
    return f


def test_a_problem_list_import_with_a_bad_row_writes_nothing_and_says_where(demo, client_for):
    plist = ProblemList.objects.get(title__startswith="贯彻落实")
    owner, leader = demo["users"]["kezhang"].person.name, demo["users"]["banzi"].person.name
    good = [1, "会风文风有待改进", "作风建设", "第三批", "科室", "办公室", owner, leader, "精简会议文件", "", "2026-12-30"]
    bad = [2, "学习不够系统", "学习教育", "第三批", "科室", "办公室", "查无此人", owner, "制定学习计划", "", "2026-12-27"]
    before = (Matter.objects.count(), Measure.objects.count())
    response = client_for("dangwu").post(f"/matters/lists/{plist.pk}/", {"file": _upload([good, bad])})
    page = response.content.decode()
    assert response.status_code == 200 and "没有写入任何数据" in page
    assert "第 3 行" in page and "“查无此人”不存在" in page and "不是现任班子成员" in page and "不是工作日" in page
    assert (Matter.objects.count(), Measure.objects.count()) == before
    # the same list with the row fixed goes in whole: two measures under problem 1, one under problem 2
    fixed = [2, "学习不够系统", "学习教育", "第三批", "科室", "办公室", owner, leader, "制定学习计划", "", "2026-12-28"]
    more = [1, "", "", "", "", "", "", "", "建立会议审批制度", owner, "2026-12-29"]
    response = client_for("dangwu").post(f"/matters/lists/{plist.pk}/", {"file": _upload([good, fixed, more])})
    assert response.status_code == 302
    made = Matter.objects.filter(problem_list=plist, batch="第三批").order_by("number")
    assert [m.title for m in made] == ["会风文风有待改进", "学习不够系统"]
    assert made[0].measures.count() == 2 and made[0].due_on == dt.date(2026, 12, 30)


def test_a_problem_list_comes_in_as_csv_in_gbk_as_well(demo, client_for):
    """The problem list's upload accepts what the roster's does (.xlsx, or a .csv in UTF-8 or GBK), and reads it."""
    plist = ProblemList.objects.get(title__startswith="贯彻落实")
    owner, leader = demo["users"]["kezhang"].person.name, demo["users"]["banzi"].person.name
    rows = [ledger.IMPORT_COLUMNS, ["1", "公文办理不够规范", "作风建设", "第四批", "科室", "办公室", owner, leader,
                                    "规范公文流转", "", "2026-12-30"]]
    f = io.BytesIO("\r\n".join(",".join(row) for row in rows).encode("gbk"))
    f.name = "清单.csv"
    response = client_for("dangwu").post(f"/matters/lists/{plist.pk}/", {"file": f})
    assert response.status_code == 302, response.content.decode()[-2000:]
    made = Matter.objects.get(problem_list=plist, batch="第四批")
    assert made.title == "公文办理不够规范" and made.due_on == dt.date(2026, 12, 30)


def test_a_file_that_is_not_a_workbook_is_refused(client_for):
    plist = ProblemList.objects.first()
    f = io.BytesIO(b"not a workbook")
    f.name = "x.xlsx"
    response = client_for("dangwu").post(f"/matters/lists/{plist.pk}/", {"file": f})
    assert "不是 Excel (.xlsx)、CSV 文本 (.csv) 格式" in response.content.decode()


def test_the_weekly_supervision_job_runs_for_real_and_notifies_owners_and_leaders(demo, monday_without_sheet):
    monday, tuesday = dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    assert rule_settings.get("matters.supervision_weekday") == 1
    assert tasks.weekly_supervision(tuesday.isoformat())() is None  # not the supervision day
    assert not SupervisionSheet.objects.filter(end=tuesday).exists()
    sheet_id = tasks.weekly_supervision(monday.isoformat())()
    sheet = SupervisionSheet.objects.get(pk=sheet_id)
    open_count = Matter.objects.exclude(status=Status.CLOSED).count()
    overdue = Matter.objects.exclude(status=Status.CLOSED).filter(due_on__lt=monday).count()
    rows = SupervisionLines.objects.filter(sheet=sheet)
    assert sheet.figures["open"] == open_count == sum(len(r.lines) for r in rows) == sum(r.count for r in rows)
    assert rows.count() < open_count  # one row per unit and 责任人, not one per matter
    assert sheet.figures["overdue"] == overdue > 0
    kezhang = demo["users"]["kezhang"]
    note = Notification.objects.filter(recipient=kezhang, category="matter.supervision").get()
    mine = Matter.objects.exclude(status=Status.CLOSED).filter(owner__user=kezhang).count()
    assert f"您负责的在办事项 {mine} 项" in note.title and note.link.startswith(f"/matters/supervision/{sheet.pk}/")
    assert Notification.objects.filter(recipient=demo["users"]["shuji"], title__contains="您分管的").exists()
    assert tasks.weekly_supervision(monday.isoformat())() == sheet.pk  # kept, not issued twice


def test_the_supervision_sheet_page_shows_each_person_their_lines(demo, client_for):
    sheet = SupervisionSheet.objects.get(pk=tasks.weekly_supervision("2026-11-30")())
    page = client_for("kezhang").get(f"/matters/supervision/{sheet.pk}/?mine=owner").content.decode()
    assert "调研不够深入具体" in page and "关于加强机关效能建设的建议" not in page
    assert client_for("dangyuan").get(f"/matters/supervision/{sheet.pk}/").status_code == 200


def test_half_month_and_month_summaries_are_official_documents_with_the_items_behind_each_figure(demo, client_for):
    today = dt.date.today()
    end = today.replace(day=15) if today.day > 15 else today.replace(day=1) - dt.timedelta(days=1)
    tasks.half_month_summary((end + dt.timedelta(days=1)).isoformat())()
    month_id = tasks.monthly_summary((today.replace(day=28) + dt.timedelta(days=4)).replace(day=1).isoformat())()
    month = SupervisionSheet.objects.get(pk=month_id)
    assert month.period == "month" and month.start == today.replace(day=1)
    closed_this_month = Matter.objects.filter(closed_on__gte=month.start, closed_on__lte=month.end).count()
    assert month.figures["closed"] == closed_this_month > 0
    response = client_for("shuji").get(f"/matters/supervision/{month.pk}/document.docx")
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert "事项督办月度总结" in texts and "一、总体情况" in texts
    assert any(f"已销号{closed_this_month}项" in t for t in texts)
    assert any(t.startswith("（二）已销号") for t in texts)
    tables = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["类别", "新登记", "已销号", "按期销号", "超期销号", "截至期末超期未办结"] in tables
    listed = {row.cells[1].text for t in doc.tables for row in t.rows[1:]}
    assert "从严治党、专题教育配套制度体系建设不够完善" in listed
    assert SupervisionSheet.objects.filter(period="half_month").exists()


def test_a_grant_on_the_root_alone_does_not_open_the_summaries(demo):
    """Summaries cover every org: matter.view on the root node without its subtree is not enough."""
    month = supervision.build_summary(SupervisionSheet.Period.MONTH, dt.date.today())
    root = Org.get_root_nodes().get()
    narrow = User.objects.create_user("root_only", password=PASSWORD)
    RoleAssignment.objects.create(user=narrow, role=Role.PARTY_ADMIN, org=root, include_subtree=False)
    wide = User.objects.create_user("root_whole", password=PASSWORD)
    RoleAssignment.objects.create(user=wide, role=Role.PARTY_ADMIN, org=root, include_subtree=True)
    for url in (f"/matters/supervision/{month.pk}/", f"/matters/supervision/{month.pk}/document.docx"):
        assert signed_in(narrow).get(url).status_code == 403
        assert signed_in(wide).get(url).status_code == 200


def test_the_yearly_figures_trace_to_their_records(demo, client_for):
    year = dt.date.today().year
    page = client_for("dangwu").get(f"/matters/figures/?year={year}", follow=True).content.decode()
    assert "代表委员满意率" in page and "100.0%" in page
    detail = client_for("dangwu").get(f"/matters/figures/satisfaction/?year={year}", follow=True).content.decode()
    assert "关于加快推进扩权强镇改革的建议" in detail and "关于推进政务公开的提案" not in detail
    detail = client_for("dangwu").get(f"/matters/figures/replies/?year={year}", follow=True).content.decode()
    assert "事业单位分类改革意见回复" in detail
    matter = Matter.objects.get(title="关于深化事业单位分类改革的提案")
    services.do_record_satisfaction(matter, "unsatisfied", actor=demo["users"]["dangwu"])
    from dangjian.core.figures import FigureScope, Period, get

    value = get("matters.proposals.satisfaction_rate").evaluate(FigureScope((demo["orgs"]["SXX"].path,),
                                                                            Period.year(year)))
    assert (value.count, value.total, value.display) == (2, 3, "66.7%")
