"""Pages of 纪委监督: what each role sees (confidentiality), the forms through the services, constant queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.matters.models import Matter
from dangjian.supervision import services
from dangjian.supervision.models import Finding, Inspection, InspectionPlan, Result, Talk, TalkKind
from tests.conftest import signed_in

from .conftest import HELD

pytestmark = pytest.mark.django_db

SECRET = ("谈话内容甲乙丙", "本人说明丁戊", "公务接待超标准", "查阅接待台账")


def _pages(sup):
    return [f"/supervision/plans/{sup['plan'].pk}/", f"/supervision/inspections/{sup['inspection'].pk}/",
            "/supervision/talks/", f"/supervision/talks/{sup['talk'].pk}/"]


@pytest.mark.parametrize("role", ["jijian", "shuji"])
def test_the_discipline_team_and_the_secretary_read_everything(sup, demo, role):
    client = signed_in(demo["users"][role])
    html = "".join(client.get(url).content.decode() for url in _pages(sup))
    for text in SECRET:
        assert text in html
    inspection = client.get(_pages(sup)[1]).content.decode()
    assert "已销号 0 / 共 1 个" in inspection
    assert ("登记发现的问题" in inspection) == (role == "jijian")  # the secretary reads, does not record


def test_the_person_talked_to_sees_the_date_kind_and_commitments_only(sup, demo):
    client = signed_in(demo["users"]["kezhang"])
    talk = sup["talk"]
    html = client.get(f"/supervision/talks/{talk.pk}/").content.decode()
    assert "2026-11-02" in html and "提醒谈话" in html and "承诺一个月内整改" in html
    for text in (*SECRET, "回访", demo["users"]["jijian"].person.name):
        assert text not in html.split('<main')[-1], text
    index = client.get("/supervision/").content.decode()
    assert "我的谈话" in index and "承诺一个月内整改" in index and "谈话内容甲乙丙" not in index
    for url in _pages(sup)[:3]:
        assert client.get(url).status_code == 404
    assert client.post(f"/supervision/talks/{talk.pk}/follow-up/", {"follow_up_note": "x"}).status_code == 403


def _bare(response, url) -> str:
    """The page without its path and CSRF token, which differ between any two requests."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode().replace(url, ""))


@pytest.mark.parametrize("role", ["banzi", "dangwu", "dangyuan", "admin"])
def test_everyone_else_gets_404_with_no_hint(sup, demo, role):
    client = signed_in(demo["users"][role])
    for url in _pages(sup):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(text in response.content.decode() for text in SECRET)
        record = url.rstrip("/").rsplit("/", 1)
        if record[1].isdigit():  # the same answer as for a record that does not exist
            missing = f"{record[0]}/987654321/"
            assert _bare(response, url) == _bare(client.get(missing), missing), url
    index = client.get("/supervision/").content.decode()
    assert "承诺一个月内整改" not in index and "暂无记录" in index


