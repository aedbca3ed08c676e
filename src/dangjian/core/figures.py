"""One registry of figures (统计数字): every number the system shows is defined here once.

A figure has a key (``matters.proposals.count``), a Chinese label, its definition in words, the module that
owns it, and the records it counts: a model and a condition of (scope, period) — the numerator — and, for a
rate, the condition of its denominator. Its value is the count of those records (or the sum of one of their
columns, ``measure``), computed in SQL; its page (core/figure_views.py) lists exactly those records, so every
number shown links to the records behind it. Home panels, the figures pages, dashboards, the periodic
summaries and the annual report all read figures from here (docs/architecture.md: Figures).

Modules register their figures from ``AppConfig.ready()`` (each in its own ``figures.py``); core imports no
module. Values for several figures of one model are read in one aggregate query (``evaluate_many``).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from .figure_cache import (
    cached,
    cached_each,
    changing,
    generations,
    get_values,
    path_step,
    seconds,
    set_values,
    watch,
)
from .figure_periods import FigureScope, Period
from .scope import path_in_scope, scope_roots

# ---- figure definitions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a figure's record list: a label and a dotted attribute path (or a callable of the row)."""

    label: str
    value: str | Callable[[models.Model], object]

    def read(self, obj) -> object:
        if callable(self.value):
            return self.value(obj)
        out = obj
        for part in self.value.split("."):
            out = getattr(out, part, None)
            if out is None:
                return ""
            if callable(out) and part.startswith("get_"):
                out = out()
        return out


@dataclass(frozen=True)
class FigureDef:
    """A registered figure.

    ``where(scope)`` selects the records counted (the numerator); ``total_where(scope)``, for a rate, the
    records of its denominator (of the same model; the numerator's records are among them). ``measure`` names
    a numeric column summed instead of counting rows (study hours). ``stock`` figures count the present state
    (members, open matters, rules in force) and ignore the period. ``personal`` figures count the signed-in
    user's own records (``scope.person_id``) and ignore the node.
    """

    key: str
    label: str
    unit: str
    definition: str
    module: str
    model: type[models.Model]
    where: Callable[[FigureScope], Q]
    total_where: Callable[[FigureScope], Q] | None = None
    measure: str | None = None
    stock: bool = False
    personal: bool = False
    columns: tuple[Column, ...] = ()
    related: tuple[str, ...] = ()  # select_related for the record list (a constant number of queries)
    order_by: tuple[str, ...] = ("-pk",)
    capability: str = ""  # the view capability a node must be in scope for; default "<model>.view"
    link: Callable[[models.Model], str] | None = None  # a record's page; default its get_absolute_url()
    higher_is_better: bool | None = None  # for a rate or count the report's 存在问题 reads as weak when low
    weak_below: float | None = None  # a rate (in %) under which the generator names the figure as a problem
    # A stock figure kept by counters (the member counts): read from them instead of counting the records. It
    # returns the values of this figure and of those sharing the same function, by key, in one read; they equal
    # the records' count (tests/test_figures.py checks every registered figure against its records).
    # Called as ``counted(scope)`` → {key: value}, or ``counted(scope, child_path_len)`` → {child path: {key:
    # value}} for each child subtree of the scope's one path (a dashboard's drill-down), in one read.
    counted: Callable[..., dict] | None = None
    # The subtrees (paths) a user reads the figure's records in beyond the grants of its view capability (the
    # 党组书记 reads the agency's supervision records by position, not by role).
    extra_roots: Callable[[object], list[str]] | None = None
    # The path column that places a record in the tree, which ``evaluate_by_child`` groups by: a figure whose
    # ``where`` places records by another column (a member by ``branch_path``) names that column here.
    path_field: str | models.Expression | None = None  # default: the model's org_path, else path (an org)
    # Whether the value for a subtree is the sum of its values for the parts of the subtree (a record counts in
    # the one part its path lies in), so that a high node's value is composed of its children's (Composition);
    # not so for a count of distinct things reached through other records (the units of activities).
    additive: bool = True
    # The ids of the records counted, in the order of the list, where the figure finds them itself rather than by
    # a condition an index serves (the branches with a 三会一课 gap, found by a scan and kept): its page reads a
    # page of rows by id instead of testing a province's 90,000 ids in SQL.
    listed_ids: Callable[[FigureScope], Sequence[int]] | None = None
    # A condition every record counted meets anyway, added to its list's query only so that the database finds a
    # page by a narrower index (an attendance row lies at its meeting's node: a county's study rows are found from
    # its own meetings, not by walking a province's meetings newest first).
    listing_where: Callable[[FigureScope], Q] | None = None
    # Whether what it counts at a node depends on records below the node (a branch's 三会一课 gaps on its 党小组's
    # meetings): the node's own part of a composed value is then kept under its subtree's generation, not under
    # the generation of the records at the node (Composition).
    own_reads_below: bool = False

    @property
    def group_path(self) -> str | models.Expression:
        """The path column (or expression) that places a record in the tree, for ``evaluate_by_child``."""
        if self.path_field is not None:
            return self.path_field
        names = {f.name for f in self.model._meta.get_fields()}
        return "org_path" if "org_path" in names else "path"

    @property
    def is_rate(self) -> bool:
        return self.total_where is not None

    @property
    def view_capability(self) -> str:
        return self.capability or f"{self.model.scope_capability}.view"

    def records(self, scope: FigureScope) -> models.QuerySet:
        return self.model._default_manager.filter(self.where(scope))

    def total_records(self, scope: FigureScope) -> models.QuerySet:
        if self.total_where is None:
            raise ValueError(f"{self.key} 不是比率")
        return self.model._default_manager.filter(self.total_where(scope))

    def evaluate(self, scope: FigureScope, *, fresh: bool = False) -> FigureValue:
        return evaluate_many([self], scope, fresh=fresh)[self.key]


