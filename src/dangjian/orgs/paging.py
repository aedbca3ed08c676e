"""Pages of the roster without an OR of path ranges in SQL (province scale, PostgreSQL).

A person is visible through either of two path columns (their unit's and their branch's), so
``visible_to`` is ``org_path LIKE 'X%' OR branch_path LIKE 'X%' OR user = me``. Ordered and
limited, PostgreSQL can answer such an OR only by reading every matching row (bitmap scan and
sort), or — worse — by walking the whole org_path index in order (1.4 s for the last city of a
2,000,000-member province). Here the same set is split into disjoint "arms", one per condition
(arm i = condition i and none of the earlier ones): each arm is counted on its own, and each
gives its first ``offset + per_page`` keys (org_path, id) in order — the first arm straight from
the org_path index range — which are merged in Python. A page is then fetched by id. The set,
the order and the count are exactly those of ``visible_to`` with the same filters; the number of
queries depends only on how many conditions the user's grants make, not on the page or level.
"""

from __future__ import annotations

import heapq
from itertools import islice

from django.core.paginator import Paginator
from django.db.models import F
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


class ArmsPaginator(Paginator):
    """A Paginator over disjoint querysets, ordered by (org_path, id) across all of them."""

    def __init__(self, arms: list, per_page: int):
        super().__init__(arms[0], per_page)
        self.arms = arms

    @cached_property
    def count(self) -> int:
        return sum(arm.count() for arm in self.arms)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count:
            return self._get_page([], number, self)
        keyed = []
        for i, arm in enumerate(self.arms):
            # The first arm is a range of org_path and is read in index order. The others are
            # ordered by an expression no index serves (same order: paths are 0-9A-Z), so that
            # PostgreSQL sorts their rows rather than walk the whole org_path index to find them.
            order = ("org_path", "id") if i == 0 else (Lower("org_path"), "id")
            keyed.append(list(arm.order_by(*order).values_list("org_path", "id")[:top]))
        ids = [pk for _, pk in islice(heapq.merge(*keyed), bottom, top)]
        found = self.arms[0].model.objects.select_related("org", "branch").in_bulk(ids)
        return self._get_page([found[pk] for pk in ids], number, self)