def test_recording_through_the_pages(sup, demo, people, frozen_today):
    client = signed_in(demo["users"]["jijian"])
    assert 'href="/settings/rules/supervision.checklist/"' in client.get("/supervision/").content.decode()
    assert client.get("/settings/rules/supervision.checklist/").status_code == 200  # the discipline team edits it
    response = client.post("/supervision/plans/new/", {"title": "2026年第四季度检查", "year": 2026, "period": "q4",
                                                       "people": [people["banzi"].pk]})
    plan = InspectionPlan.objects.get(title="2026年第四季度检查")
    assert response.status_code == 302 and response.url == f"/supervision/plans/{plan.pk}/"
    refused = client.post("/supervision/plans/new/", {"title": "空", "year": 2026, "period": "q4"})
    assert "检查对象：请至少选择" in refused.content.decode()
    data = {"held_on": "2026-11-20", "person": people["banzi"].pk, "inspectors": [people["jijian"].pk],
            "scope_text": "查阅分管科室台账", **{f"result_{n}": Result.GOOD for n in range(len(plan.checklist))}}
    data["result_2"], data["note_2"] = Result.FAILED, "责任清单未更新"
    response = client.post(f"/supervision/plans/{plan.pk}/inspections/new/", data)
    inspection = Inspection.objects.get(plan=plan)
    assert response.url == f"/supervision/inspections/{inspection.pk}/"
    assert inspection.results[2] == {"item": plan.checklist[2], "result": "failed", "note": "责任清单未更新"}
    client.post(f"/supervision/inspections/{inspection.pk}/findings/", {
        "item": plan.checklist[2], "text": "责任清单未及时更新", "owner": people["banzi"].pk,
        "leader": people["shuji"].pk, "due_on": "2026-12-31"})
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.matter.kind, finding.matter.due_on) == ("inspection", dt.date(2026, 12, 31))
    client.post("/supervision/talks/new/", {"kind": TalkKind.ADMONITION, "held_on": "2026-11-25",
                                            "talker": people["jijian"].pk, "subject": people["banzi"].pk,
                                            "finding": finding.pk, "content": "指出问题", "commitments": "立即更新",
                                            "follow_up_on": "2026-12-10"})
    talk = Talk.objects.get(finding=finding)
    client.post(f"/supervision/talks/{talk.pk}/follow-up/", {"followed_up_on": "2026-11-30",
                                                             "follow_up_note": "已更新", "loaded_version": talk.version})
    talk.refresh_from_db()
    assert talk.followed_up_on == frozen_today and talk.follow_up_note == "已更新"
    # the secretary reads but may not record
    assert signed_in(demo["users"]["shuji"]).get("/supervision/talks/new/").status_code == 403


def test_lists_take_the_same_number_of_queries_however_many_rows(sup, demo, people, django_assert_num_queries):
    client = signed_in(demo["users"]["jijian"])
    urls = ["/supervision/", "/supervision/talks/", f"/supervision/plans/{sup['plan'].pk}/"]
    counted = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counted[url] = len(ctx.captured_queries)
    plan, jijian = sup["plan"], sup["jijian"]
    for n in range(4):
        services.do_create_plan(InspectionPlan(title=f"计划{n}", year=2026, period="q4", org=plan.org), actor=jijian,
                                people=[people["banzi"]])
        inspection = services.do_record_inspection(Inspection(
            plan=plan, held_on=HELD, section=demo["orgs"]["SXX-BGS"], scope_text="x",
            results=[{"item": i, "result": Result.GOOD} for i in plan.checklist]), actor=jijian,
            inspectors=[people["jijian"]])
        services.do_add_finding(inspection, actor=jijian, text=f"问题{n}", owner=people["kezhang"],
                                leader=people["banzi"])
        services.do_record_talk(Talk(kind=TalkKind.SUMMONS, held_on=HELD, talker=people["jijian"],
                                     subject=people["banzi"], reason=f"事由{n}", content="x"), actor=jijian)
    assert Matter.objects.filter(kind="inspection", title__startswith="问题").count() == 4
    for url in urls:
        with django_assert_num_queries(counted[url]):
            assert client.get(url).status_code == 200


def test_the_audit_log_and_history_keep_the_secret(sup, demo):
    talk = sup["talk"]
    history = f"/history/supervision.talk/{talk.pk}/"
    assert signed_in(demo["users"]["jijian"]).get(history).status_code == 200
    assert signed_in(demo["users"]["kezhang"]).get(history).status_code == 404  # the person talked to
    labels = ("supervision.inspectionplan", "supervision.inspection", "supervision.finding", "supervision.talk")
    from dangjian.core.models import AuditEvent

    for name, sees in (("jijian", True), ("dangwu", False)):  # both read the audit log of the whole agency
        visible = AuditEvent.objects.visible_to(demo["users"][name]).filter(target_type__in=labels)
        assert visible.count() == (AuditEvent.objects.filter(target_type__in=labels).count() if sees else 0)
        html = signed_in(demo["users"][name]).get("/audit/?q=谈话").content.decode()
        assert (str(talk) in html) == sees