@dataclass
class FigureValue:
    """A figure's value for one scope: the count (or sum) of its records and, for a rate, the total."""

    figure: FigureDef
    scope: FigureScope
    count: int | Decimal | float
    total: int | None = None
    read_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def value(self) -> float | int | Decimal | None:
        """The number itself: the count, or the rate in per cent (None when the denominator is 0)."""
        if not self.figure.is_rate:
            return self.count
        return None if not self.total else round(self.count * 100 / self.total, 1)

    @property
    def display(self) -> str:
        value = self.value
        if value is None:
            return "—"
        if self.figure.is_rate:
            return f"{value:.1f}%"
        if isinstance(value, Decimal | float):
            return f"{value:.1f}".rstrip("0").rstrip(".")
        return str(value)

    @property
    def text(self) -> str:
        """The value with its unit, for prose: “12项”, “85.0%”."""
        return self.display if self.figure.is_rate or self.value is None else f"{self.display}{self.figure.unit}"


REGISTRY: dict[str, FigureDef] = {}


def register(*figures: FigureDef) -> None:
    for fig in figures:
        if fig.key in REGISTRY and REGISTRY[fig.key] != fig:
            raise ValueError(f"统计数字 {fig.key} 重复定义")
        REGISTRY[fig.key] = fig
        watch(fig.model._meta.app_label)


def get(key: str) -> FigureDef:
    """The figure with this key; ``KeyError`` when there is none."""
    return REGISTRY[key]


def by_module() -> dict[str, list[FigureDef]]:
    out: dict[str, list[FigureDef]] = defaultdict(list)
    for fig in REGISTRY.values():
        out[fig.module].append(fig)
    return dict(out)


def _aggregates(items: Iterable[tuple[int, FigureDef, FigureScope]]) -> tuple[dict, Q]:
    """The conditional aggregates of several (alias, figure, scope) on one model, and the union of their
    conditions (the rows the query reads)."""
    aggregates, union = {}, Q()
    for alias, fig, scope in items:
        where = fig.where(scope)
        union |= where
        aggregates[f"n{alias}"] = Sum(fig.measure, filter=where) if fig.measure else Count("pk", filter=where)
        if fig.total_where is not None:
            total = fig.total_where(scope)
            union |= total
            aggregates[f"t{alias}"] = Count("pk", filter=total)
    return aggregates, union


