"""年度报告: the demo's drafted report, its .docx in the official layout with every figure linking to its
records, freezing (values kept while the data moves on), unknown references and a year without data."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse

from dangjian.core import figures
from dangjian.core.audit import history as versions_of
from dangjian.matters.models import Matter
from dangjian.reports import annual, drafting, references
from dangjian.reports.models import AnnualReport, FrozenFigure, Part, ReportStatus

from ..conftest import signed_in

pytestmark = pytest.mark.django_db
YEAR = 2026


def _report(demo) -> AnnualReport:
    return AnnualReport.objects.get(org=demo["orgs"]["SXX"], year=YEAR)


def _docx(response):
    from docx import Document

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return Document(io.BytesIO(response.content))


def _links(doc) -> dict[str, str]:
    """text → URL of every hyperlink in the body and tables."""
    rels = doc.part.rels
    out = {}
    for link in doc.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hyperlink"):
        rid = link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        text = "".join(t.text or "" for t in link.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        out.setdefault(rels[rid].target_ref, text)
    return out


def test_the_demo_report_is_drafted_from_the_records_and_exports_with_linked_figures(demo, frozen_today,
                                                                                       django_assert_max_num_queries):
    report = _report(demo)
    client = signed_in(demo["users"]["dangwu"])
    with django_assert_max_num_queries(12):
        listed = client.get(reverse("reports:report_list"))
    assert report.title in listed.content.decode()
    page = client.get(report.get_absolute_url()).content.decode()
    for part in ("一、主要作法", "二、存在问题", "三、下步建议", "（五）坚持从严治党"):
        assert part in page
    # the draft names records (study forms, activities) and quotes registered figures only
    body = "\n".join(report.sections.values_list("body", flat=True))
    assert "班子成员领学" in body or "专题讨论学" in body
    assert all(k in figures.REGISTRY for k in references.keys_in(body))
    assert "{{ matters.proposals.count }}" in body

    doc = _docx(client.get(reverse("reports:report_export", args=[report.pk])))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == report.title and report.subtitle in text
    assert "一、主要作法" in text and "附表" in text and "{{" not in text
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=1)
    links = _links(doc)
    figure_links = [u for u in links if "/figures/" in u]
    site = settings.DANGJIAN_SITE_URL
    assert figure_links and all(u.startswith(f"{site}/figures/") for u in figure_links)
    # each link leads to the records behind the number it shows
    url = next(u for u in figure_links if "matters.proposals.count" in u)
    target = client.get(url.removeprefix(site))
    assert target.status_code == 200
    assert str(target.context["value"].count) in links[url]
    # the appendix lists every quoted figure with its definition
    appendix = doc.tables[0]
    assert [c.text for c in appendix.rows[0].cells] == ["统计数字", "定义", "数值", "分子", "分母", "读取日期"]
    assert len(appendix.rows) - 1 == len(annual.referenced_keys(report))


def test_a_frozen_report_keeps_its_values_while_the_live_figures_move_on(demo, frozen_today):
    report = _report(demo)
    client = signed_in(demo["users"]["dangwu"])
    key = "matters.proposals.count"
    before = references.live_readings(report, [key])[key].count
    response = client.post(reverse("reports:report_freeze", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FROZEN and report.frozen_by == demo["users"]["dangwu"]
    assert FrozenFigure.objects.get(report=report, key=key).count == before

    Matter.objects.create(org=demo["orgs"]["SXX-BGS"], kind="npc", title="冻结后登记的建议", received_on=frozen_today)
    assert references.live_readings(report, [key])[key].count == before + 1
    assert references.readings(report, [key])[key].count == before  # the report keeps its value
    changed = {f.key: (f.count, live.count) for f, live in annual.changes_since_freeze(report)}
    assert changed[key] == (before, before + 1)
    assert "matters.assigned.replies" not in changed  # what did not move is not listed
    page = client.get(report.get_absolute_url()).content.decode()
    assert "定稿以来的变化" in page
    doc = _docx(client.get(reverse("reports:report_export", args=[report.pk])))
    assert any(t == f"{before}件" for t in _links(doc).values())
    # nothing changes a frozen report
    section = report.sections.order_by("order")[1]
    edit = client.post(reverse("reports:section_edit", args=[section.pk]),
                       {"heading": "改", "body": "改", "loaded_version": section.version})
    assert "已定稿，不能再修改" in edit.content.decode()
    section.refresh_from_db()
    assert section.body != "改"


def test_unknown_references_say_so_in_place_and_stop_the_freeze(demo, frozen_today):
    report = _report(demo)
    client = signed_in(demo["users"]["dangwu"])
    section = report.sections.order_by("order")[1]
    url = reverse("reports:section_edit", args=[section.pk])
    assert "matters.proposals.count" in client.get(url).content.decode()  # the picker
    proposed = client.get(url + "?draft=1").content.decode()  # the draft proposed again, not saved
    assert "重新生成的草稿" in proposed and "三个到位" in proposed
    response = client.post(url, {"heading": section.heading, "body": "全年办理{{ nosuch.figure }}，提案{{ matters.proposals.count }}。",
                                 "loaded_version": section.version})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.version == 2
    page = client.get(report.get_absolute_url()).content.decode()
    assert "【未知统计数字：nosuch.figure】" in page and "修改后才能定稿" in page
    doc = _docx(client.get(reverse("reports:report_export", args=[report.pk])))
    assert "【未知统计数字：nosuch.figure】" in "\n".join(p.text for p in doc.paragraphs)
    refused = client.post(reverse("reports:report_freeze", args=[report.pk]), {"version": report.version}, follow=True)
    assert "不能定稿" in refused.content.decode() and "nosuch.figure" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.frozen_figures.exists()
    # a stale copy of the section is refused, naming the versions
    stale = client.post(url, {"heading": "旧", "body": "旧", "loaded_version": 1})
    assert "已被他人修改" in stale.content.decode()
    # the section's versions are on its history page
    history = client.get(reverse("history", args=["reports.reportsection", section.pk])).content.decode()
    assert "修改报告章节" in history
    first = versions_of(section).order_by("id").first()
    client.post(reverse("restore", args=["reports.reportsection", section.pk, first.pk]))
    section.refresh_from_db()
    assert "nosuch.figure" not in section.body and section.version == 3


def test_a_year_without_records_drafts_without_failing(demo, frozen_today):
    client = signed_in(demo["users"]["dangwu"])
    response = client.post(reverse("reports:report_create"), {"org": demo["orgs"]["SXX"].pk, "year": 2019})
    report = AnnualReport.objects.get(org=demo["orgs"]["SXX"], year=2019)
    assert response.status_code == 302
    body = "\n".join(report.sections.values_list("body", flat=True))
    assert "本年度暂无集中学习记录" in body and "本年度暂无已销号的整改事项" in body
    page = client.get(report.get_absolute_url()).content.decode()
    assert "【数据暂缺】" in page  # a rate with nothing to count that year
    again = client.post(reverse("reports:report_create"), {"org": demo["orgs"]["SXX"].pk, "year": 2019})
    assert "2019年度报告已存在" in again.content.decode()
    doc = _docx(client.get(reverse("reports:report_export", args=[report.pk])))
    assert "【数据暂缺】" in "\n".join(p.text for p in doc.paragraphs) + "".join(_links(doc).values())


def test_problems_and_suggestions_answer_the_weak_figures(demo, frozen_today):
    """存在问题 names each weak figure the issue lists and 下步建议 answers it, before the general suggestions;
    a figure that is not weak gets neither."""
    org = demo["orgs"]["SXX"]
    weak = {fig.key: value for fig, value in drafting.weak_figures(org, YEAR)}
    worded = [key for key in weak if key in drafting.PROBLEM_WORDING]  # they come first, in the order read
    assert worded, "the demo has weak figures with their own wording"
    for value in weak.values():  # weak as read: a count that should be nil, or a rate under its floor
        floor = drafting.floor_of(value.figure)
        assert (value.value < floor) if floor is not None else value.count > 0
    drafts = drafting.draft_report(org, YEAR)
    problems = [d for d in drafts if d.part == Part.PROBLEMS]
    suggested = [d for d in drafts if d.part == Part.SUGGESTIONS]
    assert [d.heading for d in problems[:len(worded)]] == [drafting.PROBLEM_WORDING[k][0] for k in worded]
    answering = [k for k in worded if k in drafting.SUGGESTION_WORDING]
    assert [d.heading for d in suggested] == ([drafting.SUGGESTION_WORDING[k][0] for k in answering]
                                              + [h for h, _ in drafting.SUGGESTIONS])
    for key, draft in zip(answering, suggested[:len(answering)], strict=True):
        assert drafting.ref(key) in draft.body and "{" + "floor}" not in draft.body
    assert [d.number for d in suggested] == [drafting.numbered(i) for i in range(len(suggested))]
    unworded = set(drafting.SUGGESTION_WORDING) - set(weak)
    assert not any(drafting.SUGGESTION_WORDING[k][0] == d.heading for k in unworded for d in suggested)
