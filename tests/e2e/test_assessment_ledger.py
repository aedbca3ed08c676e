"""Browser test of the 作风台账 at phone width: an entry without evidence is refused naming the field, with it the
entry shows on the cadre's ledger; the 干部考评档案 and the registers fit 375 px."""

from .conftest import shot

WIDTH = 375


def test_a_manual_entry_needs_evidence_and_the_pages_fit_a_phone(pages):
    from dangjian.assessment.models import ConductEntry
    from dangjian.core.forms_base import person_label
    from dangjian.orgs.models import Person

    person = Person.objects.select_related("org", "branch").get(user__username="dangyuan")
    page = pages.login("dangwu", width=WIDTH, height=800)
    page.goto("/assessment/ledger/new/")
    page.select_option("select[name=person]", label=person_label(person))
    page.select_option("select[name=kind]", "praise")
    page.fill("input[name=on]", "2026-11-02")
    page.fill("input[name=summary]", "协助完成信访接待，群众来信表扬")
    page.click("form.card button")
    error = page.locator(".field.has-error .error, .errors").first.inner_text()
    assert "佐证材料" in error
    assert not ConductEntry.objects.filter(summary__startswith="协助完成信访接待").exists()
    page.fill("textarea[name=evidence]", "群众来信（2026年11月2日）")
    page.click("form.card button")
    page.wait_for_url(f"**/assessment/people/{person.pk}/ledger/")
    assert "协助完成信访接待" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shot(page, "assessment-person-ledger-phone")
    for name, url in (("file", f"/assessment/people/{person.pk}/file/"), ("commitments", "/assessment/commitments/"),
                      ("accountability", "/assessment/accountability/"), ("letters", "/assessment/letters/")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name
        shot(page, f"assessment-{name}-phone")
