"""Dashboards in the browser: a drill-down from the agency to a branch and back at phone width (375 px), and the
大屏 at a wall screen's 1366 px; a click on a bar opens the figure page with the records behind it."""

import pytest

from dangjian.orgs.models import Org

from .conftest import shot

pytestmark = pytest.mark.e2e

# The viewport position of the middle of a bar of a drawn chart (its layout rectangle in the chart).
BAR_AT = """([id, series, index]) => {
  const el = document.querySelector(`[data-chart="${id}"]`);
  el.scrollIntoView({block: "center"});
  const chart = echarts.getInstanceByDom(el);
  const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
  const box = el.getBoundingClientRect();
  return [box.left + bar.x + bar.width / 2, box.top + bar.y + bar.height / 2];
}"""


def click_bar(page, chart_id, series, index):
    page.wait_for_selector(f'[data-chart="{chart_id}"].drawn')  # the bars have grown to their height
    x, y = page.evaluate(BAR_AT, [chart_id, series, index])
    page.mouse.click(x, y)


def watch_errors(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(f"{msg.text} {msg.location}") if msg.type == "error" else None)
    return errors


def test_a_dashboard_drills_down_the_tree_at_phone_width_and_on_the_wall_screen(pages):
    orgs = {o.code: o for o in Org.objects.all()}
    root, committee, branch, bgs = orgs["SXX"], orgs["SXX-JGDW"], orgs["SXX-ZB2"], orgs["SXX-BGS"]

    page = pages.login("shuji", width=375, height=800)
    errors = watch_errors(page)
    page.goto("/")
    page.click("a[href='/reports/dashboard/']")
    page.wait_for_selector('[data-chart="matters"] canvas')
    assert page.locator('[data-chart="matters"] ~ details.chart-data').get_attribute("open") is None  # drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "dashboard-375")
    # down: the agency → 机关党委 → 第二党支部, each by its row in the drill-down table
    for child in (committee, branch):
        page.click(f"a.drill-link:text-is('{child.name}')")
        page.wait_for_url(f"**/reports/dashboard/?node={child.pk}&period=*")
        page.wait_for_selector('[data-chart="matters"] canvas')
    assert page.locator(".dash-crumbs a").all_inner_texts() == [root.name, committee.name]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "dashboard-branch-375")
    # up again by the breadcrumb; a click on the 在办事项 bar opens its records
    page.click(f".dash-crumbs a:text-is('{root.name}')")
    page.wait_for_selector('[data-chart="matters"] canvas')
    click_bar(page, "matters", 0, 0)
    page.wait_for_url(f"**/figures/matters.open/?node={root.pk}")
    assert page.locator("h1").inner_text().startswith("在办事项")

    wall = pages.login("shuji", width=1366, height=768)
    errors += watch_errors(wall)
    wall.goto(f"/reports/dashboard/screen/?node={root.pk}")
    wall.wait_for_selector('[data-chart="drill"] canvas')
    assert wall.locator("body.screen").count() == 1
    assert wall.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(wall, "dashboard-screen-1366")
    # a child's bar in the drill-down chart opens that figure for the child
    drill = wall.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).drill")
    series = [s["name"] for s in drill["series"]].index("在办事项")
    click_bar(wall, "drill", series, drill["children"].index(bgs.name))
    wall.wait_for_url(f"**/figures/matters.open/?node={bgs.pk}")
    wall.go_back()
    wall.click(f"a.drill-link:text-is('{committee.name}')")
    wall.wait_for_url(f"**/reports/dashboard/screen/?node={committee.pk}&period=*")
    wall.wait_for_selector('[data-chart="drill"] canvas')
    shot(wall, "dashboard-screen-committee-1366")
    assert not errors, errors
