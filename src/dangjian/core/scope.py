"""Org scope: the one mechanism deciding which records a user may read or change (docs/architecture.md).

A role assignment grants a role on an org node and, optionally, its subtree. Every read goes
through ``Model.objects.visible_to(user, action)``, which turns the user's grants into one SQL
condition of path-prefix tests on the record's own ``org_path`` column(s) — no join, no list of
ids. Users always see the records they are party to (``self_field``: the own-record rule, one path or several
— the meetings they were expected at or attended, the matters they own or lead, the letters they signed).

Core sits below the modules that hold the grants (accounts) and the org tree (orgs), so it reads them
through a ``ScopeSource`` those apps provide when they are ready (``provide_grants``, ``provide_tree_roots``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.db.models.lookups import StartsWith
from django.dispatch import Signal
from django.http import Http404

_GRANTS_CACHE_ATTR = "_dangjian_grants"
_OWN_CACHE_ATTR = "_dangjian_own_ids"


def ancestor_paths(path: str, step: int) -> list[str]:
    """The paths of a node and of every node above it, the root first (``step``: the length of one level)."""
    return [path[: i] for i in range(step, len(path) + 1, step)]


@models.CharField.register_lookup
class PathPrefix(StartsWith):
    """``path__pathprefix=p``: the record lies in the subtree whose path is ``p``.

    PostgreSQL: ``LIKE 'p%'``, which the pattern-ops indexes serve. SQLite's LIKE is case-insensitive
    and never uses an index, so there it is the equivalent range ``p <= path < p || '~'`` (tree paths
    are made of 0-9 and A-Z, all below '~'), which the plain index on the path column serves.
    """

    lookup_name = "pathprefix"

    def as_sql(self, compiler, connection):
        # exactly Django's startswith (its operator, pattern escaping and PostgreSQL's ::text cast)
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection):
        if not isinstance(self.rhs, str):
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, self.rhs, *lhs_params, self.rhs + "~"]


@dataclass(frozen=True)
class Grant:
    role: str
    org_id: int
    org_path: str
    subtree: bool


@dataclass
class ScopeSource:
    """Where scope reads what lives above core: filled in by the apps' ``ready()``."""

    # user id → the user's current grants as (role, org_id, org_path, include_subtree) rows (accounts)
    load_grants: Callable[[int], Iterable[tuple[str, int, str, bool]]] | None = None
    # (role, capability) → whether the role table gives the role that capability (accounts)
    role_has: Callable[[str, str], bool] | None = None
    # the paths of the org tree's root nodes (orgs)
    tree_roots: Callable[[], list[str]] | None = None


SOURCE = ScopeSource()


def provide_grants(load_grants, role_has) -> None:
    SOURCE.load_grants, SOURCE.role_has = load_grants, role_has


def provide_tree_roots(tree_roots) -> None:
    SOURCE.tree_roots = tree_roots


def grants_for(user) -> list[Grant]:
    """The user's current role grants, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _GRANTS_CACHE_ATTR, None)
    if cached is None:
        cached = [Grant(*row) for row in SOURCE.load_grants(user.pk)]
        setattr(user, _GRANTS_CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    for attr in (_GRANTS_CACHE_ATTR, _OWN_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def grants_with(user, capability: str) -> list[Grant]:
    return [g for g in grants_for(user) if SOURCE.role_has(g.role, capability)]


def has_capability(user, capability: str) -> bool:
    """Whether the user holds the capability anywhere (for menus and global actions)."""
    return bool(grants_with(user, capability))


def _collapse(grants: list[Grant]) -> list[Grant]:
    """Drop grants already covered by a subtree grant, so the SQL condition stays short."""
    subtrees = sorted({g.org_path for g in grants if g.subtree}, key=len)
    kept_subtrees: list[str] = []
    for path in subtrees:
        if not any(path.startswith(p) for p in kept_subtrees):
            kept_subtrees.append(path)
    singles = {g.org_path for g in grants if not g.subtree}
    singles = {p for p in singles if not any(p.startswith(s) for s in kept_subtrees)}
    return [Grant("", 0, p, True) for p in kept_subtrees] + [Grant("", 0, p, False) for p in sorted(singles)]


def path_condition(user, capability: str, path_fields: tuple[str, ...]) -> Q:
    """One Q of path-prefix tests for the nodes where the user holds ``capability``."""
    q = Q()
    for grant in _collapse(grants_with(user, capability)):
        for field in path_fields:
            lookup = f"{field}__pathprefix" if grant.subtree else field
            q |= Q(**{lookup: grant.org_path})
    return q if q else Q(pk__in=[])


def path_in_scope(user, capability: str, path: str) -> bool:
    """Whether a node (by its path) lies within the user's grants for ``capability``."""
    return any(
        path.startswith(g.org_path) if g.subtree else path == g.org_path for g in grants_with(user, capability)
    )