def evaluate_pairs(pairs: Sequence[tuple[FigureDef, FigureScope]], *, fresh: bool = False) -> list[FigureValue]:
    """The values of figures each over its own scope (one figure over five years, say), in the order given: one
    aggregate query per model, whatever the number of pairs, kept in the values' cache (figure_cache.cached);
    a node's value above FIGURES_COMPOSE_DEPTH is composed of its children's (``subtree_values``)."""
    out: list[FigureValue | None] = [None] * len(pairs)
    composed: dict[tuple[str, Period], list[tuple[int, FigureDef]]] = defaultdict(list)
    by_model: dict[type, list[tuple[int, FigureDef, FigureScope]]] = defaultdict(list)
    for i, (fig, scope) in enumerate(pairs):
        if not fresh and composes(fig, scope):
            composed[(scope.paths[0], scope.period)].append((i, fig))
        else:
            by_model[fig.model].append((i, fig, scope))
    for (path, period), items in composed.items():
        values = subtree_values([fig for _, fig in items], path, period)
        for i, fig in items:
            out[i] = values[fig.key]
    for model, items in by_model.items():
        ident = "|".join([model._meta.label, *(f"{fig.key}@{scope.period.key}@{','.join(scope.paths)}"
                                               f"@{','.join(scope.nodes)}@{scope.person_id}"
                                               for _, fig, scope in items)])

        # aliases by position within the model's items, so that a cached row serves the same items in any call
        local = [(j, fig, scope) for j, (_, fig, scope) in enumerate(items)]

        def read(local=local, model=model):
            aggregates, union = _aggregates(local)
            return model._default_manager.filter(union).aggregate(**aggregates)
        paths = {p for _, _, scope in items for p in (*scope.paths, *scope.nodes)}
        row, read_at = cached(ident, read, fresh=fresh, paths=sorted(paths))
        for j, (i, fig, scope) in enumerate(items):
            out[i] = FigureValue(fig, scope, row[f"n{j}"] or 0, row.get(f"t{j}"), read_at)
    return out


def evaluate_many(figures: Iterable[FigureDef], scope: FigureScope, *, fresh: bool = False
                  ) -> dict[str, FigureValue]:
    """The values of several figures: one aggregate query per model, whatever the number of figures (a figure
    kept by counters: one read of its counters). Values are kept FIGURES_CACHE_SECONDS with the time they were
    read (figure_cache.cached); ``fresh`` reads the database whatever is cached (a figure's own page, whose
    value must match the records it lists)."""
    out: dict[str, FigureValue] = {}
    now = timezone.now()
    counters: dict = {}  # one read of the counters per counting function
    plain = []
    for fig in figures:
        if fig.counted is not None:
            if fig.counted not in counters:
                counters[fig.counted] = fig.counted(scope)
            out[fig.key] = FigureValue(fig, scope, counters[fig.counted][fig.key], None, now)
        else:
            plain.append((fig, scope))
    out.update({value.figure.key: value for value in evaluate_pairs(plain, fresh=fresh)})
    return out


def _grouped(figs: Iterable[FigureDef], scope: FigureScope, child_path_len: int) -> dict[str, dict[str, tuple]]:
    """(count, total) of each figure for each group of the scope's records by the first ``child_path_len``
    characters of their path column: child path → key → (count, total). One aggregate query per model (and path
    column); a record of the parent node itself comes under the parent's own (shorter) path."""
    groups: dict[tuple[type, str], list[tuple[int, FigureDef, FigureScope]]] = defaultdict(list)
    for i, fig in enumerate(figs):
        groups[(fig.model, fig.group_path)].append((i, fig, scope))
    out: dict[str, dict[str, tuple]] = defaultdict(dict)
    for (model, path_field), items in groups.items():
        aggregates, union = _aggregates(items)
        rows = (model._default_manager.filter(union).annotate(dash_child=Substr(path_field, 1, child_path_len))
                .order_by().values("dash_child").annotate(**aggregates))
        for row in rows:
            for i, fig, _ in items:
                out[row["dash_child"]][fig.key] = (row[f"n{i}"] or 0, row.get(f"t{i}"))
    return dict(out)


