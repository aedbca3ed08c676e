"""The site's frame in the browser: styles at desktop and phone width (issue 11 item 19)."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def style(page, selector, prop):
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_module_styles_hold_at_desktop_and_phone_width(pages):
    desk = pages.login("dangwu", width=1366, height=900)
    desk.goto("/matters/board/")
    shot(desk, "styles-board-1366")
    # An overdue date is red, its row marked: rules that an unclosed @media block once kept to phones.
    assert style(desk, ".due-overdue", "color") == "rgb(198, 40, 40)"
    assert style(desk, "tr.row-overdue td:first-child", "border-left-color") == "rgb(198, 40, 40)"
    assert style(desk, ".nav", "display") == "flex"
    desk.goto("/meetings/")
    assert style(desk, ".subnav a.active", "background-color") == "rgb(183, 28, 28)"

    phone = pages.login("dangwu", width=375, height=812)
    phone.goto("/matters/board/")
    shot(phone, "styles-board-375")
    assert style(phone, ".due-overdue", "color") == "rgb(198, 40, 40)"
    assert style(phone, ".nav", "display") == "none"  # folded behind the menu toggle
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
