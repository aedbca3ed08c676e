"""Route-matrix specs for the API of 考评 (registered into tests/test_route_matrix.py SPECS): every signed-in user
reads their own results and 作风台账 (possibly empty); nobody reads another's here."""

from __future__ import annotations

from django.urls import reverse


def _m():
    from tests import route_matrix as m

    return m


def spec_my_evaluations(ctx, role):
    m = _m()
    return [m.Case("api my evaluations", "GET", reverse("api:my_evaluations"), role != m.ANON)]


def spec_my_conduct(ctx, role):
    m = _m()
    url = reverse("api:my_conduct")
    return [m.Case("api my conduct", "GET", url, role != m.ANON),
            m.Case("api my conduct bad year", "GET", f"{url}?year={m.HUGE}", False, denied=(401, 422))]


SPECS = {"api:my_evaluations": spec_my_evaluations, "api:my_conduct": spec_my_conduct}
API_METHODS = {"my_evaluations": {"GET"}, "my_conduct": {"GET"}}