def evaluate_by_child(figs: Iterable[FigureDef], parent_path: str, child_path_len: int,
                      period: Period) -> dict[str, dict[str, FigureValue]]:
    """The values of figures for each child subtree of a node: child path → key → value.

    Tree paths have a fixed length per level (orgs.Org.steplen), so a record's child subtree is the first
    ``child_path_len`` characters of its path column: one aggregate query per model (and path column) groups
    the parent's records by that prefix, whatever the number of children (``_grouped``). The children of a node
    whose values are composed are the parts of its own value (``subtree_values``), read from the cache.
    """
    scope = FigureScope((parent_path,), period)
    figs = [fig for fig in figs if not fig.personal]
    out: dict[str, dict[str, FigureValue]] = defaultdict(dict)
    now = timezone.now()
    for counted in {fig.counted for fig in figs if fig.counted is not None}:
        for child, values in counted(scope, child_path_len).items():
            for fig in figs:
                if fig.counted is counted:
                    out[child][fig.key] = FigureValue(fig, FigureScope((child,), period), values[fig.key], None, now)
    composed = [fig for fig in figs if composes(fig, scope)]
    if composed:
        for child, parts in _composed_parts(composed, parent_path, period)[1].items():
            for fig in composed:
                out[child][fig.key] = FigureValue(fig, FigureScope((child,), period), *parts[fig.key])
    rest = [fig for fig in figs if fig.counted is None and fig not in composed]
    for child, values in _grouped(rest, scope, child_path_len).items():
        for fig in rest:
            if fig.key in values:
                out[child][fig.key] = FigureValue(fig, FigureScope((child,), period), *values[fig.key], now)
    return dict(out)


# ---- Composition: a high node's value is its own records' and its children's, each kept under its own subtree ---

# At most this many children read again one by one (a few changed since they were read); more are grouped in one
# query over the node's subtree, so that the number of queries never grows with the number of children.
FEW_CHILDREN = 2


def _depth(path: str) -> int:
    return len(path) // path_step()


def composed_at(path: str) -> bool:
    """Whether values for the subtree at ``path`` are composed of its own node's and its children's: for a node
    above FIGURES_COMPOSE_DEPTH, while values are cached (and this transaction has changed none:
    figure_cache.changing)."""
    return seconds() > 0 and _depth(path) < settings.FIGURES_COMPOSE_DEPTH and not changing()


def composes(fig: FigureDef, scope: FigureScope) -> bool:
    """Whether the figure's value for the scope is composed of its children's: an additive figure read from its
    records, for one node where values are composed."""
    return (fig.additive and not fig.personal and fig.counted is None and len(scope.paths) == 1
            and not scope.nodes and scope.person_id is None and composed_at(scope.paths[0]))


def child_paths(path: str) -> list[tuple[str, bool]]:
    """The paths of the node's children (inactive ones too: their records still count), each with whether it has
    children of its own; kept under the global generation, which every change to the tree starts (a node saved or
    deleted has no path of its own to the figure cache, and the orgs' bulk changes report none), so that a change
    to the records below the node does not read them again."""
    return child_paths_of([path])[path]