def paths_in(queryset, names: Iterable[str]) -> set[str]:
    """The values the rows of ``queryset`` hold in the path columns ``names`` (none of them "")."""
    rows = queryset.order_by().values_list(*names).distinct()  # no Meta.ordering in the DISTINCT
    paths = {path for row in rows for path in row}
    paths.discard("")
    return paths


def under_subtree_grant(user, capability: str, path: str) -> bool:
    """Whether the node at ``path`` and its whole subtree lie within a subtree grant of ``capability``."""
    return any(g.subtree and path.startswith(g.org_path) for g in grants_with(user, capability))


def scope_roots(user, capability: str) -> list[str]:
    """The top-most paths the user holds ``capability`` on (for dashboards and pickers)."""
    return [g.org_path for g in _collapse(grants_with(user, capability))]


def own_paths(model) -> tuple[str, ...]:
    """The model's own-record paths (``self_field``: one path or several) to the user who is party to it."""
    paths = model.self_field or ()
    return (paths,) if isinstance(paths, str) else tuple(paths)


def _crosses_many(model, path: str) -> bool:
    for part in path.split("__")[:-1]:
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def _own_ids(model, field: str, user) -> list:
    """The ids of ``model`` rows whose ``field`` is the user (their person, say), once per request."""
    cache = user.__dict__.setdefault(_OWN_CACHE_ATTR, {})
    key = (model._meta.label_lower, field)
    if key not in cache:
        cache[key] = list(model._base_manager.filter(**{field: user.pk}).values_list("pk", flat=True))
    return cache[key]


def own_condition(model, user) -> Q:
    """The records the user is party to, by every own-record path of the model.

    Each path is turned into an equality on indexed columns: ``owner__user`` becomes ``owner`` in the user's
    person ids (read once per request), and a path through a one-to-many or many-to-many relation (a
    meeting's attendance rows, a matter's co-owners) becomes the record's own ids, read first. A join would
    repeat rows, and an OR with a join or a sub-select would stop the path index from being used.
    """
    q = Q()
    for path in own_paths(model):
        if _crosses_many(model, path):
            q |= Q(pk__in=list(model._base_manager.filter(**{path: user.pk}).values_list("pk", flat=True)))
        elif "__" in path:
            prefix, field = path.rsplit("__", 1)
            target = model
            for part in prefix.split("__"):
                target = target._meta.get_field(part).related_model
            q |= Q(**{f"{prefix}__in": _own_ids(target, field, user)})
        else:
            q |= Q(**{path: user.pk})
    return q


def scope_conditions(model, user, action: str = "view") -> list[Q]:
    """The conditions whose union is ``visible_to``: one per path column, then the user's own
    records (for pagers that read each condition on its own, e.g. orgs.paging)."""
    capability = f"{model.scope_capability}.{action}"
    conditions = [path_condition(user, capability, (field,)) for field in model.scope_paths]
    if model.self_field and action == "view":
        conditions.append(own_condition(model, user))
    return conditions


