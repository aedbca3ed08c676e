"""群众监督, staff side, in the browser at phone width (375 px): a call entered with a 查询码 shown once, then
classified and accepted into a matter of kind 群众诉求 by the 党务管理员."""

import re

import pytest

from .conftest import shot
from .test_pages import fits_phone as fits

pytestmark = pytest.mark.e2e


def test_a_call_is_entered_then_accepted_at_phone_width(pages):
    from dangjian.accounts.models import User
    from dangjian.supervision.petition_models import Petition, PetitionStatus

    owner, leader = User.objects.get(username="kezhang").person, User.objects.get(username="banzi").person
    page = pages.login("dangwu", width=375, height=800)
    page.goto("/supervision/petitions/")
    assert fits(page)
    page.click("text=登记群众诉求")
    page.select_option("#id_channel", "hotline")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_subject", "浏览器测试：公交站台破损")
    page.fill("#id_content", "人民路公交站台顶棚破损，雨天无法避雨。")
    page.fill("#id_contact_name", "周七")
    page.fill("#id_contact_phone", "13600001111")
    page.check("#id_give_code")
    assert fits(page)
    page.click("button:text('保存')")
    code = page.locator("[data-query-code]").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    shot(page, "petition-entered-phone")
    page.click("text=查看并分类")
    page.wait_for_selector("h1:has-text('公交站台破损')")
    panel = page.locator("details.step", has=page.locator("summary:text-is('受理')"))
    panel.locator("select[name=category]").select_option(label="道路交通")
    panel.locator("select[name=owner]").select_option(str(owner.pk))
    panel.locator("select[name=responsible_leader]").select_option(str(leader.pk))
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已受理" in page.locator(".messages").inner_text()
    assert fits(page)
    shot(page, "petition-detail-phone")
    petition = Petition.objects.get(subject="浏览器测试：公交站台破损")
    assert petition.status == PetitionStatus.ACCEPTED and petition.matter.kind == "petition"
    page.goto("/supervision/petitions/?status=accepted")
    assert "136****1111" in page.content() and "13600001111" not in page.content()