def child_paths_of(paths: Sequence[str]) -> dict[str, list[tuple[str, bool]]]:
    """``child_paths`` of several nodes: those not kept are read in one query."""
    def read(missing: list[str]) -> dict[str, list[tuple[str, bool]]]:
        org = apps.get_model("orgs", "Org")
        under = reduce(operator.or_, (Q(path__pathprefix=p) for p in missing))
        out: dict[str, list[tuple[str, bool]]] = {p: [] for p in missing}
        rows = (org.objects.filter(under, depth__in={_depth(p) + 1 for p in missing}).order_by("path")
                .values_list("path", "numchild"))
        for child, numchild in rows:
            if (parent := child[:-org.steplen]) in out:
                out[parent].append((child, numchild > 0))
        return out
    return cached_each("child-paths", list(paths), read, subtree=False) if paths else {}


def _zero(fig: FigureDef) -> tuple:
    return (0, 0 if fig.is_rate else None)


def _add(fig: FigureDef, parts: Iterable[tuple]) -> tuple:
    """(count, total, read at) of the union of disjoint parts: the sums, read when the oldest part was read."""
    parts = list(parts)
    total = sum(p[1] or 0 for p in parts) if fig.is_rate else None
    return (sum(p[0] or 0 for p in parts), total, min(p[2] for p in parts))


def subtree_values(figs: Sequence[FigureDef], path: str, period: Period) -> dict[str, FigureValue]:
    """The figures' values for the subtree at ``path``: the sum of its own records' and of each child subtree's
    (a record lies in exactly one of them), each part kept under the generation of its own subtree."""
    scope = FigureScope((path,), period)
    return {fig.key: FigureValue(fig, scope, *part) for fig, part in zip(figs, _subtree_parts(figs, path, period),
                                                                          strict=True)}


def _part_key(kind: str, node: str, gens: dict, period: Period) -> str:
    """The cache key of one part of a composed value: a node's own records ("own", kept under their own
    generation; "own-below" for the figures whose own part reads below the node) or its subtree ("tree")."""
    day = timezone.localdate().isoformat()
    generation = gens[("own", node)] if kind == "own" else gens[node]
    return f"dangjian:figures:part:{kind}:{gens[None]}:{generation}:{day}:{period.key}:{node}"


def _own_kind(fig: FigureDef) -> str:
    return "own-below" if fig.own_reads_below else "own"


def _subtree_parts(figs: Sequence[FigureDef], path: str, period: Period) -> list[tuple]:
    """Each figure's (count, total, read at) for the subtree, kept as the subtree's part of its parent's value."""
    own, children, gens = _composed_parts(figs, path, period)
    parts = [_add(fig, [own[fig.key], *(child[fig.key] for child in children.values())]) for fig in figs]
    key = _part_key("tree", path, gens, period)
    kept = get_values([key]).get(key) or {}
    set_values({key: {**kept, **{fig.key: part for fig, part in zip(figs, parts, strict=True)}}})
    return parts


