"""What each role sees, a roster import with its report, and the phone-sized layout."""

import io
import re

import pytest

from dangjian.core.documents import write_xlsx
from dangjian.core.ids import id_check_digit
from dangjian.orgs import roster
from dangjian.orgs.models import Org, Person

from .conftest import shot

pytestmark = pytest.mark.e2e

ALL = None
# role → (the units/branches its person list may show, the orgs its org list shows)
EXPECTED = {
    "admin": ("self", ALL),
    "dangwu": (ALL, ALL),
    "shuji": (ALL, ALL),
    "banzi": ({"办公室", "人事科", "党建工作办公室"}, {"办公室", "人事科", "党建工作办公室"}),
    "jijian": (ALL, ALL),
    "kezhang": ({"办公室"}, {"办公室"}),
    "zhibu": ("第二党支部", {"第二党支部", "第二党支部第1党小组", "第二党支部第2党小组"}),
    "dangyuan": ("self", set()),
}


def total(page) -> int:
    text = page.locator(".pager span, p.muted").filter(has_text="共").first.inner_text()
    return int(re.search(r"共 (\d+) 条", text).group(1))


def column(page, index) -> list[str]:
    return page.locator(f"table.data tbody tr td:nth-child({index})").all_inner_texts()


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_only_its_scope(pages, role):
    from dangjian.accounts.models import User

    people_scope, org_scope = EXPECTED[role]
    me = Person.objects.get(user=User.objects.get(username=role))
    page = pages.login(role)
    assert page.locator(".user-name").inner_text() == me.name
    page.goto("/people/")
    shot(page, f"people-{role}")
    active = Person.objects.filter(is_active=True)
    names = column(page, 1)
    if people_scope == "self":
        assert names == [me.name] and total(page) == 1
    elif people_scope is ALL:
        assert total(page) == active.count()
    elif isinstance(people_scope, str):  # a branch: the 党支部 column
        assert set(column(page, 6)) == {people_scope}
        assert total(page) == active.filter(branch__name=people_scope).count()
    else:
        assert set(column(page, 5)) <= people_scope
        assert total(page) == active.filter(org__name__in=people_scope).count()
    response = page.goto("/orgs/")
    if org_scope == set():
        assert response.status == 403 and "无权访问" in page.content()
    else:
        listed = {n.strip().lstrip("　") for n in column(page, 1)}
        assert listed == (set(Org.objects.values_list("name", flat=True)) if org_scope is ALL else org_scope)
        shot(page, f"orgs-{role}")


def xlsx_file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(write_xlsx("花名册", roster.COLUMNS, rows))
    return str(path)


def test_a_roster_import_reports_bad_rows_then_imports_a_good_file(pages, tmp_path):
    first17 = "11010119860606001"
    good_id = first17 + id_check_digit(first17)
    bad = [["浏览器甲", "男", "", good_id, "", "", "", "办公室", "", "群众", "", ""],
           ["浏览器乙", "男", "", "110101198606060019", "", "", "", "不存在的科室", "", "党员", "", ""]]
    before = Person.objects.count()
    page = pages.login("dangwu")
    page.goto("/people/")
    page.click("text=导入花名册")
    page.set_input_files("input[type=file]", xlsx_file(tmp_path, "bad.xlsx", bad))
    page.click("text=上传并导入")
    report = page.locator("#import-report")
    report.wait_for()
    text = report.inner_text()
    assert "第 3 行" in text and "居民身份证号" in text and "校验码不正确" in text
    assert "所在单位或科室" in text and "政治面貌" in text and "第 2 行" not in text
    assert "未写入任何数据" in page.content()
    shot(page, "import-report")
    assert Person.objects.count() == before
    page.set_input_files("input[type=file]", xlsx_file(tmp_path, "good.xlsx", bad[:1]))
    page.click("text=上传并导入")
    page.wait_for_url("**/people/")
    assert "花名册导入成功：新增 1 人，更新 0 人" in page.locator(".messages").inner_text()
    page.fill("input[name=q]", "浏览器甲")
    page.click("button:has-text('查询')")
    assert column(page, 1) == ["浏览器甲"]
    shot(page, "import-done")
    assert Person.objects.count() == before + 1


def test_on_a_phone_the_menu_toggles_and_the_list_is_usable(pages):
    page = pages.login("dangwu", width=375, height=800)
    page.goto("/people/")
    nav = page.locator("nav.nav")
    toggle = page.locator(".nav-toggle-label")
    assert toggle.is_visible() and not nav.is_visible()
    shot(page, "phone-people")
    toggle.click()
    assert nav.is_visible()
    assert page.locator("nav.nav a", has_text="组织").is_visible()
    shot(page, "phone-menu-open")
    toggle.click()
    assert not nav.is_visible()
    # the page itself does not scroll sideways; the table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("table.data").is_visible()
    first = page.locator("table.data tbody tr td a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    assert page.locator("h1").inner_text().startswith(name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "phone-person")
    # the search form works at this width
    page.goto("/people/")
    page.fill("input[name=q]", name)
    page.click("button:has-text('查询')")
    assert column(page, 1) == [name]


def test_the_api_docs_render_from_this_server(pages):
    page = pages.login("dangwu")
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info").wait_for()
    assert "规矩" in page.locator(".swagger-ui .info").inner_text()
    shot(page, "api-docs")


def test_the_login_page_at_desktop_and_phone_width(pages):
    for width in (1280, 375):
        page = pages.new(width=width)
        page.goto("/accounts/login/")
        assert page.locator("h1").inner_text() == "登录"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"login-{width}")
    _ = io  # (kept for xlsx helpers)
