"""Django's Redis cache, keeping one client per connection pool.

Django's RedisCache builds a new redis.Redis for every call, and building one costs more
than a GET over loopback (redis-py fills a table of about 170 response callbacks each time):
on an article page served from the cache that was a tenth of the time. A client is only a
handle on its thread-safe connection pool, so one per pool is enough.
"""

from django.core.cache.backends import redis


class ReusedClientRedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
