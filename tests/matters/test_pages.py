"""Pages and API routes for every demo role, on a matter inside and outside their scope; lists in constant queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.models import ApiToken
from dangjian.matters import services
from dangjian.matters.models import Matter, Status

pytestmark = pytest.mark.django_db

# (view inside, view outside, edit inside, edit outside) — inside: 办公室 (banzi's and kezhang's), outside: 项目建设科.
EXPECTED = {
    "admin": (404, 404, 404, 404),
    "dangwu": (200, 200, 200, 200),
    "shuji": (200, 200, 200, 200),
    "banzi": (200, 404, 200, 404),
    "jijian": (200, 200, 403, 403),
    "kezhang": (200, 404, 200, 404),
    "zhibu": (404, 404, 404, 404),
    "dangyuan": (404, 404, 404, 404),
}


@pytest.fixture
def pair(demo, make_matter):
    from dangjian.orgs.models import Person

    outsider = Person.objects.filter(org__code="SXX-XMJS", user__isnull=False).exclude(
        user__username__in=EXPECTED).first()
    inside = make_matter(title="范围内：办公室事项")
    outside = Matter(kind="assigned", title="范围外：项目建设科事项", org=demo["orgs"]["SXX-XMJS"], owner=outsider,
                     responsible_leader=demo["users"]["shuji"].person, received_on=inside.received_on)
    outside = services.do_create_matter(outside, actor=demo["users"]["dangwu"])
    return inside, outside


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_and_edits_only_within_scope(role, pair, client_for):
    inside, outside = pair
    client = client_for(role)
    want = EXPECTED[role]
    got = (client.get(f"/matters/{inside.pk}/").status_code, client.get(f"/matters/{outside.pk}/").status_code,
           client.get(f"/matters/{inside.pk}/edit/").status_code, client.get(f"/matters/{outside.pk}/edit/").status_code)
    assert got == want
    listing = client.get("/matters/").content.decode()
    assert ("范围内：办公室事项" in listing) == (want[0] == 200)
    assert ("范围外：项目建设科事项" in listing) == (want[1] == 200)
    assert "范围外" not in client.get("/matters/?export=xlsx").content.decode(errors="ignore")  # xlsx is zipped
    # The API answers the same, never with the data of a record out of scope.
    user = ApiToken.issue(inside.created_by.__class__.objects.get(username=role), "测试")[1]
    api = {"HTTP_AUTHORIZATION": f"Bearer {user}"}
    for matter, code in ((inside, want[0]), (outside, want[1])):
        response = client.get(f"/api/v1/matters/{matter.pk}", **api)
        assert response.status_code == code
        if code == 404:
            assert matter.title not in response.content.decode()
    titles = {m["title"] for m in client.get("/api/v1/matters/", **api).json()["items"]}
    assert ("范围外：项目建设科事项" in titles) == (want[1] == 200)


def test_an_owner_sees_their_matter_without_any_role(demo, make_matter, client_for):
    matter = make_matter(owner="dangyuan", title="本人负责的事项")
    client = client_for("dangyuan")
    assert client.get(f"/matters/{matter.pk}/").status_code == 200
    assert "本人负责的事项" in client.get("/matters/ledger/").content.decode()
    assert client.get(f"/matters/{matter.pk}/edit/").status_code == 403


def test_a_transition_out_of_scope_is_refused_and_writes_nothing(pair, client_for):
    inside, outside = pair
    client = client_for("kezhang")
    response = client.post(f"/matters/{outside.pk}/do/assign/", {"loaded_version": outside.version})
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.status == Status.REGISTERED
    response = client_for("jijian").post(f"/matters/{inside.pk}/do/assign/", {"loaded_version": inside.version},
                                         follow=True)
    assert "无权对事项" in response.content.decode()
    inside.refresh_from_db()
    assert inside.status == Status.REGISTERED


def test_the_list_takes_the_same_number_of_queries_however_many_matters(demo, make_matter, client_for,
                                                                       django_assert_num_queries):
    client = client_for("dangwu")
    url = "/matters/?open=1&due=&kind="
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    for i in range(12):
        make_matter(title=f"追加事项{i}")
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/matters/board/")
    for i in range(5):
        make_matter(title=f"再追加{i}", received=demo_date(-40), due_on=None)
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/matters/board/")


def demo_date(days):
    import datetime as dt

    return dt.date.today() + dt.timedelta(days=days)


def test_two_people_editing_the_same_matter_the_second_gets_a_conflict(make_matter, client_for):
    matter = make_matter()
    first, second = client_for("dangwu"), client_for("kezhang")
    form = {"kind": "rectify", "title": "甲改的标题", "org": matter.org_id, "received_on": matter.received_on,
            "owner": matter.owner_id, "responsible_leader": matter.responsible_leader_id,
            "loaded_version": matter.version, "due_on": matter.due_on}
    assert first.post(f"/matters/{matter.pk}/edit/", form).status_code == 302
    response = second.post(f"/matters/{matter.pk}/edit/", {**form, "title": "乙改的标题"})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    matter.refresh_from_db()
    assert matter.title == "甲改的标题"


def test_two_people_acting_at_once_the_second_is_told_and_nothing_is_lost(make_matter, client_for, demo):
    matter = services.do_transition(make_matter(), "assign", actor=demo["users"]["dangwu"])
    seen = matter.version
    assert client_for("kezhang").post(f"/matters/{matter.pk}/do/start/", {"loaded_version": seen}).status_code == 302
    response = client_for("dangwu").post(f"/matters/{matter.pk}/do/decline/", {"loaded_version": seen,
                                                                               "reason": "重复交办"}, follow=True)
    assert "已被他人处理" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == Status.IN_PROGRESS


def test_bad_input_on_a_page_names_the_field(make_matter, client_for, demo):
    matter = services.do_transition(make_matter(), "assign", actor=demo["users"]["dangwu"])
    services.do_transition(matter, "start", actor=demo["users"]["kezhang"])
    matter.refresh_from_db()
    response = client_for("kezhang").post(f"/matters/{matter.pk}/do/submit/", {"loaded_version": matter.version},
                                          follow=True)
    page = response.content.decode()
    assert "完成情况说明：这个字段是必填项" in page or "完成情况说明：这个字段是必填项。" in page
    response = client_for("dangwu").post(f"/matters/{matter.pk}/measures/", {"text": "措施", "owner":
                                         matter.owner_id, "due_on": "2026-12-27"}, follow=True)
    assert "2026-12-27 不是工作日" in response.content.decode()  # a Sunday
    assert not matter.measures.exists()


def test_the_api_runs_the_workflow_with_versions(make_matter, demo, client_for):
    matter = make_matter()
    token = ApiToken.issue(demo["users"]["dangwu"], "测试")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = client_for("dangwu")
    url = f"/api/v1/matters/{matter.pk}/transitions/assign"
    response = client.post(url, {"version": matter.version}, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["status"] == "assigned"
    stale = client.post(f"/api/v1/matters/{matter.pk}/transitions/decline", {"version": matter.version, "reason": "x"},
                        content_type="application/json", **auth)
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["detail"]
    bad = client.post(f"/api/v1/matters/{matter.pk}/transitions/close", {"version": response.json()["version"]},
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and "不能“审批销号（备案）”" in str(bad.json())
    timeline = client.get(f"/api/v1/matters/{matter.pk}/timeline", **auth).json()
    assert [t["name"] for t in timeline] == ["register", "assign"]
    created = client.post("/api/v1/matters/", {"kind": "npc", "title": "API 建议", "org_id": matter.org_id,
                                               "due_on": "2026-10-03", "received_on": "2026-09-01"},
                          content_type="application/json", **auth)
    assert created.status_code == 201 and created.json()["due_on"] == "2026-10-03"
    wrong = client.post("/api/v1/matters/", {"kind": "rectify", "title": "x", "org_id": matter.org_id,
                                             "due_on": "2026-10-03", "received_on": "2026-09-01"},
                        content_type="application/json", **auth)
    assert wrong.status_code == 422 and "不是工作日" in str(wrong.json())
    figures = client.get("/api/v1/matters/figures?year=2026", **auth).json()
    assert {f["key"] for f in figures} >= {"matters.assigned.replies", "matters.proposals.satisfaction_rate",
                                          "matters.proposals.on_time_rate", "matters.proposals.completion_rate",
                                          "matters.proposals.meeting_rate"}


def test_a_title_search_and_the_due_soon_window_list_newest_first(make_matter, client_for):
    older = make_matter(title="检索：较早登记")
    newer = make_matter(title="检索：较晚登记")
    page = client_for("dangwu").get("/matters/?q=检索").content.decode()
    assert page.index("检索：较晚登记") < page.index("检索：较早登记")
    assert newer.pk > older.pk


def test_weekly_lines_are_kept_per_owner_and_go_with_their_sheet_though_the_table_has_no_constraints(demo, make_matter,
                                                                                                     monday_without_sheet):
    import datetime as dt

    from dangjian.matters import supervision
    from dangjian.matters.models import SupervisionLines

    matter = make_matter(title="督办单快照")
    sheet = supervision.issue_weekly_sheet(dt.date(2026, 11, 30), notify_people=False)
    row = SupervisionLines.objects.get(sheet=sheet, org=matter.org, owner=matter.owner)
    line = next(line for line in row.lines if line[0] == matter.pk)
    assert line[1:4] == [matter.responsible_leader_id, matter.status, matter.due_on.isoformat()]
    mine = Matter.objects.filter(org=matter.org, owner=matter.owner).exclude(status="closed")
    assert row.count == len(row.lines) == mine.count() and f",{matter.responsible_leader_id}," in row.leaders
    # The sheet is the record as issued: a matter deleted later stays on it, by its number.
    Matter.objects.filter(pk=matter.pk).delete()
    shown = supervision.expand([SupervisionLines.objects.select_related("org", "owner").get(pk=row.pk)], sheet)
    assert [li.title for li in shown if li.matter_id == matter.pk] == ["（事项已删除）"]
    sheet.delete()  # the ORM cascades (no database constraint to do it)
    assert not SupervisionLines.objects.filter(sheet_id=sheet.pk).exists()


def test_a_registration_date_after_today_is_refused_on_the_page_and_in_the_api(make_matter, client_for, demo,
                                                                               frozen_today):
    """Issue 11 item 15: a 登记日期 of 2027-12-31 was accepted."""
    matter = make_matter(received=frozen_today)
    form = {"kind": "rectify", "title": matter.title, "org": matter.org_id, "received_on": "2027-12-31",
            "owner": matter.owner_id, "responsible_leader": matter.responsible_leader_id,
            "loaded_version": matter.version, "due_on": matter.due_on}
    page = client_for("dangwu").post(f"/matters/{matter.pk}/edit/", form)
    assert page.status_code == 200 and "登记日期 2027-12-31 晚于今天" in page.content.decode()
    matter.refresh_from_db()
    assert matter.received_on == frozen_today
    _, key = ApiToken.issue(demo["users"]["dangwu"], "测试")
    count = Matter.objects.count()
    created = Client().post("/api/v1/matters/", {"kind": "npc", "title": "未来的建议", "org_id": matter.org_id,
                                                          "received_on": "2027-12-31"},
                                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert created.status_code == 422 and created.json()["errors"] == {
        "received_on": ["登记日期 2027-12-31 晚于今天，不能登记尚未收到的事项"]}, created.json()
    assert Matter.objects.count() == count
