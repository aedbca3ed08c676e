"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Skipped (with the reason) only when the Chromium binary is missing; `make test` runs them whenever
it is installed (.ci/run installs it). Every page is checked not to request anything from outside
this machine.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (set DANGJIAN_CHROMIUM or install chromium)")
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # themselves (setting up, checking) are still plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Pages:
    """Opens browser pages on the live server and records every request they make."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.outside: list[str] = []

    def new(self, width=1280, height=900):
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                           base_url=self.base_url)
        self.contexts.append(context)

        def guard(route):
            url = route.request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    def login(self, username, width=1280, height=900):
        from tests.conftest import PASSWORD

        page = self.new(width, height)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, tx_demo, settings):
    settings.LOGIN_MAX_FAILURES = 10**6
    SCREENSHOTS.mkdir(exist_ok=True)
    pages = Pages(browser, live_server.url)
    yield pages
    pages.close()
    assert not pages.outside, f"pages requested assets from outside this machine: {pages.outside}"


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
