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

    # 按时答复率: one per group (matter) with a published reply and a deadline, by the month it was published.
    replies = [r for r in PetitionReply.objects.filter(matter__petitions__in=mine).distinct().select_related("matter")
               if r.status == ReplyStatus.PUBLISHED and r.matter.due_on
               and timezone.localtime(r.published_at).year == 2026]
    on_time = [r for r in replies if timezone.localtime(r.published_at).date() <= r.matter.due_on]
    assert (figures["on_time"].numerator, figures["on_time"].denominator) == (len(on_time), len(replies)) == (2, 3)
    assert [(r.numerator, r.denominator) for r in figures["on_time_months"][:4]] == [(1, 1), (1, 1), (0, 1), (0, 0)]
    assert figures["on_time"].percent == "66.7%" and figures["on_time_months"][3].percent == "—"

    # 满意率: (满意 + 基本满意) / rated, by the month of the rating.
    rated = [p for p in mine if p.rated_at and timezone.localtime(p.rated_at).year == 2026]
    satisfied = [p for p in rated if p.satisfaction in ("satisfied", "basic")]
    total = figures["satisfaction"].total
    assert (total.numerator, total.denominator) == (len(satisfied), len(rated)) == (2, 3)
    assert {v: row.total for v, row in figures["satisfaction"].counts.items()} == {
        "satisfied": 1, "basic": 1, "unsatisfied": 1}
    assert [(r.numerator, r.denominator) for r in figures["satisfaction"].months[1:3]] == [(1, 2), (1, 1)]


def test_public_page_shows_the_agencys_figures_and_no_content(demo):
    _records(demo)
    agency = petitions.agency_petitions(demo["orgs"]["SXX"])
    figures = petition_stats.public_figures(agency, 2026)
    client = Client()
    page = client.get("/gongkai/tongji/?year=2026")
    text = page.content.decode()
    assert page.status_code == 200 and not page.cookies
    assert f"<b>{figures['received'].total}</b>" in text and figures["on_time"].percent in text
    assert figures["satisfaction"].total.percent in text
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
