"""Pages of the roster without an OR of path ranges in SQL (province scale, PostgreSQL).

A person is visible through either of two path columns (their unit's and their branch's), so
``visible_to`` is ``org_path LIKE 'X%' OR branch_path LIKE 'X%' OR user = me``. Ordered and
limited, PostgreSQL can answer such an OR only by reading every matching row (bitmap scan and
sort), or — worse — by walking the whole org_path index in order (1.4 s for the last city of a
2,000,000-member province). Here the same set is split into disjoint "arms", one per condition
(arm i = condition i and none of the earlier ones): each arm is counted on its own, and a page's
keys (org_path, id) come from one UNION ALL of the arms — seeking from the neighbouring page's
last key (next/previous), or ordered and cut by LIMIT/OFFSET in the database (a jump) — the first
arm straight from the org_path index range. A page is then fetched by id. The set, the order and
the count are exactly those of ``visible_to`` with the same filters; the number of queries depends
only on how many conditions the user's grants make, and the work not on the page's number.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from dangjian.core.scope import scope_conditions


def person_arms(user, queryset, action: str = "view") -> list:
    """``queryset`` (not yet scoped) split into disjoint querysets whose union is visible_to(user),
    one arm per condition of the model's own scope (core.scope.scope_conditions)."""
    model = queryset.model
    if not getattr(user, "is_authenticated", False):
        return [queryset.none()]
    conditions = scope_conditions(model, user, action)
    arms = []
    for i, condition in enumerate(conditions):
        arm = queryset.filter(condition)
        for earlier in conditions[:i]:
            arm = arm.exclude(earlier)
        if 0 < i < len(model.scope_paths):
            # Redundant (whoever's branch is their unit is in the first arm already), but it lets
            # PostgreSQL read only the people whose branch differs from their unit (a partial index).
            arm = arm.exclude(**{model.scope_paths[i]: F(model.scope_paths[0])})
        arms.append(arm)
    return arms


def parse_key(value: str | None) -> tuple[str, int] | None:
    """A page cursor from the URL, ``<org_path>.<id>``; anything else is no cursor (the page number serves)."""
    path, _, pk = (value or "").rpartition(".")
    if not path or len(path) > 255 or not pk.isdigit() or len(pk) > 18 or not all(c in KEY_CHARS for c in path):
        return None
    return path, int(pk)


KEY_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class ArmsPaginator(Paginator):
    """A Paginator over disjoint querysets, ordered by (org_path, id) across all of them.

    Whatever the page, one COUNT per arm, one query for the page's keys and one for its rows:
    - next / previous (``after`` / ``before``, the key of the row next to the page): a seek from that key,
      each arm from its index range, so page 2,000 costs what page 2 does;
    - a jump to a page number: one UNION ALL of the arms, ordered and cut by LIMIT/OFFSET in the database,
      read from whichever end is nearer (the last page is the first rows of the descending order).
    """

    def __init__(self, arms: list, per_page: int):
        super().__init__(arms[0], per_page)
        self.arms = arms

    @cached_property
    def count(self) -> int:
        return sum(arm.count() for arm in self.arms)

    def get_page(self, number, after: str | None = None, before: str | None = None):
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        return self.page(number, after=after, before=before)

    def page(self, number, after: str | None = None, before: str | None = None):
        number = self.validate_number(number)
        if not self.count:
            return self._page_of([], number)
        after_key, before_key = parse_key(after), parse_key(before)
        keys = []
        if after_key:
            keys = self._keys(Q(org_path__gt=after_key[0]) | Q(org_path=after_key[0], id__gt=after_key[1]),
                              Q(org_path__gte=after_key[0]), ("org_path", "id"), 0)
        elif before_key:
            keys = self._keys(Q(org_path__lt=before_key[0]) | Q(org_path=before_key[0], id__lt=before_key[1]),
                              Q(org_path__lte=before_key[0]), ("-org_path", "-id"), 0)[::-1]
        if not keys:  # a jump, or a cursor that leads nowhere any more (the rows changed): by the number
            bottom = (number - 1) * self.per_page
            top = min(bottom + self.per_page, self.count)
            if bottom <= self.count - top:
                keys = self._keys(None, None, ("org_path", "id"), bottom)
            else:  # nearer the end: the first rows of the descending order
                keys = self._keys(None, None, ("-org_path", "-id"), self.count - top)[: top - bottom][::-1]
        ids = [pk for _, pk in keys]
        found = self.arms[0].model.objects.select_related("org", "branch").in_bulk(ids)
        return self._page_of([found[pk] for pk in ids if pk in found], number)

    def _keys(self, seek, start, order, offset: int) -> list[tuple[str, int]]:
        """One query: the (org_path, id) keys of up to per_page rows of all arms, in ``order``, after
        ``offset`` rows; ``seek`` limits them to one side of a cursor and ``start`` opens the index range
        there (``org_path >= p`` is an index bound; the OR that makes it exact is not)."""
        parts = []
        for i, arm in enumerate(self.arms):
            if seek is not None:
                arm = arm.filter(start).filter(seek)
            part = arm.order_by().values_list("org_path", "id")
            if len(self.arms) > 1 and connection.features.supports_slicing_ordering_in_compound:
                # PostgreSQL answers a bare UNION ALL under ORDER BY … LIMIT by sorting every row of every
                # arm (3 s for a province of 2,000,000): each arm is ordered and cut first, the first read
                # in its index order, the others by an expression no index serves (same order: paths are
                # 0-9A-Z), so that they are sorted rather than found by walking the whole org_path index.
                # SQLite merges the arms' ordered scans by itself (and allows no ORDER BY inside).
                path = F("org_path") if i == 0 else Lower("org_path")
                desc = order[0].startswith("-")
                part = part.order_by(path.desc() if desc else path.asc(), order[1])[: offset + self.per_page]
            parts.append(part)
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return list(union.order_by(*order)[offset: offset + self.per_page])

    def _page_of(self, objects: list, number: int):
        page = self._get_page(objects, number, self)
        # the cursors of the pager's links (pagination.html): the keys of this page's last and first rows
        page.after = f"{objects[-1].org_path}.{objects[-1].pk}" if objects and page.has_next() else ""
        page.before = f"{objects[0].org_path}.{objects[0].pk}" if objects and page.has_previous() else ""
        return page
