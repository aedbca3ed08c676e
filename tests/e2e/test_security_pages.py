"""The refusal pages a user may meet (too many log-ins, page not found) on a desktop and on a phone."""

import pytest

from dangjian.core import rule_settings

from .conftest import shot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_the_rate_limit_and_not_found_pages_are_chinese_and_fit(pages, width):
    rule_settings.set_rule("security.rate_login_per_minute", "1", actor=None)
    page = pages.new(width=width, height=800)
    # A limit of one a minute: the second post is refused, or the third when the minute's window turned
    # between the first two (the count starts again in each window).
    for _ in range(3):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "nobody")
        page.fill("input[name=password]", "wrong-Pass-1")
        page.click("button[type=submit]")
        if "请求过于频繁" in page.content():
            break
    assert "请求过于频繁" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"security-429-{width}")
    page.goto("/no-such-page/")
    assert "页面不存在" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"security-404-{width}")
