"""群众监督 public portal in a real browser at phone width: an anonymous submission, its 查询码 and the lookup; a
named submission that first fails the 验证码. The portal sets no cookie."""

import pytest

from dangjian.core import counters
from dangjian.supervision import petitions
from dangjian.supervision.petition_models import Petition

from .conftest import shot

pytestmark = pytest.mark.e2e
WIDTH = 375


def _answer(page) -> str:
    """The picture's digits, read where the server keeps them (the test cannot read the picture)."""
    token = page.input_value("input[name=captcha_token]")
    return counters.shared().get(f"dangjian:captcha:{token}")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_anonymous_submission_code_and_lookup_at_phone_width(pages, tmp_path):
    from playwright.sync_api import expect  # as the conftest does: collected even where Playwright is missing

    page = pages.new(width=WIDTH, height=812)
    page.goto("/accounts/login/")
    page.click("text=群众监督：意见建议、投诉、检举控告")
    page.wait_for_url("**/gongkai/")
    page.context.clear_cookies()  # the log-in page's form token; the portal sets none of its own
    _fits(page)
    shot(page, f"portal-index-{WIDTH}")
    page.click("a.btn:has-text('我要反映')")
    page.wait_for_selector("#id_captcha")
    expect(page.locator("#id_contact_name")).to_be_hidden()  # 匿名 is the default (once the CSS applies)
    page.check("input[name=kind][value=accusation]")
    page.fill("#id_subject", "某科室负责人违规收受购物卡")
    page.fill("#id_content", "2026年11月在办公室收受某公司购物卡两张，每张一千元。")
    evidence = tmp_path / "证据.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%e2e\n" + b"0" * 500)
    page.set_input_files("#id_attachments", str(evidence))
    page.fill("#id_captcha", _answer(page))
    _fits(page)
    shot(page, f"portal-submit-{WIDTH}")
    page.click("button.btn:has-text('提交')")
    code = page.inner_text("#query-code").strip()
    assert "请立即抄写或截图保存查询码" in page.content() and "/gongkai/tijiao/" in page.url and code not in page.url
    _fits(page)
    shot(page, f"portal-code-{WIDTH}")
    petition = petitions.find_by_code(code)
    assert petition.anonymous and petition.attachments.count() == 1 and petition.created_by is None

    page.click("text=查询进度")
    page.fill("#id_code", code.lower())
    page.click("button:has-text('查询')")
    page.wait_for_selector("h1:has-text('办理进度')")
    assert "某科室负责人违规收受购物卡" in page.content() and "待分类" in page.content() and code not in page.url
    page.fill("#id_text", "补充：另有一张收据")
    page.click("button:has-text('提交补充信息')")
    page.wait_for_selector(".notice")
    assert "补充信息已提交" in page.content() and "另有一张收据" in page.content()
    _fits(page)
    shot(page, f"portal-progress-{WIDTH}")
    page.goto("/gongkai/tongji/")
    assert "按时答复率" in page.content()
    _fits(page)
    shot(page, f"portal-stats-{WIDTH}")
    assert page.context.cookies() == []


def test_named_submission_after_a_wrong_captcha(pages):
    from playwright.sync_api import expect

    page = pages.new(width=WIDTH, height=812)
    page.goto("/gongkai/tijiao/")
    page.check("input[name=kind][value=suggestion]")
    page.check("#identity-named")
    expect(page.locator("#id_contact_name")).to_be_visible()
    page.fill("#id_subject", "建议延长办事大厅周末开放时间")
    page.fill("#id_content", "周末办事排队时间长，建议增加窗口。")
    page.fill("#id_contact_name", "李四")
    page.fill("#id_contact_phone", "13900139000")
    page.fill("#id_captcha", "00000x")
    page.click("button.btn:has-text('提交')")
    page.wait_for_selector(".errors")
    assert "验证码：填写错误或已过期" in page.content()
    assert page.input_value("#id_subject") == "建议延长办事大厅周末开放时间"  # what was typed is kept
    assert page.input_value("#id_contact_name") == "李四" and page.is_visible("#id_contact_name")
    _fits(page)
    shot(page, f"portal-captcha-error-{WIDTH}")
    assert not Petition.objects.filter(subject="建议延长办事大厅周末开放时间").exists()
    page.fill("#id_captcha", _answer(page))
    page.click("button.btn:has-text('提交')")
    code = page.inner_text("#query-code").strip()
    petition = petitions.find_by_code(code)
    assert not petition.anonymous and petition.contact_name == "李四" and petition.contact_phone == "13900139000"
