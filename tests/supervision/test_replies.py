"""归并与逐项答复: a merged group handled as one matter, whose reply, approved by the responsible leader only, reaches
each source (the portal by its 查询码, the others by a recorded delivery); merging what one may not see is refused."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.core.action_labels import action_label
from dangjian.core.models import AuditEvent, Notification
from dangjian.supervision import petitions, replies
from dangjian.supervision.petition_demo import accept
from dangjian.supervision.petition_models import (
    Channel,
    DeliveryMethod,
    Petition,
    PetitionKind,
    PetitionStatus,
    ReplyDelivery,
    ReplyStatus,
)
from tests.conftest import signed_in

RECEIVED = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def receive(demo, channel, subject="幸福里小区门口道路积水", org="SXX", actor=None, **fields):
    petition, code = petitions.do_receive_petition(Petition(
        org=demo["orgs"][org], kind=fields.pop("kind", PetitionKind.COMPLAINT), channel=channel, received_at=RECEIVED, subject=subject,
        content=f"{subject}，雨后无法通行，请尽快处理。", **fields), actor=actor or demo["users"]["dangwu"])
    return petition, code


@pytest.fixture
def group(demo, frozen_today):
    """An accepted portal petition (owner kezhang, leader shuji) and two repeats of it: a named call, an e-mail."""
    users = demo["users"]
    portal, code = receive(demo, Channel.PORTAL, actor=None)
    call, _ = receive(demo, Channel.HOTLINE, anonymous=False, contact_name="王大伯", contact_phone="13800000001")
    mail, _ = receive(demo, Channel.EMAIL, anonymous=False, contact_name="李女士", contact_other="li@example.cn")
    matter = accept(portal, actor=users["dangwu"], owner=users["kezhang"].person, leader=users["shuji"].person,
                    on=dt.date(2026, 11, 16))
    return {"portal": portal, "code": code, "call": call, "mail": mail, "matter": matter, **users}


def test_merged_group_gets_one_reply_at_every_source(group, demo):
    g, dangwu = group, group["dangwu"]
    replies.do_merge(g["call"], g["portal"], actor=dangwu, score=0.93, reason="同一小区门口积水")
    # merging into a duplicate merges into its original (one level)
    mail = replies.do_merge(g["mail"], g["call"], actor=dangwu)
    assert mail.duplicate_of_id == g["portal"].pk
    for p in Petition.objects.filter(pk__in=[g["call"].pk, g["mail"].pk]):
        assert (p.status, p.matter_id, p.merged_by_id) == (PetitionStatus.MERGED, g["matter"].pk, dangwu.pk)
    assert AuditEvent.objects.filter(action="supervision.petition_merge").count() == 2

    reply = replies.do_draft_reply(g["mail"], "已协调排水部门疏通管网，积水问题已解决。", actor=dangwu)
    with pytest.raises(ValidationError) as exc:
        replies.do_draft_reply(g["portal"], " ", actor=dangwu)
    assert "text" in exc.value.message_dict
    reply = replies.do_submit_reply(reply, actor=dangwu, expected_version=reply.version)
    note = Notification.objects.get(recipient=g["shuji"], category="petition")
    assert "待审核" in note.title and note.link == replies.handling_url(g["portal"].pk)
    today = dt.date(2026, 11, 30)
    assert [t.link for t in replies.approval_todos(g["shuji"], today, today)] == [note.link]
    assert replies.approval_todos(g["banzi"], today, today) == []
    # only the matter's responsible leader approves: not another leader, not the drafter
    for other in (g["banzi"], dangwu):
        with pytest.raises(PermissionDenied):
            replies.do_approve_reply(reply, actor=other)
    reply = replies.do_return_reply(reply, "请写明疏通完成日期", actor=g["shuji"])
    assert reply.status == ReplyStatus.DRAFT and Notification.objects.filter(recipient=dangwu, category="petition").exists()
    reply = replies.do_draft_reply(g["portal"], "已于11月20日疏通管网，积水问题已解决。", actor=dangwu,
                                   expected_version=reply.version)
    replies.do_submit_reply(reply, actor=dangwu)
    reply = replies.do_approve_reply(reply, actor=g["shuji"])
    assert reply.approved_by == g["shuji"]

    # the 纪检组长 publishes (petition.change without matter.change): the matter's reply is set and audited
    reply, delivered, pending = replies.do_publish_reply(reply, actor=g["jijian"])
    matter = type(g["matter"]).objects.get(pk=g["matter"].pk)
    assert matter.reply_text == reply.text and matter.replied_on == dt.date(2026, 11, 30)
    assert [d.petition_id for d in delivered] == [g["portal"].pk] and delivered[0].method == DeliveryMethod.PORTAL
    assert {p.pk for p in pending} == {g["call"].pk, g["mail"].pk}
    assert petitions.find_by_code(g["code"]).deliveries.get().reply == reply

    with pytest.raises(ValidationError) as exc:
        replies.do_record_delivery(g["call"], DeliveryMethod.PORTAL, timezone.now(), actor=dangwu)
    assert "method" in exc.value.message_dict
    replies.do_record_delivery(g["call"], DeliveryMethod.PHONE, timezone.now(), "本人接听", actor=dangwu,
                               satisfaction="basic")
    replies.do_record_delivery(g["mail"], DeliveryMethod.EMAIL, timezone.now(), actor=dangwu)
    with pytest.raises(ValidationError):  # once per source
        replies.do_record_delivery(g["mail"], DeliveryMethod.PHONE, timezone.now(), actor=dangwu)
    reached = dict(ReplyDelivery.objects.filter(reply=reply).values_list("petition_id", "method"))
    assert reached == {g["portal"].pk: "portal", g["call"].pk: "phone", g["mail"].pk: "email"}
    assert Petition.objects.get(pk=g["call"].pk).satisfaction == "basic"
    with pytest.raises(ValidationError):  # the reply has reached the group: no un-merge any more
        replies.do_unmerge(g["mail"], actor=dangwu)
    ours = set(AuditEvent.objects.filter(action__regex=r"^supervision\.(reply_|petition_(merge|rate))")
               .values_list("action", flat=True))
    assert len(ours) == 9 and not any(re.search("[A-Za-z]", action_label(a)) for a in ours), ours

    # the handling panel lists every source with its delivery, in a fixed number of queries
    request = RequestFactory().get("/")
    request.user = dangwu
    html = render_to_string("supervision/petitions/_handling.html", {"p": g["portal"], "request": request})  # as the detail page
    assert html.count("电话告知") == 1 and "电子邮件" in html and "3 个来源" in html
    client, url = signed_in(dangwu), replies.handling_url(g["portal"].pk)
    client.get(url)  # the session's first request reads what later ones find cached
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    # a source merged after publication is told too: by the portal when it has a 查询码, else listed 待送达
    late_portal, _ = receive(demo, Channel.PORTAL, actor=None)
    late_visit, _ = receive(demo, Channel.VISIT)
    for late in (late_portal, late_visit):
        replies.do_merge(late, g["call"], actor=dangwu)
    assert ReplyDelivery.objects.get(petition=late_portal).method == DeliveryMethod.PORTAL
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "5 个来源" in page and "待送达（1）" in page and len(after) == len(before)


def test_merge_moves_the_duplicates_along_and_unmerges(group, demo):
    g, dangwu = group, group["dangwu"]
    replies.do_merge(g["mail"], g["call"], actor=dangwu)  # a group still in triage
    replies.do_merge(g["call"], g["portal"], actor=dangwu)
    moved = Petition.objects.get(pk=g["mail"].pk)
    assert moved.duplicate_of_id == g["portal"].pk and moved.matter_id == g["matter"].pk
    back = replies.do_unmerge(moved, actor=dangwu)
    assert (back.status, back.duplicate_of_id, back.matter_id) == (PetitionStatus.TRIAGE, None, None)
    # a petition accepted as its own matter is not merged away; the refusal names its matter
    other, _ = receive(demo, Channel.LETTER, subject="幸福里小区路灯不亮")
    accept(other, actor=dangwu, owner=g["kezhang"].person, leader=g["shuji"].person, on=dt.date(2026, 11, 17))
    with pytest.raises(ValidationError) as exc:
        replies.do_merge(other, g["portal"], actor=dangwu)
    assert "幸福里小区路灯不亮" in str(exc.value.message_dict["duplicate"])
    with pytest.raises(ValidationError):
        replies.do_merge(g["portal"], g["call"], actor=dangwu)  # into its own duplicate
    accusation, _ = receive(demo, Channel.LETTER, actor=g["jijian"], kind=PetitionKind.ACCUSATION)
    with pytest.raises(ValidationError) as exc:  # the 纪检组长 sees both, but a 检举控告 stays out of the group
        replies.do_merge(accusation, g["portal"], actor=g["jijian"])
    assert "检举控告" in exc.value.message_dict["original"][0]


def test_merge_of_a_record_out_of_scope_is_refused_as_not_found(group, demo):
    """A 党务管理员 of 办公室 only sees 办公室's petitions: the agency's are refused like ids that do not exist."""
    user = User.objects.create(username="bgsdw", full_name="办公室党务")
    RoleAssignment.objects.create(user=user, role=Role.PARTY_ADMIN, org=demo["orgs"]["SXX-BGS"], include_subtree=True)
    own, _ = receive(demo, Channel.VISIT, subject="办公室接待窗口态度差", org="SXX-BGS")
    answers = []
    for target in (group["portal"], Petition(pk=987654321)):
        with pytest.raises(ValidationError) as exc:
            replies.do_merge(own, target, actor=user)
        answers.append(exc.value.message_dict["original"][0].replace(str(target.pk), "N"))
    assert answers[0] == answers[1] and "不存在或不在您的权限范围内" in answers[0]
    for who in (user, group["kezhang"]):  # nor the other way round, nor with no petition.change at all
        with pytest.raises(ValidationError):
            replies.do_merge(group["call"], group["portal"], actor=who)
    assert not Petition.objects.filter(status=PetitionStatus.MERGED).exists()
    # merged by the agency's staff, 办公室's source tells 办公室's reader nothing of the agency's original
    replies.do_merge(own, group["portal"], actor=group["dangwu"])
    request = RequestFactory().get("/")
    request.user = user
    own = Petition.objects.get(pk=own.pk)
    html = render_to_string("supervision/petitions/_handling.html", {"p": own, "request": request})
    assert "不在您的查看范围内" in html and "幸福里" not in html
