"""Which Redis a TMI server can reach on Heroku, keyed on the server version (sources in docs/redis.md)."""

from __future__ import annotations

from typing import Literal

from tmi_deploy.catalog.rule import Version

# Heroku Key-Value Store: every plan, mini included, requires TLS since December 2024.
TLS_ONLY_SERVICES = frozenset({"heroku-redis"})
# Redis Cloud takes plain connections; attached as REDISCLOUD it sets REDISCLOUD_URL.
PLAIN_SERVICE = "rediscloud"
PLAIN_ATTACHMENT = "REDISCLOUD"
# First TMI version whose Redis client speaks TLS. None: no version yet (auth/db/redis.go builds the
# client from host, port, password and db only, up to 1.8.22 at tmi@05517d8c).
REDIS_TLS_SINCE: Version | None = None
# Newest TMI version whose source was read for this fact; later versions are not known either way.
NEWEST_CHECKED: Version = (1, 8, 22)
# Settings that say where TMI's Redis is, in every era.
REDIS_SETTINGS = frozenset({"redis.url", "redis.host", "redis.port", "redis.password", "redis.db"})

TlsSupport = Literal["tls", "none", "unknown"]


def redis_tls(version: Version) -> TlsSupport:
    """Whether TMI ``version``'s Redis client can use TLS, by what this catalogue knows."""
    return tls_support(version, REDIS_TLS_SINCE, NEWEST_CHECKED)


def tls_support(version: Version, since: Version | None, checked: Version) -> TlsSupport:
    """Known yes (from ``since`` on), known no (up to ``checked``), or not checked (later versions)."""
    if since is not None and version >= since:
        return "tls"
    if version <= checked:
        return "none"
    return "unknown"
