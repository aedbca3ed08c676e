"""The pages measured by bench/figures.py at province scale, as a signed-in user opens them through the test client:
each figure's record list, the dashboards and home pages (cold, after a change and warm), a city's annual report
as .docx and one cadre's file. Run only within bench/figures.py's inner process (Django set up on its database)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable

GOALS_MS = {"dashboard": 300.0, "home": 300.0, "figure_page": 150.0, "annual_report": 10_000.0}
PERIOD = "2026"


def registered() -> list:
    from dangjian.core import figures

    return [f for f in figures.REGISTRY.values() if not f.personal]


def figure_url(key: str, org, page: int = 1) -> str:
    return f"/figures/{key}/?node={org.pk}&period={PERIOD}" + (f"&page={page}" if page > 1 else "")


def bench_pages(nodes: dict, user, runs: int) -> dict:
    """Each figure's page at each level, signed in as the province's 党务管理员, after the nightly reading of the
    values (reports.dashboards.warm) and one matter below the node saved before each run (in a different
    subtree each time, as on the dashboard): the steady state of a province in use. The query count of the page
    read warm must not depend on the node; after a change it reads the subtrees above the change again."""
    from bench.suite import page_queries, stats, warmed
    from dangjian.core.figure_cache import forget_values
    from dangjian.core.figures import Period
    from dangjian.reports.dashboards import warm

    client = warmed(user, "/figures/")
    forget_values()  # as a new day does: the night reads every composed node afresh
    t0 = time.perf_counter()
    warmed_nodes = warm(Period.parse(PERIOD))
    out = {"goal": f"p95 <= {GOALS_MS['figure_page']} ms at every level after a change; constant query count",
           "user_role": "party_admin (province)", "runs_per_level": runs,
           "warm_task": {"seconds": round(time.perf_counter() - t0, 1), "nodes": warmed_nodes}, "figures": {}}
    changes = {level: itertools.cycle(changed_matters(org, runs + 1)) for level, org in nodes.items()}
    for fig in registered():
        if client.get(figure_url(fig.key, nodes["province"])).status_code == 404:  # confidential (监督): not theirs
            out["figures"][fig.key] = {"skipped": "省级党务管理员无权查看（保密）"}
            continue
        # read warm (each page opened once before), before this figure's changes: after one, the nodes above it
        # read their changed parts again
        urls = {**{level: figure_url(fig.key, org) for level, org in nodes.items()},
                "city_page_3": figure_url(fig.key, nodes["city"], 3)}
        for url in urls.values():
            client.get(url)
        queries = {name: page_queries(client, url) for name, url in urls.items()}
        levels = {}
        for level, org in nodes.items():
            url = figure_url(fig.key, org)
            times, after = [], []
            for _ in range(runs + 1):  # the first as a warm-up
                next(changes[level]).save()  # saved as it was read: the nodes above it drop their values
                t0 = time.perf_counter()
                after.append(page_queries(client, url))
                times.append((time.perf_counter() - t0) * 1000)
            levels[level] = {**stats(times[1:]), "queries_after_change_max": max(after[1:])}
        constant = len(set(queries.values())) == 1
        worst = max(m["p95_ms"] for m in levels.values())
        out["figures"][fig.key] = {"levels": levels, "queries": queries, "query_count_constant": constant,
                                   "goal_met": constant and worst <= GOALS_MS["figure_page"]}
        print(f"page {fig.key}: {json.dumps(levels)} {queries}", flush=True)
    return out


def changed_matters(node, runs: int) -> list:
    """One matter in each of ``runs`` different subtrees below the node (its counties, or for a county its
    children), taken in turn: the record a run saves before it opens the dashboard."""
    from dangjian.matters.models import Matter
    from dangjian.orgs.models import Org

    depth = max(node.depth + 1, 3)
    subtrees = list(Org.objects.filter(path__startswith=node.path, depth=depth).order_by("path")
                    .values_list("path", flat=True))
    picked = []
    for i in range(len(subtrees)):
        path = subtrees[(i * 7919) % len(subtrees)]  # spread over the node, not the first few
        matter = Matter.objects.filter(org_path__startswith=path).order_by("pk").first()
        if matter is not None:
            picked.append(matter)
        if len(picked) == runs:
            break
    return picked


def bench_dashboard(nodes: dict, user, runs: int) -> dict:
    """The dashboard of each node by URL, as the province's user opens it (the reports app builds the page)."""
    from django.urls import Resolver404, resolve

    from bench.suite import warmed

    url = "/reports/dashboard/?node={}&period=" + PERIOD
    try:
        resolve("/reports/dashboard/")
    except Resolver404:
        return {"skipped": "路由 /reports/dashboard/ 尚不存在", "url": url.format("<id>")}
    client = warmed(user, url.format(nodes["county"].pk))
    pages = {level: (client, url.format(org.pk), org) for level, org in nodes.items()}
    return {"goal": f"p95 <= {GOALS_MS['dashboard']} ms after a record below the node has changed",
            "url": url.format("<id>"), "levels": pages_after_change("dashboard", pages, runs)}


