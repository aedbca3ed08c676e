"""The Redis cache backend (core/redis_cache.py) keeps one client per connection pool."""

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="Redis 未配置（REDIS_URL）")


def test_one_client_per_pool_serves_every_call():
    store = caches["default"]
    client = store._cache.get_client(write=True)
    assert store._cache.get_client(write=True) is client
    store.set("redis-cache-test", [1, 2, 3], 30)
    assert store.get_many(["redis-cache-test", "absent"]) == {"redis-cache-test": [1, 2, 3]}
    assert store._cache.get_client() is client  # one server: reads and writes share the pool
