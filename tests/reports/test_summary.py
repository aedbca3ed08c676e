"""Periodic summaries from the figure registry: the generic summary of a node and period (reports/summary.py)
and the 半月一小结/一月一总结 of 事项督办, each number linking to its figure page; a kept summary shows the values it
was issued with beside the live ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from dangjian.core import figures
from dangjian.core.figures import FigureScope, Period
from dangjian.matters import services, supervision
from dangjian.matters.models import Matter, SupervisionSheet

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_summary_of_a_node_lists_its_figures_by_module_each_linked_at_a_constant_query_count(demo):
    shuji, zb2 = demo["users"]["shuji"], demo["orgs"]["SXX-ZB2"]
    client = signed_in(shuji)
    client.get("/reports/summary/")  # the session's first request loads the user's grants
    pages = {}
    for period in ("2026-11-1", "2026-11", "2026"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/reports/summary/?node={zb2.pk}&period={period}")
        assert response.status_code == 200
        pages[period] = (response.content.decode(), len(queries))
    assert len({n for _, n in pages.values()}) == 1  # the same queries whatever the period's records
    page = pages["2026-11-1"][0]
    assert "2026年11月上半月党建工作统计小结" in page and "事项督办" in page
    half = Period.parse("2026-11-1")
    for key in ("matters.received", "matters.overdue_at_end", "matters.proposals.count"):
        value = figures.get(key).evaluate(FigureScope((zb2.path,), half))
        assert f'href="/figures/{key}/?node={zb2.pk}&amp;period=2026-11-1"' in page, key
        assert f"<b>{value.display}{'' if value.figure.is_rate else value.figure.unit}</b>" in page, key
    assert "我负责的在办事项" not in page  # personal figures belong to the home page

    doc = Document(io.BytesIO(client.get(f"/reports/summary/document.docx?node={zb2.pk}&period=2026-11").content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == f"{zb2.name}2026年11月党建工作统计小结" and any(t.endswith("、事项督办") for t in texts)
    tables = [t for t in doc.tables if t.rows[0].cells[1].text == "统计数字"]
    assert tables and all([c.text for c in t.rows[0].cells] == ["序号", "统计数字", "数值", "口径"] for t in tables)
    assert "新登记事项" in {row.cells[1].text for t in tables for row in t.rows}


def test_a_kept_summary_links_each_number_and_shows_live_values_beside_the_issued_ones(demo, frozen_today):
    today = frozen_today
    month = supervision.build_summary(SupervisionSheet.Period.MONTH, today)
    assert month.start == dt.date(2026, 11, 1)
    root = demo["orgs"]["SXX"]
    scope = FigureScope((root.path,), Period.month(2026, 11))
    for short, _, key in supervision.SUMMARY:  # the snapshot holds the registry's values of the period
        assert month.figures[short] == figures.get(key).evaluate(scope).count, key
    client = signed_in(demo["users"]["shuji"])
    page = client.get(f"/matters/supervision/{month.pk}/").content.decode()
    assert f'href="/figures/matters.closed/?node={root.pk}&amp;period=2026-11"' in page
    assert "现为" not in page and "与当前记录一致" in page

    sample = Matter.objects.exclude(owner=None).first()
    services.do_create_matter(Matter(kind="rectify", title="小结之后登记的事项", org=sample.org, owner=sample.owner,
                                     responsible_leader=sample.responsible_leader, received_on=today),
                              actor=demo["users"]["dangwu"])
    page = client.get(f"/matters/supervision/{month.pk}/").content.decode()
    issued = month.figures["opened"]
    assert f"<b>{issued}项</b>" in page and f"现为 {issued + 1}项" in page
    SupervisionSheet.objects.filter(pk=month.pk).update(figures={**month.figures, "opened": issued + 1})
    assert "现为" not in client.get(f"/matters/supervision/{month.pk}/").content.decode()
