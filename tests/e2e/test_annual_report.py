"""年度报告 in the browser: the report reads as prose at phone and desktop width, each figure a link within its
line (not the dashboard's tile), and a section is edited in a text box as wide as the form."""

import pytest

from dangjian.reports.models import AnnualReport

from .conftest import shot

pytestmark = pytest.mark.e2e

# Each figure link in the prose: its box's height over the line's, and its padding (a tile would have both).
FIGURE_BOXES = """() => [...document.querySelectorAll('.report-section p a.figure-ref')].map(a => {
  const style = getComputedStyle(a);
  return [a.getBoundingClientRect().height / parseFloat(getComputedStyle(a.parentElement).lineHeight),
          parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)];
})"""


def test_the_report_reads_as_prose_and_a_section_is_edited_at_the_forms_width(pages):
    report = AnnualReport.objects.select_related("org").order_by("-year").first()
    for width in (375, 1366):
        page = pages.login("dangwu", width=width, height=800)
        page.goto(report.get_absolute_url())
        boxes = page.evaluate(FIGURE_BOXES)
        assert len(boxes) > 10
        assert all(height <= 1.2 and padding == 0 for height, padding in boxes), boxes  # within one line
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"annual-report-{width}")
        page.click(".report-section a:text-is('编辑本节') >> nth=1")
        page.wait_for_selector("textarea[name=body]")
        form, body, heading = (page.locator(s).bounding_box() for s in (
            "form.card", "textarea[name=body]", "input[name=heading]"))
        assert body["width"] > form["width"] * 0.9 and heading["width"] > form["width"] * 0.9
        shot(page, f"annual-report-section-{width}")
