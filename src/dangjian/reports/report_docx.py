"""The report as a .docx in the GB/T 9704-2012 layout (core.documents.OfficialDocument): the title block, the
parts and sections, every figure a hyperlink to its records in the system, the signature, and the appendix
附表 (each figure's definition, value, numerator and denominator, and when it was read) with the year-on-year
comparison of the key figures."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from dangjian.core.documents import OfficialDocument

from . import annual, references
from .models import AnnualReport

FALLBACK_SITE = "http://127.0.0.1:8000"


def site_url(request=None) -> str:
    """Where the links lead: DANGJIAN_SITE_URL (the address users reach the system at), as in every document
    (core.figures.absolute_figure_url); a background job has no request to take a host from."""
    return settings.DANGJIAN_SITE_URL.rstrip("/") or FALLBACK_SITE


def report_document(report: AnnualReport, *, site: str = FALLBACK_SITE) -> OfficialDocument:
    keys = annual.referenced_keys(report)
    values = references.readings(report, keys)
    doc = OfficialDocument(report.title)
    if report.subtitle:
        doc.subtitle(report.subtitle)
    for part, label, sections in annual.sections_by_part(report):
        if label:
            doc.heading1(label)
        for section in sections:
            if section.heading and part in ("practice",):
                doc.heading2(f"{section.number}{section.heading}")
            paragraphs = references.paragraphs(section.body, values)
            if section.heading and part not in ("practice",):  # 存在问题、下步建议: the heading opens the paragraph
                paragraphs = [[f"{section.number}{section.heading}。", *(paragraphs[0] if paragraphs else [])],
                              *paragraphs[1:]]
            for para in paragraphs:
                doc.linked_paragraph([p if isinstance(p, str) else (p.shown, site + p.url) for p in para])
    day = timezone.localtime(report.frozen_at).date() if report.frozen_at else timezone.localdate()
    doc.signature(report.org.name, day)
    appendix(doc, report, values, site)
    return doc


def appendix(doc: OfficialDocument, report: AnnualReport, values, site: str) -> None:
    doc.page_break()
    doc.heading1("附表")
    doc.centered("统计数字一览表")
    rows = [(v.label, v.definition, v.shown, v.numerator, "—" if v.total is None else str(v.total),
             f"{timezone.localtime(v.read_at):%Y-%m-%d}") for v in values.values()]
    # a figure's label and definition wrap; its numbers and the date never do
    table = doc.table(("统计数字", "定义", "数值", "分子", "分母", "读取日期"), rows, widths_mm=(28, 38, 26, 12, 12, 40))
    for row, v in zip(table.rows[1:], values.values(), strict=True):
        _link_cell(doc, row.cells[2], v.shown, site + v.url)
    compared = references.year_on_year(report, values if report.is_frozen else None)
    if compared:
        doc.paragraph("")
        doc.centered(f"主要数字与{report.year - 1}年对比")
        table = doc.table(("统计数字", f"{report.year - 1}年", f"{report.year}年", "增减"), [
            (c.current.label, c.previous.shown if c.previous else "—", c.current.shown, c.change) for c in compared],
            widths_mm=(56, 30, 30, 40))
        for row, c in zip(table.rows[1:], compared, strict=True):
            _link_cell(doc, row.cells[2], c.current.shown, site + c.current.url)
            if c.previous:
                _link_cell(doc, row.cells[1], c.previous.shown, site + c.previous.url)


def _link_cell(doc: OfficialDocument, cell, text: str, url: str) -> None:
    """A table cell whose value links to the figure's records."""
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    doc.hyperlink(paragraph, text, url, size=doc.SIZE_4)
