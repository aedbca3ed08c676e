"""The registry figures of 组织与人员, 责任体系, 整改, 监督, 考评 and 报告报备 against records counted by hand in the demo
agency (tests/test_figures.py checks every figure against its own page; this checks that each counts what its
definition says), and the pages that read them: the home page, the 群众监督 figures page."""

import re

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from dangjian.assessment.models import Accountability, Commendation, ConductEntry, Evaluation
from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period
from dangjian.duties.models import Institution, LetterTask, ResponsibilityLetter
from dangjian.filings.models import Absence, AgencyReport
from dangjian.matters.models import Matter
from dangjian.orgs.models import Org, OrgKind, Person
from dangjian.supervision import petition_stats, petitions
from dangjian.supervision.models import Finding, Inspection, Talk
from dangjian.supervision.petition_models import Channel, Petition, PetitionKind

from .conftest import signed_in
from .supervision.test_petition_stats import _records, at

YEAR = 2026
CONTRACT = (  # the keys the dashboard and the annual report read
    "orgs.members.total", "orgs.members.party", "orgs.members.full", "orgs.members.probationary",
    "orgs.members.activists", "orgs.members.joined", "orgs.units", "orgs.branches",
    "duties.letters.count", "duties.letters.signed", "duties.tasks.count", "duties.tasks.done",
    "duties.tasks.completion_rate", "duties.tasks.overdue", "duties.rules.in_force", "duties.rules.made",
    "matters.rectify.count", "matters.rectify.closed", "matters.rectify.on_time_rate",
    "supervision.petitions.received", "supervision.petitions.on_time_rate", "supervision.petitions.satisfaction_rate",
    "supervision.talks.count", "supervision.talks.follow_ups", "supervision.findings.open",
    "supervision.inspections.count", "assessment.conduct.positive", "assessment.conduct.negative",
    "assessment.commendations.count", "assessment.accountability.count", "assessment.evaluations.excellent_share",
    "filings.reports.count", "filings.absences.count", "filings.absences.unfiled",
)


def _values(demo, keys=CONTRACT):
    return figures.values_for(keys, FigureScope((demo["orgs"]["SXX"].path,), Period.year(YEAR)))


def _in_year(qs, field):
    return qs.filter(**{f"{field}__year": YEAR}).count()


def test_each_figure_counts_what_its_definition_says(demo, frozen_today):
    assert set(CONTRACT) <= set(figures.REGISTRY)
    for key in CONTRACT:
        assert figures.get(key).definition and figures.get(key).columns, key
    v = {k: (x.count, x.total) for k, x in _values(demo).items()}
    people = Person.objects.filter(is_active=True)  # every demo person is under the root
    assert v["orgs.members.total"] == (people.count(), None)
    assert v["orgs.members.party"][0] == people.filter(party_status__in=["full", "probationary"]).count() > 0
    assert v["orgs.members.activists"][0] == people.filter(party_status="activist").count()
    assert v["orgs.members.joined"][0] == _in_year(Person.objects, "joined_party_on")
    assert v["orgs.units"][0] == Org.objects.filter(kind__in=[OrgKind.AGENCY, OrgKind.SECTION]).count()
    assert v["orgs.branches"][0] == Org.objects.filter(kind=OrgKind.BRANCH).count() == 3

    tasks = LetterTask.objects.filter(letter__year=YEAR)
    assert v["duties.letters.count"][0] == ResponsibilityLetter.objects.filter(year=YEAR).count() > 0
    assert v["duties.letters.signed"][0] == ResponsibilityLetter.objects.filter(year=YEAR, signed_on__isnull=False).count()
    assert v["duties.tasks.completion_rate"] == (tasks.filter(status="done").count(), tasks.count())
    assert v["duties.tasks.overdue"][0] == LetterTask.objects.overdue(frozen_today).count() > 0
    assert v["duties.rules.in_force"][0] == Institution.objects.in_force(frozen_today).count() > 0
    assert v["duties.rules.made"][0] == _in_year(Institution.objects, "issued_on")

    rectify = Matter.objects.filter(kind__in=["rectify", "inspection"])
    closed = rectify.filter(status="closed", closed_on__year=YEAR)
    assert v["matters.rectify.count"][0] == _in_year(rectify, "received_on") > 0
    assert v["matters.rectify.on_time_rate"] == (closed.filter(closed_on__lte=F("due_on")).count(), closed.count())

    assert v["supervision.talks.count"][0] == _in_year(Talk.objects, "held_on") > 0
    assert v["supervision.inspections.count"][0] == _in_year(Inspection.objects, "held_on")
    assert v["supervision.findings.open"][0] == Finding.objects.exclude(matter__status="closed").count()

    assert v["assessment.conduct.negative"][0] == _in_year(ConductEntry.objects.filter(polarity="negative"), "on")
    assert v["assessment.commendations.count"][0] == _in_year(Commendation.objects, "conferred_on")
    assert v["assessment.accountability.count"][0] == _in_year(Accountability.objects, "decided_on")
    graded = Evaluation.objects.filter(round__status="approved", round__approved_on__year=YEAR).exclude(grade="")
    assert v["assessment.evaluations.excellent_share"] == (graded.filter(grade="excellent").count(), graded.count())

    assert v["filings.reports.count"][0] == _in_year(AgencyReport.objects, "reported_on")
    absences = Absence.objects.filter(leaves_on__year=YEAR)
    assert v["filings.absences.unfiled"][0] == absences.filter(status="unfiled").count() > 0
    assert v["filings.absences.count"][0] == absences.exclude(status__in=["unfiled", "cancelled"]).count()


