"""群众监督, staff side: confidentiality (检举控告 for the discipline team only, never the accused nor their org),
the list's filters and query count, entry with a 查询码, triage (分类、受理、不予受理), categories, the API, and a
talk whose reason is a petition."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import ApiToken, RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.core import workdays
from dangjian.core.models import AuditEvent
from dangjian.core.scope import forget_grants
from dangjian.core.todos import todos_for
from dangjian.matters.models import Matter
from dangjian.orgs.models import Org
from dangjian.supervision import petition_models, petitions, services
from dangjian.supervision.models import Talk, TalkKind
from dangjian.supervision.petition_forms import ClassifyForm
from dangjian.supervision.petition_models import (
    CategorySource,
    Channel,
    Petition,
    PetitionCategory,
    PetitionKind,
    PetitionReply,
    PetitionStatus,
    ReplyStatus,
)
from tests.conftest import signed_in

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _enter(demo, actor, *, files=(), **fields):
    values = {"org": demo["orgs"]["SXX"], "kind": PetitionKind.COMPLAINT, "channel": Channel.HOTLINE,
              "received_at": timezone.now() - dt.timedelta(days=1), "subject": "小区门口道路积水",
              "content": "雨后积水严重，请尽快处理。", "anonymous": True}
    return petitions.do_enter_petition(Petition(**{**values, **fields}), actor=actor, files=files)[0]


def _api(user, url):
    token = ApiToken.issue(user, "测试")[1]
    return signed_in(None).get(f"/api/v1/supervision{url}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_accusations_reach_the_discipline_team_only_and_never_the_accused_or_their_org(demo, frozen_today):
    users, orgs = demo["users"], demo["orgs"]
    jijian, dangwu, banzi, kezhang = users["jijian"], users["dangwu"], users["banzi"], users["kezhang"]
    assert petition_models.PATH_STEP == Org.steplen
    # kezhang, of 办公室, also on the discipline team: he would read every accusation but the one naming 办公室.
    RoleAssignment.objects.create(user=kezhang, role=Role.DISCIPLINE, org=orgs["SXX"], include_subtree=True)
    forget_grants(kezhang)
    accusation = _enter(demo, jijian, kind=PetitionKind.ACCUSATION, subject="检举某领导违规收受礼金",
                        accused_person=banzi.person, accused_org=orgs["SXX-BGS"], files=[_png()])
    plain = _enter(demo, dangwu, subject="窗口办事排队时间过长")
    naming = _enter(demo, jijian, subject="投诉某干部办事推诿", accused_person=dangwu.person)
    attachment = accusation.attachments.get()
    expected = {  # user → the petitions they find
        "jijian": {accusation, plain, naming}, "kezhang": {plain, naming}, "banzi": set(),  # 办公室…: not the root
        "dangwu": {plain}, "shuji": {plain, naming}, "dangyuan": set(), "shenji": set()}
    for name, sees in expected.items():
        user = users[name]
        client = signed_in(user)
        assert set(Petition.objects.visible_to(user)) == sees, name
        listing = client.get("/supervision/petitions/")
        api_list = _api(user, "/petitions/")
        if name in ("dangyuan", "shenji"):
            assert listing.status_code == 404 and api_list.json()["items"] == []
        else:
            html = listing.content.decode()
            assert {p for p in (accusation, plain, naming) if p.subject in html} == sees, name
            assert {row["id"] for row in api_list.json()["items"]} == {p.pk for p in sees}, name
        for petition in (accusation, plain, naming):
            if petition in sees:
                continue
            pk = petition.pk
            for url in (f"/supervision/petitions/{pk}/", f"/history/supervision.petition/{pk}/"):
                assert client.get(url).status_code == 404, (name, url)
            for step in ("classify", "accept", "decline"):
                assert client.post(f"/supervision/petitions/{pk}/{step}/", {"decline_reason": "x"}).status_code == 404
            assert _api(user, f"/petitions/{pk}").status_code == 404
        if accusation not in sees:
            url = f"/supervision/petitions/{accusation.pk}/attachments/{attachment.pk}/"
            assert client.get(url).status_code == 404
            assert accusation.subject not in client.get("/").content.decode()  # no to-do reveals it
    # The discipline head reads it, and its attachment, whole.
    jclient = signed_in(jijian)
    assert "检举某领导违规收受礼金" in jclient.get(f"/supervision/petitions/{accusation.pk}/").content.decode()
    assert jclient.get(f"/supervision/petitions/{accusation.pk}/attachments/{attachment.pk}/").status_code == 200
    # The audit trail of petitions is the discipline team's: the 党务管理员, who reads the audit log, finds none.
    assert not AuditEvent.objects.visible_to(dangwu).filter(target_type="supervision.petition").exists()
    assert "检举某领导" not in signed_in(dangwu).get("/audit/?q=检举").content.decode()
    assert AuditEvent.objects.visible_to(jijian).filter(target_type="supervision.petition",
                                                        target_id=str(accusation.pk)).exists()
    # Counting: the triage to-do counts what the user may triage, nothing more.
    for name, n in (("jijian", 3), ("dangwu", 1)):
        texts = [t.text for t in todos_for(users[name], frozen_today)["today"]]
        assert f"群众诉求待分类受理：{n} 件" in texts, (name, texts)
    # A talk's reason may be a petition the recorder sees; an accusation they cannot see is refused.
    talk = services.do_record_talk(Talk(kind=TalkKind.REMINDER, held_on=frozen_today, talker=jijian.person,
                                        subject=users["kezhang"].person, petition=accusation, content="提醒"),
                                   actor=jijian)
    assert talk.reason_text.endswith(accusation.subject)
    form = signed_in(jijian).get(f"/supervision/talks/new/?petition={naming.pk}").content.decode()
    assert f'name="petition" value="{naming.pk}"' in form
    signed_in(jijian).post("/supervision/talks/new/", {
        "kind": "reminder", "held_on": "2026-11-27", "talker": jijian.person.pk, "subject": dangwu.person.pk,
        "petition": naming.pk, "content": "就群众反映提醒"})
    assert Talk.objects.get(content="就群众反映提醒").petition == naming
    page = signed_in(jijian).get(f"/supervision/talks/{talk.pk}/").content.decode()
    assert f"/supervision/petitions/{accusation.pk}/" in page
    page = signed_in(users["shuji"]).get(f"/supervision/talks/{talk.pk}/").content.decode()  # 党组书记 reads talks
    assert accusation.subject not in page and "保密" in page
    with pytest.raises(ValidationError) as exc:
        services.do_record_talk(Talk(kind=TalkKind.REMINDER, held_on=frozen_today, talker=banzi.person,
                                     subject=users["dangyuan"].person, petition=accusation, content="提醒"),
                                actor=kezhang)
    assert "petition" in exc.value.message_dict


def test_staff_entry_gives_a_code_once_then_triage_accepts_or_declines(demo, frozen_today):
    users = demo["users"]
    dangwu, jijian = users["dangwu"], users["jijian"]
    client = signed_in(dangwu)
    assert client.get("/supervision/petitions/new/").status_code == 200
    data = {"channel": "hotline", "received_at": "2026-11-30T09:15", "kind": "complaint", "subject": "路灯不亮",
            "content": "幸福路路灯连续一周不亮。", "contact_name": "李四", "contact_phone": "13912345678",
            "give_code": "on"}
    page = client.post("/supervision/petitions/new/", {**data, "attachments": [_png()]}).content.decode()
    code = re.search(r"data-query-code>([0-9A-Z-]+)<", page)[1]
    petition = petitions.find_by_code(code)
    assert petition.subject == "路灯不亮" and petition.created_by == dangwu and petition.status == PetitionStatus.TRIAGE
    assert petition.attachments.count() == 1 and petition.contact_phone == "13912345678"
    refused = client.post("/supervision/petitions/new/", {**data, "channel": "portal", "subject": "门户渠道"})
    assert refused.status_code == 200 and not Petition.objects.filter(subject="门户渠道").exists()
    assert "渠道" in refused.content.decode()
    refused = client.post("/supervision/petitions/new/", {**data, "kind": "accusation", "subject": "检举"})
    assert refused.status_code == 200 and not Petition.objects.filter(subject="检举").exists()
    # 分类: a choice where there was none is a correction; keeping it, a confirmation.
    road, service = (PetitionCategory.objects.get(name=n) for n in ("道路交通", "政务服务"))
    url = f"/supervision/petitions/{petition.pk}/"
    client.post(url + "classify/", {"category": service.pk, "loaded_version": petition.version})
    petition.refresh_from_db()
    assert (petition.category, petition.category_source) == (service, CategorySource.CORRECTED)
    client.post(url + "classify/", {"category": service.pk, "loaded_version": petition.version})
    petition.refresh_from_db()
    assert petition.category_source == CategorySource.CONFIRMED
    # 受理: a stale copy is refused; then the matter of kind 群众诉求, with the complaint's reply deadline.
    accept = {"category": road.pk, "owner": users["kezhang"].person.pk, "responsible_leader": users["banzi"].person.pk}
    client.post(url + "accept/", {**accept, "loaded_version": petition.version - 1})
    assert Petition.objects.get(pk=petition.pk).matter_id is None
    client.post(url + "accept/", {**accept, "loaded_version": petition.version})
    petition.refresh_from_db()
    matter = petition.matter
    assert petition.status == PetitionStatus.ACCEPTED and petition.category == road
    assert petition.category_source == CategorySource.CORRECTED
    assert (matter.kind, matter.owner, matter.responsible_leader) == ("petition", users["kezhang"].person,
                                                                      users["banzi"].person)
    assert matter.due_on == workdays.add_workdays(frozen_today, 15).date and matter.title == "路灯不亮"
    assert AuditEvent.objects.filter(action="supervision.petition_accept", target_id=str(petition.pk)).count() == 1
    detail = client.get(url).content.decode()
    assert f"/matters/{matter.pk}/" in detail and "139****5678" not in detail  # staff who handle it read the phone
    assert client.post(url + "decline/", {"decline_reason": "重复", "loaded_version": petition.version}
                       ).status_code == 302
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.ACCEPTED  # accepted stays accepted
    # 不予受理 needs a reason.
    other = _enter(demo, dangwu, subject="咨询办事时间")
    client.post(f"/supervision/petitions/{other.pk}/decline/", {"decline_reason": " ", "loaded_version": other.version})
    assert Petition.objects.get(pk=other.pk).status == PetitionStatus.TRIAGE
    client.post(f"/supervision/petitions/{other.pk}/decline/", {"decline_reason": "非本单位职责，已告知向区政务服务中心反映",
                                                                 "loaded_version": other.version})
    assert Petition.objects.get(pk=other.pk).status == PetitionStatus.DECLINED
    # An accusation's matter says nothing of it; whom it names never handles it (回避).
    accusation = _enter(demo, jijian, kind=PetitionKind.ACCUSATION, subject="检举科长违规报销",
                        content="某科长多次违规报销。", accused_person=users["kezhang"].person)
    with pytest.raises(ValidationError) as exc:
        petitions.do_accept(accusation, actor=jijian, owner=users["kezhang"].person, leader=users["banzi"].person,
                            category=road)
    assert "owner" in exc.value.message_dict
    with pytest.raises(Http404):  # the 党务管理员 cannot even find it
        petitions.do_accept(accusation, actor=dangwu, owner=jijian.person, leader=users["shuji"].person, category=road)
    accepted = petitions.do_accept(accusation, actor=jijian, owner=jijian.person, leader=users["shuji"].person,
                                   category=PetitionCategory.objects.get(name="党风廉政"))
    matter = Matter.objects.get(pk=accepted.matter_id)
    assert "违规报销" not in matter.title + matter.content and matter.category == ""
    assert matter.due_on == workdays.add_workdays(frozen_today, 30).date


def test_categories_are_kept_by_staff_and_only_active_ones_are_offered(demo):
    dangwu = demo["users"]["dangwu"]
    client = signed_in(dangwu)
    assert client.post("/supervision/petitions/categories/", {"name": "营商环境", "keywords": "企业\n企业\n审批 ",
                                                              "order": 9}).status_code == 302
    category = PetitionCategory.objects.get(name="营商环境")
    assert category.keywords == "企业\n审批" and category.org == demo["orgs"]["SXX"]
    page = client.post("/supervision/petitions/categories/", {"name": "营商环境", "order": 1}).content.decode()
    assert "已存在" in page and PetitionCategory.objects.filter(name="营商环境").count() == 1
    client.post(f"/supervision/petitions/categories/{category.pk}/", {
        "name": "营商环境", "keywords": "企业", "order": 9, "loaded_version": category.version})  # unchecked: off
    category.refresh_from_db()
    assert not category.active
    petition = _enter(demo, dangwu)
    assert client.get(f"/supervision/petitions/{petition.pk}/").status_code == 200
    offered = set(ClassifyForm(petition=petition, user=dangwu).fields["category"].queryset)
    assert category not in offered and PetitionCategory.objects.get(name="道路交通") in offered
    with pytest.raises(ValidationError):
        petitions.do_classify(petition, actor=dangwu, category=category)
    for name in ("banzi", "kezhang"):
        assert signed_in(demo["users"][name]).get("/supervision/petitions/categories/").status_code in (403, 404)


def test_the_list_filters_by_its_parameters_in_a_fixed_number_of_queries(demo, frozen_today):
    users = demo["users"]
    dangwu = users["dangwu"]
    road = PetitionCategory.objects.get(name="道路交通")
    now = timezone.now()
    made = [_enter(demo, dangwu, subject=f"诉求{n}", channel=[Channel.HOTLINE, Channel.EMAIL][n % 2],
                   kind=[PetitionKind.COMPLAINT, PetitionKind.SUGGESTION][n % 2], anonymous=False,
                   contact_name="王五", contact_phone="13800138000",
                   received_at=now - dt.timedelta(days=40 * (n % 3))) for n in range(6)]
    for p in made[:2]:
        petitions.do_accept(p, actor=dangwu, owner=users["kezhang"].person, leader=users["banzi"].person,
                            category=road)
    on_time, late = (Petition.objects.get(pk=p.pk) for p in made[:2])
    for petition, published in ((on_time, now), (late, now + dt.timedelta(days=60))):
        PetitionReply.objects.create(matter=petition.matter, org=petition.org, text="已处理", status=ReplyStatus.PUBLISHED,
                                     published_at=published)
    Petition.objects.filter(pk=on_time.pk).update(satisfaction="satisfied")
    client = signed_in(dangwu)

    def listed(query):
        html = client.get(f"/supervision/petitions/?{query}").content.decode()
        api = {row["id"] for row in _api(dangwu, f"/petitions/?{query}").json()["items"]}
        shown = {p.pk for p in made if f">{p.subject}<" in html}
        assert shown == api, query
        return shown

    local = timezone.localtime(now)
    pks = {p.pk for p in made}
    assert listed("status=accepted") == {on_time.pk, late.pk}
    assert listed("kind=suggestion") == {p.pk for p in made if p.kind == PetitionKind.SUGGESTION}
    assert listed("channel=email") == {p.pk for p in made if p.channel == Channel.EMAIL}
    assert listed(f"category={road.pk}") == {on_time.pk, late.pk}
    assert listed(f"year={local.year}") == {p.pk for p in made if timezone.localtime(p.received_at).year == local.year}
    assert listed(f"month={local:%Y-%m}") == {
        p.pk for p in made if timezone.localtime(p.received_at).strftime("%Y-%m") == f"{local:%Y-%m}"}
    assert listed("replied=on_time") == {on_time.pk} and listed("replied=late") == {late.pk}
    assert listed("satisfaction=satisfied") == {on_time.pk}
    assert listed("q=诉求3") == {made[3].pk}
    html = client.get("/supervision/petitions/?month=2026-13&year=abc&status=nope").content.decode()
    assert {p.pk for p in made if f">{p.subject}<" in html} == pks  # the page ignores a bad value, never fails
    assert _api(dangwu, "/petitions/?replied=soon").status_code == 422  # the API names it
    html = client.get("/supervision/petitions/").content.decode()
    assert "138****8000" in html and "13800138000" not in html
    token = ApiToken.issue(dangwu, "测试")[1]
    api_client = signed_in(None)

    def counted():
        with CaptureQueriesContext(connection) as page_queries:
            client.get("/supervision/petitions/")
        with CaptureQueriesContext(connection) as api_queries:
            api_client.get("/api/v1/supervision/petitions/", HTTP_AUTHORIZATION=f"Bearer {token}")
        return len(page_queries), len(api_queries)

    counted()  # the token's first use is recorded once
    few = counted()
    for n in range(20):
        _enter(demo, dangwu, subject=f"更多诉求{n}", anonymous=False, contact_name="赵六", contact_phone="13700000000")
    assert counted() == few
    # The API's detail: category, its source and confidence, the duplicate group and the matter.
    Petition.objects.filter(pk=made[5].pk).update(duplicate_of=on_time, status=PetitionStatus.MERGED)
    body = _api(dangwu, f"/petitions/{on_time.pk}").json()
    assert body["category"] == "道路交通" and body["category_source"] == "corrected"
    assert body["duplicate_ids"] == [made[5].pk] and body["matter_id"] == on_time.matter_id
    assert _api(dangwu, f"/petitions/{made[5].pk}").json()["original_id"] == on_time.pk
    page = client.get(f"/supervision/petitions/{made[5].pk}/").content.decode()
    assert f"/supervision/petitions/{on_time.pk}/" in page
