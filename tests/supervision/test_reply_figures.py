"""群众监督统计: the on-time reply rate and the satisfaction rate, each count checked against the records behind it."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.supervision import petition_stats, replies
from dangjian.supervision.petition_demo import accept
from dangjian.supervision.petition_models import Channel, DeliveryMethod, Petition
from tests.conftest import freeze_today, signed_in

from .test_replies import receive


def _answer(petition, *, on, users, monkeypatch):
    """Draft, approve and publish the reply of ``petition``'s group on the day ``on``."""
    freeze_today(monkeypatch, on)
    reply = replies.do_draft_reply(petition, f"关于“{petition.subject}”的答复", actor=users["dangwu"])
    replies.do_submit_reply(reply, actor=users["dangwu"])
    replies.do_approve_reply(reply, actor=users["shuji"])
    return replies.do_publish_reply(reply, actor=users["dangwu"])[0]


def test_figures_count_what_their_labels_say(demo, monkeypatch):
    users = demo["users"]
    freeze_today(monkeypatch, dt.date(2026, 11, 2))
    made = {}
    for key, channel in (("quick", Channel.PORTAL), ("repeat", Channel.HOTLINE), ("slow", Channel.LETTER),
                         ("waiting", Channel.QQ), ("triage", Channel.EMAIL), ("old", Channel.VISIT)):
        made[key] = receive(demo, channel, subject=f"诉求{key}")[0]
    Petition.objects.filter(pk=made["old"].pk).update(received_at=dt.datetime(2025, 12, 30, 2, tzinfo=dt.UTC))
    for key in ("quick", "slow", "waiting"):
        accept(made[key], actor=users["dangwu"], owner=users["kezhang"].person, leader=users["shuji"].person,
               on=dt.date(2026, 11, 2))
    replies.do_merge(made["repeat"], made["quick"], actor=users["dangwu"])
    _answer(made["quick"], on=dt.date(2026, 11, 10), users=users, monkeypatch=monkeypatch)
    _answer(made["slow"], on=dt.date(2026, 11, 27), users=users, monkeypatch=monkeypatch)
    freeze_today(monkeypatch, dt.date(2026, 11, 30))
    now = timezone.now()
    replies.do_record_delivery(made["repeat"], DeliveryMethod.PHONE, now, actor=users["dangwu"], satisfaction="basic")
    replies.do_record_delivery(made["slow"], DeliveryMethod.LETTER, now, actor=users["dangwu"],
                               satisfaction="unsatisfied")
    replies.do_record_rating(made["quick"], "satisfied", actor=users["dangwu"])  # told by phone after the portal

    # the oracle, from the records themselves
    in_year = [p for p in Petition.objects.select_related("matter") if timezone.localtime(p.received_at).year == 2026]
    expected = {"on_time": set(), "late": set(), "pending": set()}
    for p in in_year:
        reply = getattr(p.matter, "petition_reply", None) if p.matter_id else None
        if reply is not None and reply.status == "published":
            on_time = timezone.localtime(reply.published_at).date() <= p.matter.due_on
            expected["on_time" if on_time else "late"].add(p.pk)
        elif p.matter_id:
            expected["pending"].add(p.pk)
    assert expected == {"on_time": {made["quick"].pk, made["repeat"].pk}, "late": {made["slow"].pk},
                        "pending": {made["waiting"].pk}}
    rate = petition_stats.on_time_reply_rate(Petition.objects.all(), 2026)
    assert rate.counts == {k: len(v) for k, v in expected.items()} and rate.percent == 66.7
    for key, pks in expected.items():  # the list behind each number holds exactly those records
        qs = petition_stats.filter_replied(Petition.objects.filter(petition_stats.year_q(2026)), key)
        assert set(qs.values_list("pk", flat=True)) == pks
    rated = petition_stats.satisfaction_rate(Petition.objects.all(), 2026)
    assert rated.counts == {"satisfied": 1, "basic": 1, "unsatisfied": 1} and rated.percent == 66.7
    assert petition_stats.on_time_reply_rate(Petition.objects.all(), 2025).counts == {
        "on_time": 0, "late": 0, "pending": 0}

    client = signed_in(users["dangwu"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/supervision/petitions/figures/?year=2026").content.decode()
    assert "按时答复率：<strong>66.7%</strong>（2/3）" in page and "满意率：<strong>66.7%</strong>（2/3）" in page
    assert "?year=2026&amp;replied=late" in page and "?year=2026&amp;satisfaction=basic" in page
    assert len(queries) <= 12
    assert signed_in(users["dangyuan"]).get("/supervision/petitions/figures/").status_code == 404