def _composed_parts(figs: Sequence[FigureDef], path: str, period: Period
                    ) -> tuple[dict[str, tuple], dict[str, dict[str, tuple]], dict]:
    """(the node's own records' part by key, each child subtree's value by child and key, each (count, total,
    read at); the generations they were read under). What is not cached is read: the own part and up to
    FEW_CHILDREN changed children one by one (a child that composes, by its own parts, which keeps them), or else
    every child in one grouped query over the subtree. The own part is kept under the generation of the records
    at the node: a change below it does not read it again (but for the figures whose own part reads below)."""
    listed = child_paths(path)
    children = [child for child, _ in listed]
    # a child is read by its own parts only if it has parts (a leaf is read in the one grouped query)
    parents = {child for child, has_children in listed if has_children and _depth(child) < settings.FIGURES_COMPOSE_DEPTH}
    gens = generations([path, *children], own=[path])
    # one entry per part (the node's own records, each child subtree): its figures' values by key
    own_parts = [(kind, path) for kind in ("own", "own-below")]
    wanted = {(kind, node): _part_key(kind, node, gens, period)
              for kind, node in [*own_parts, *(("tree", c) for c in children)]}
    got = get_values(list(wanted.values()))
    have = {part: dict(got.get(k, {})) for part, k in wanted.items()}

    def own_of(fig):
        return have[(_own_kind(fig), path)]
    # only the figures with a part not cached are read (another page may have read the others already)
    unread = [fig for fig in figs if fig.key not in own_of(fig)
              or any(fig.key not in have[("tree", c)] for c in children)]
    missing = [c for c in children if any(fig.key not in have[("tree", c)] for fig in unread)]
    one_by_one = [c for c in missing if c in parents] if len(missing) <= FEW_CHILDREN else []
    batch = [c for c in missing if c not in one_by_one]
    own_unread = [fig for fig in unread if fig.key not in own_of(fig)]
    read: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    if batch or own_unread:
        whole = len(batch) > FEW_CHILDREN
        scope = FigureScope((path,), period) if whole else FigureScope(tuple(batch), period, nodes=(path,))
        grouped = unread if batch else own_unread
        values, now = _grouped(grouped, scope, len(path) + path_step()), timezone.now()
        for fig in grouped:
            read[(_own_kind(fig), path)][fig.key] = (*values.get(path, {}).get(fig.key, _zero(fig)), now)
            for child in children if whole else batch:
                read[("tree", child)][fig.key] = (*values.get(child, {}).get(fig.key, _zero(fig)), now)
    if read:
        for part, values in read.items():
            have[part].update(values)
        set_values({wanted[part]: have[part] for part in read})
    for child in one_by_one:  # kept by _subtree_parts itself
        have[("tree", child)].update(zip((fig.key for fig in unread), _subtree_parts(unread, child, period),
                                         strict=True))
    own = {fig.key: own_of(fig)[fig.key] for fig in figs}
    return own, {c: {fig.key: have[("tree", c)][fig.key] for fig in figs} for c in children}, gens


def values_for(keys: Iterable[str], scope: FigureScope) -> dict[str, FigureValue]:
    """Values by key; unknown keys are left out (callers say so in place)."""
    return evaluate_many([REGISTRY[k] for k in keys if k in REGISTRY], scope)


def roots_for(user, fig: FigureDef) -> tuple[str, ...]:
    """The subtrees in which the user reads the figure: where they hold its view capability, and its
    ``extra_roots``."""
    roots = list(scope_roots(user, fig.view_capability))
    if fig.extra_roots is not None:
        roots += [p for p in fig.extra_roots(user) if not any(p.startswith(r) for r in roots)]
    return tuple(roots)


def node_in_scope(user, fig: FigureDef, path: str) -> bool:
    """Whether the user reads the figure for the node at ``path``."""
    extra = fig.extra_roots(user) if fig.extra_roots is not None else ()
    return path_in_scope(user, fig.view_capability, path) or any(path.startswith(p) for p in extra)


def figure_url(key: str, *, node_id: int | None = None, period: Period | None = None, part: str = "") -> str:
    """The figure's page: its value, its definition and the records behind it."""
    params = {k: v for k, v in (("node", node_id), ("period", period.key if period else None),
                                  ("part", part)) if v}
    return f"/figures/{key}/" + (f"?{urlencode(params)}" if params else "")


def maker(module: str, model: type[models.Model], **defaults) -> Callable[..., FigureDef]:
    """A builder of one module's figures of one model: ``make("tasks.done", label, definition, where, ...)``
    gives the figure ``<module>.tasks.done`` with the shared defaults (unit, columns, related, link…)."""
    def make(key: str, label: str, definition: str, where: Callable[[FigureScope], Q], **kwargs) -> FigureDef:
        return FigureDef(key=f"{module}.{key}", label=label, definition=definition, module=module, model=model,
                         where=where, **{**defaults, **kwargs})
    return make

def absolute_figure_url(key: str, *, node_id: int | None = None, period: Period | None = None,
                        part: str = "") -> str:
    """The figure's page as a full address on the site (``settings.DANGJIAN_SITE_URL``), for documents: a
    .docx opened on a desktop links each number to its records in the system."""
    return settings.DANGJIAN_SITE_URL.rstrip("/") + figure_url(key, node_id=node_id, period=period, part=part)
