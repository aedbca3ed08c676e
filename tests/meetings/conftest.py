import pytest


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Rules are cached (core.rule_settings); a rule set inside a rolled-back test must not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
