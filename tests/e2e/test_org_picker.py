"""The org picker at province scale: a search box whose suggestions come from /orgs/search/."""

import pytest

from dangjian.orgs.models import Person, Position

from .conftest import shot

pytestmark = pytest.mark.e2e


def test_a_large_org_picker_suggests_by_name_and_saves_the_chosen_org(pages, settings):
    settings.DANGJIAN_ORG_PICKER_LIMIT = 3  # the demo agency stands in for a province
    person = Person.objects.filter(org__code="SXX-CWK").first()
    page = pages.login("dangwu", width=375, height=800)
    page.goto(f"/people/{person.pk}/")
    picker = page.locator("input[data-org-search]")
    picker.fill("财务")
    suggestion = page.locator("datalist option[value='SXX-CWK']")
    suggestion.wait_for(state="attached")  # filled by app.js from /orgs/search/ (no eval under our CSP)
    assert "财务科" in suggestion.get_attribute("label")
    picker.fill("SXX-CWK")
    form = picker.locator("xpath=ancestor::form")
    form.locator("select[name=title]").select_option("section_head")
    form.locator("input[name=start_date]").fill("2026-11-02")
    shot(page, "org-picker-375")
    form.locator("button").click()
    page.wait_for_load_state()
    assert Position.objects.filter(person=person, org__code="SXX-CWK", title="section_head").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
