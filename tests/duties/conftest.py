import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    # Rule values are cached; a test's rolled-back rule change must not leak into the next test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency(demo):
    """The demo agency's people and sections as the duties tests use them."""
    from dangjian.duties.models import Duty, DutyKind
    from dangjian.orgs.models import Person

    orgs = demo["orgs"]
    primary = Duty.objects.current().get(kind=DutyKind.PRIMARY)
    banzi = Person.objects.get(user__username="banzi")
    return {
        **demo, "root": orgs["SXX"], "finance": orgs["SXX-CWK"], "personnel": orgs["SXX-RSK"],
        "office": orgs["SXX-BGS"], "policy": orgs["SXX-ZCFG"], "secretary": primary.person, "banzi": banzi,
        "kezhang": Person.objects.get(user__username="kezhang"),
    }