def test_the_home_page_reads_the_member_figures_and_the_panels(demo):
    client = signed_in(demo["users"]["shuji"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    counter_reads = [q for q in queries if "orgs_orgmembercount" in q["sql"]]
    assert len(counter_reads) == 1  # every member figure from one read of the kept counters
    total = Person.objects.filter(is_active=True).count()
    assert re.search(f'<a class="figure" href="/figures/orgs.members.total/"[^>]*><b>{total}<small>人</small></b>'
                     '<span>人员总数</span></a>', html)  # the number, its unit, its label, its link
    assert "/figures/duties.tasks.overdue/" in html and "/figures/supervision.talks.follow_ups/" in html
    # a party member sees no member counts and no 纪委监督 panel, but their own open tasks if they have any
    html = signed_in(demo["users"]["dangyuan"]).get("/").content.decode()
    assert "人员总数" not in html and "纪委监督" not in html


def test_petition_figures_count_confidential_ones_and_list_them_only_to_the_discipline_team(demo, frozen_today):
    mine = _records(demo)
    accusation, _ = petitions.do_receive_petition(Petition(
        org=demo["orgs"]["SXX"], kind=PetitionKind.ACCUSATION, channel=Channel.LETTER, received_at=at(2026, 6, 1),
        subject="检举探针", content="检举探针内容"), actor=demo["users"]["jijian"])
    keys = ["supervision.petitions.received", *petition_stats.REPLY_KEYS.values(), *petition_stats.RATING_KEYS.values(),
            "supervision.petitions.on_time_rate", "supervision.petitions.satisfaction_rate"]
    v = _values(demo, keys)
    # the same counts as petition_stats over the same petitions (the demo agency receives none in 2026 by itself)
    every = Petition.objects.filter(pk__in=[*mine.values_list("pk", flat=True), accusation.pk])
    assert v["supervision.petitions.received"].count == every.filter(received_at__year=YEAR).count() == 6
    on_time = petition_stats.on_time_reply_rate(every, YEAR)
    assert {k: v[key].count for k, key in petition_stats.REPLY_KEYS.items()} == on_time.counts
    assert (v["supervision.petitions.on_time_rate"].count, v["supervision.petitions.on_time_rate"].total) == (2, 3)
    rated = petition_stats.satisfaction_rate(every, YEAR)
    assert {k: v[key].count for k, key in petition_stats.RATING_KEYS.items()} == rated.counts
    assert v["supervision.petitions.satisfaction_rate"].display == "66.7%"

    # the public page's totals (the registry, for the agency node) and its months (petition_stats) agree
    totals = petition_stats.public_totals(demo["orgs"]["SXX"], YEAR)
    public = petition_stats.public_figures(petitions.agency_petitions(demo["orgs"]["SXX"]), YEAR)
    assert totals["received"].count == public["received"].total == 6
    for name in ("on_time", "satisfaction"):
        assert (totals[name].count, totals[name].total) == (public[name].numerator, public[name].denominator)

    url = f"/figures/supervision.petitions.received/?period={YEAR}"
    staff = signed_in(demo["users"]["dangwu"]).get(url)
    assert staff.context["withheld"] == 1 and "按保密规定不向您列出" in staff.content.decode()
    assert "检举探针" not in staff.content.decode()
    team = signed_in(demo["users"]["jijian"]).get(url)
    assert team.context["withheld"] == 0 and "检举探针" in team.content.decode()

    page = signed_in(demo["users"]["dangwu"]).get(f"/supervision/petitions/figures/?year={YEAR}").content.decode()
    assert "本年度收到群众诉求" in page and "<strong>6</strong>件" in page
    assert f'href="/figures/supervision.petitions.late/?period={YEAR}"' in page