def bench_home(nodes: dict, users: dict, runs: int) -> dict:
    """The home page (工作台) of each level's 党务管理员: its figures (三会一课缺项 among them) over their scope."""
    from bench.suite import warmed

    pages = {level: (warmed(users[level], "/"), "/", org) for level, org in nodes.items()}
    return {"goal": f"p95 <= {GOALS_MS['home']} ms after a record below the node has changed", "url": "/",
            "levels": pages_after_change("home", pages, runs)}


def pages_after_change(name: str, pages: dict, runs: int) -> dict:
    """Each level's page (client, url, the node it shows): cold (every cached value dropped before each run),
    after a change (the nightly task having read every composed node, one matter below the node saved before
    each run, in a different county each time: what a province's page meets while its cadres work; only the
    subtrees above the change are read again) and warm."""
    from bench.stats import pct
    from bench.suite import page_queries, stats, timed
    from dangjian.core.figure_cache import forget_values
    from dangjian.core.figures import Period
    from dangjian.reports.dashboards import warm

    levels = {}
    for level, (client, url, org) in pages.items():
        queries = page_queries(client, url)

        def get(url=url, client=client):
            forget_values()
            assert client.get(url).status_code == 200
        cold, _ = timed(get, max(3, runs // 4), warmup=0)
        t0 = time.perf_counter()
        warmed_nodes = warm(Period.parse(PERIOD))  # the nightly task (reports.tasks.warm_dashboards_daily)
        warm_task = {"seconds": round(time.perf_counter() - t0, 1), "nodes": warmed_nodes}
        changes = itertools.cycle(changed_matters(org, runs + 1))  # a county has fewer subtrees than runs

        changed = []
        for _ in range(runs + 1):  # the first as a warm-up
            next(changes).save()  # saved as it was read: its node's and the nodes above drop their values
            t0 = time.perf_counter()  # the page only, not the save
            assert client.get(url).status_code == 200
            changed.append((time.perf_counter() - t0) * 1000)
        changed = changed[1:]
        warm_times, _ = timed(lambda url=url, client=client: client.get(url), runs, warmup=1)
        levels[level] = {"after_change": stats(changed), "cold": stats(cold), "warm": stats(warm_times),
                         "warm_task": warm_task, "queries": queries,
                         "goal_met": pct(changed, 95) <= GOALS_MS[name]}
        print(f"{name} {level}: {json.dumps(levels[level])}", flush=True)
    return levels


def bench_annual_report(make_docx: Callable[[], bytes], runs: int = 3) -> dict:
    """The annual report of a city as .docx, made by ``make_docx`` (the reports service, wired by whoever
    merges it): seconds of each run (the figures' cache emptied before each), the bytes of the document."""
    from dangjian.core.figure_cache import forget_values

    times, size = [], 0
    for _ in range(runs):
        forget_values()
        t0 = time.perf_counter()
        size = len(make_docx())
        times.append(time.perf_counter() - t0)
    return {"goal_seconds": GOALS_MS["annual_report"] / 1000, "seconds": [round(t, 2) for t in times],
            "max_seconds": round(max(times), 2), "docx_bytes": size,
            "goal_met": max(times) <= GOALS_MS["annual_report"] / 1000}


def city_report_docx(city, user) -> bytes:
    """The city's annual report drafted from the records (every section) and exported as .docx, as the 年度报告
    page does; rolled back, so that each run drafts afresh."""
    from django.db import transaction

    from dangjian.reports.annual import create_report
    from dangjian.reports.report_docx import report_document

    with transaction.atomic():
        report = create_report(city, int(PERIOD[:4]), actor=user)
        content = report_document(report).to_bytes()
        transaction.set_rollback(True)
    return content


def bench_cadre_file_once(nodes: dict, users: dict, runs: int) -> dict:
    """bench/suite.py's cadre file on this database; the ledger it writes is rolled back (a rerun finds the
    same cadre with the same 300 entries)."""
    from django.db import transaction

    from bench.suite import bench_cadre_file

    with transaction.atomic():
        result = bench_cadre_file(nodes, users, runs)
        transaction.set_rollback(True)
    return result