# Sent after a bulk change of records (``QuerySet.update``, ``bulk_create``, and ``bulk_update``, which updates),
# which sends no post_save: ``paths``, the values their path columns held before and hold after (None when that
# cannot be told). Only the models with a receiver pay the read of their paths (the figures' cache: figure_cache).
bulk_changed = Signal()


class BulkReportingQuerySet(models.QuerySet):
    """A queryset whose bulk changes send ``bulk_changed`` with the paths they touched (``path_columns``)."""

    path_columns: tuple[str, ...] = ()  # a record's path columns; none: its node cannot be told

    def update(self, **kwargs):
        if not bulk_changed.has_listeners(self.model):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            paths = self._paths_before(kwargs)
            updated = super().update(**kwargs)
        if updated:
            bulk_changed.send(sender=self.model, paths=paths)
        return updated

    def _paths_before(self, kwargs) -> set[str] | None:
        """The paths of the rows about to change, and any path set by the change; None when one is unknown (no
        path columns, or a path set by an expression: a tree move)."""
        names = self.path_columns
        fields = {self.model._meta.get_field(name) for name in names}
        if not names or any(not isinstance(value, str) for field in fields for key, value in kwargs.items()
                            if key in (field.name, field.attname)):
            return None
        return paths_in(self, names) | {kwargs[n] for n in names if kwargs.get(n)}

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        if objs and bulk_changed.has_listeners(self.model):
            paths = {getattr(obj, name) or "" for obj in objs for name in self.path_columns}
            paths.discard("")
            bulk_changed.send(sender=self.model, paths=paths if self.path_columns and paths else None)
        return created


class ScopedQuerySet(BulkReportingQuerySet):
    @property
    def path_columns(self) -> tuple[str, ...]:
        return tuple(self.model.scope_paths)

    def reads_all_under(self, user, paths: Iterable[str]) -> bool:
        """Whether ``visible_to(user)`` holds every record whose path lies in the subtrees at ``paths``: each lies
        in a subtree the user holds the view capability on (a model whose reading asks more says no)."""
        return all(under_subtree_grant(user, f"{self.model.scope_capability}.view", path) for path in paths)

    def visible_to(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q()
        for condition in scope_conditions(self.model, user, action):
            q |= condition
        return self.filter(q)


def get_visible_or_404(queryset, user, pk, action: str = "view"):
    """The record if the user may ``action`` it; 404 when they may not even see it, 403 otherwise.

    A record outside the user's scope is indistinguishable from one that does not exist.
    """
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.visible_to(user, action).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        pass
    if action != "view":
        obj = queryset.visible_to(user, "view").filter(pk=pk).first() if _valid_pk(pk) else None
        if obj is not None:
            raise PermissionDenied(f"无权对“{obj}”执行此操作")
    raise Http404("记录不存在或不在您的权限范围内")


def _valid_pk(pk) -> bool:
    try:
        return 0 < int(pk) < 2**63
    except (TypeError, ValueError):
        return False


def holds_everywhere(user, capability: str) -> bool:
    """Whether the user holds the capability over the whole tree (every root's subtree): for
    agency-wide settings, which a grant limited to one branch must not change."""
    subtrees = [g.org_path for g in grants_with(user, capability) if g.subtree]
    if not subtrees:  # most users: no query
        return False
    roots = SOURCE.tree_roots()
    return bool(roots) and all(any(root.startswith(p) for p in subtrees) for root in roots)


def require_everywhere(user, capability: str, *, what: str = "") -> None:
    if not holds_everywhere(user, capability):
        raise PermissionDenied(f"无权执行此操作：{what}（须在全单位范围内持有该权限）")


def require_capability(user, capability: str, *, path: str | None = None, what: str = "") -> None:
    """Raise PermissionDenied unless the user holds the capability (on ``path`` if given)."""
    ok = path_in_scope(user, capability, path) if path is not None else has_capability(user, capability)
    if not ok:
        raise PermissionDenied(f"无权执行此操作{('：' + what) if what else ''}")