def test_the_api_gives_the_same_records_and_the_same_secrecy(sup, demo, people):
    from dangjian.accounts.models import ApiToken

    def api(role, url, **kw):
        token = ApiToken.issue(demo["users"][role], "测试")[1]
        method = "post" if "data" in kw else "get"
        return getattr(signed_in(None), method)(f"/api/v1/supervision{url}", HTTP_AUTHORIZATION=f"Bearer {token}",
                                                content_type="application/json", **kw)

    talk = sup["talk"]
    full = api("jijian", f"/talks/{talk.pk}").json()
    assert full["content"] == "谈话内容甲乙丙" and full["full"] is True
    own = api("kezhang", f"/talks/{talk.pk}").json()
    assert own == {"id": talk.pk, "kind": "reminder", "held_on": "2026-11-02", "commitments": "承诺一个月内整改",
                   "full": False, **{k: None for k in ("talker_id", "subject_id", "finding_id", "petition_id", "reason", "content",
                                                      "account", "follow_up_on", "followed_up_on", "follow_up_note")}}
    assert api("banzi", f"/talks/{talk.pk}").status_code == 404
    assert api("banzi", "/talks").json()["items"] == [] and api("banzi", "/figures?year=2026").status_code == 404
    inspection = api("shuji", f"/inspections/{sup['inspection'].pk}").json()
    assert [f["text"] for f in inspection["findings"]] == ["公务接待超标准"] and inspection["findings_closed"] == 0
    assert api("dangwu", f"/inspections/{sup['inspection'].pk}").status_code == 404
    figures = {f["kind"]: f["count"] for f in api("jijian", "/figures?year=2026").json()}
    assert figures["reminder"] == Talk.objects.filter(kind="reminder", held_on__year=2026).count() >= 1
    created = api("jijian", "/talks", data={"kind": "criticism", "held_on": "2026-11-20", "talker_id": people["jijian"].pk,
                                            "subject_id": people["banzi"].pk, "reason": "迟到", "content": "批评"})
    assert created.status_code == 201 and Talk.objects.get(pk=created.json()["id"]).kind == TalkKind.CRITICISM
    refused = api("jijian", "/talks", data={"kind": "criticism", "held_on": "2026-11-20", "talker_id": people["jijian"].pk,
                                            "subject_id": people["banzi"].pk, "content": "批评"})
    assert refused.status_code == 422 and "事由" in str(refused.json())


def test_the_home_panel_counts_the_records_behind_its_figures(sup, demo):
    from dangjian.core.figures import Period
    from dangjian.core.panels import figures_shown
    from dangjian.matters.states import OPEN_STATUSES
    from dangjian.supervision.panels import PANEL

    def home_panel(user):
        return figures_shown(user, PANEL.keys, Period.year(2026))

    figures = {f.label: f.value for f in home_panel(demo["users"]["shuji"])}  # the 党组书记, by position
    assert figures["待回访的谈话"] == str(Talk.objects.filter(follow_up_on__isnull=False,
                                                             followed_up_on__isnull=True).count())
    assert int(figures["待回访的谈话"]) >= 2
    assert figures["未销号的监督检查问题"] == str(Finding.objects.filter(matter__status__in=OPEN_STATUSES).count())
    assert int(figures["未销号的监督检查问题"]) >= 2
    assert home_panel(demo["users"]["banzi"]) == [] and home_panel(demo["users"]["kezhang"]) == []
    html = signed_in(demo["users"]["jijian"]).get("/").content.decode()
    assert "纪委监督" in html and "未销号的监督检查问题" in html
    assert "纪委监督" not in signed_in(demo["users"]["kezhang"]).get("/").content.decode()
