"""群众监督 figures (petition_stats): each compared with the records behind it, in a fixed number of queries; and
the public statistics page, which shows them and no content."""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.matters.models import Matter
from dangjian.matters.services import do_create_matter
from dangjian.supervision import petition_stats, petitions
from dangjian.supervision.petition_models import (
    Channel,
    Petition,
    PetitionCategory,
    PetitionReply,
    PetitionStatus,
    ReplyStatus,
)


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def _records(demo):
    """Petitions across months and channels; groups replied on time, late, without a deadline and not yet."""
    org, dangwu = demo["orgs"]["SXX"], demo["users"]["dangwu"]
    roads = PetitionCategory.objects.create(org=org, name="统计测试类一", order=1)
    schools = PetitionCategory.objects.create(org=org, name="统计测试类二", order=2)

    def petition(received, channel, category=None, rated=None, satisfaction=""):
        made, _ = petitions.do_receive_petition(Petition(
            org=org, kind="complaint", channel=channel, received_at=received, subject="统计探针标题",
            content="统计探针内容"), actor=None if channel == Channel.PORTAL else dangwu)
        Petition.objects.filter(pk=made.pk).update(received_at=received, category=category, rated_at=rated,
                                                   satisfaction=satisfaction)
        return made

    def group(members, due, published, status=ReplyStatus.PUBLISHED):
        matter = do_create_matter(Matter(kind="petition", title="办理", org=org, received_on=dt.date(2025, 12, 1)),
                                  actor=dangwu)
        Matter.objects.filter(pk=matter.pk).update(due_on=due)
        Petition.objects.filter(pk__in=[p.pk for p in members]).update(matter=matter, status=PetitionStatus.ACCEPTED)
        PetitionReply.objects.create(matter=matter, org=org, text="答复", status=status, published_at=published)

    p1 = petition(at(2026, 1, 15), Channel.PORTAL, roads, at(2026, 2, 10), "satisfied")
    p2 = petition(at(2026, 1, 31, 23), Channel.HOTLINE, schools, at(2026, 3, 6), "basic")  # local 23:00, Jan
    p3 = petition(at(2026, 3, 2), Channel.EMAIL)
    p4 = petition(at(2026, 3, 3), Channel.PORTAL, roads, at(2026, 2, 11), "unsatisfied")
    p5 = petition(at(2025, 12, 20), Channel.LETTER, roads, at(2025, 12, 30), "satisfied")  # another year
    p6 = petition(at(2026, 5, 5), Channel.QQ, schools)
    group([p1, p4], dt.date(2026, 2, 10), at(2026, 2, 10, 23))  # on time: a group counts once
    group([p2], dt.date(2026, 3, 1), at(2026, 3, 5))  # late
    group([p3], None, at(2026, 4, 1))  # no deadline: not in the rate
    group([p5], dt.date(2026, 1, 5), at(2026, 1, 4))  # received last year, replied on time this year
    group([p6], dt.date(2026, 6, 1), None, status=ReplyStatus.APPROVED)  # not published
    return Petition.objects.filter(pk__in=[p.pk for p in (p1, p2, p3, p4, p5, p6)])


def _expected_received(petitions_, year, key):
    rows = {}
    for p in petitions_:
        local = timezone.localtime(p.received_at)
        if local.year == year:
            rows.setdefault(key(p), [0] * 12)[local.month - 1] += 1
    return rows


def test_each_figure_counts_exactly_its_records(demo):
    mine = _records(demo)
    with CaptureQueriesContext(connection) as queries:
        figures = petition_stats.public_figures(mine, 2026)
    assert len(queries) == 4

    # 收到件数 by category and channel, against the petitions themselves.
    assert {r.label: r.months for r in figures["by_category"]} == _expected_received(
        mine, 2026, lambda p: p.category.name if p.category else "未分类")
    assert [r.label for r in figures["by_category"]] == ["统计测试类一", "统计测试类二", "未分类"]
    assert {r.label: r.months for r in figures["by_channel"]} == _expected_received(
        mine, 2026, lambda p: p.get_channel_display())
    assert figures["received"].months[0] == 2 and figures["received"].total == 5

    # 按时答复率 and 满意率: per source, by the month it was received, and the same totals as the staff figures.
    def month(p):
        return timezone.localtime(p.received_at).month

    def reply_of(p):
        reply = PetitionReply.objects.filter(matter_id=p.matter_id).first()
        if reply is None or reply.status != ReplyStatus.PUBLISHED:
            return "pending" if p.matter_id else None
        if p.matter.due_on is None:
            return None
        return "on_time" if timezone.localtime(reply.published_at).date() <= p.matter.due_on else "late"

    this_year = [p for p in mine if timezone.localtime(p.received_at).year == 2026]
    for m in range(1, 13):
        outcomes = [reply_of(p) for p in this_year if month(p) == m]
        rate = figures["monthly"][m - 1]["on_time"]
        assert (rate.numerator, rate.denominator) == (outcomes.count("on_time"),
                                                      outcomes.count("on_time") + outcomes.count("late"))
        ratings = [p.satisfaction for p in this_year if month(p) == m and p.satisfaction]
        rated = figures["monthly"][m - 1]["satisfied"]
        assert (rated.numerator, rated.denominator) == (sum(r in ("satisfied", "basic") for r in ratings), len(ratings))
    assert [(r["on_time"].numerator, r["on_time"].denominator) for r in figures["monthly"][:5]] == [
        (1, 2), (0, 0), (1, 1), (0, 0), (0, 0)]
    assert figures["on_time"] == petition_stats.on_time_reply_rate(mine, 2026)
    assert figures["on_time"].counts == {"on_time": 2, "late": 1, "pending": 1} and figures["on_time"].shown == "66.7%"
    assert figures["monthly"][3]["on_time"].shown == "—"
    assert figures["satisfaction"] == petition_stats.satisfaction_rate(mine, 2026)
    assert (figures["satisfaction"].numerator, figures["satisfaction"].denominator) == (2, 3)
    assert {row.label: row.total for row in figures["rating_rows"]} == {"满意": 1, "基本满意": 1, "不满意": 1}


def test_public_page_shows_the_agencys_figures_and_no_content(demo):
    _records(demo)
    agency = petitions.agency_petitions(demo["orgs"]["SXX"])
    figures = petition_stats.public_figures(agency, 2026)
    client = Client()
    page = client.get("/gongkai/tongji/?year=2026")
    text = page.content.decode()
    assert page.status_code == 200 and not page.cookies
    assert f"<b>{figures['received'].total}</b>" in text and figures["on_time"].shown in text
    assert figures["satisfaction"].shown in text
    assert "统计探针" not in text and "统计测试类一" in text
    with CaptureQueriesContext(connection) as queries:
        client.get("/gongkai/tongji/?year=2026")
    few = len(queries)
    PetitionCategory.objects.create(org=demo["orgs"]["SXX"], name="其他")
    _records_more = [petitions.do_receive_petition(Petition(
        org=demo["orgs"]["SXX"], kind="suggestion", channel=Channel.PORTAL, received_at=at(2026, m, 1),
        subject="多一件", content="多一件"))[0] for m in range(1, 13)]
    assert len(_records_more) == 12
    with CaptureQueriesContext(connection) as queries:
        client.get("/gongkai/tongji/?year=2026")
    assert len(queries) == few  # a fixed number of queries whatever the number of petitions
