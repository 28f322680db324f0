"""URL arithmetic for derived values: origins, parts of an add-on URL, an app's public URL (pure)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tmi_deploy.config.models import AppDesired
from tmi_deploy.plan.state import LiveApp


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def with_sslmode(url: str, mode: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sslmode"]
    query.append(("sslmode", mode))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def url_part(url: str, part: str) -> str:
    parts = urlsplit(url)
    if part == "host":
        return parts.hostname or ""
    if part == "port":
        return str(parts.port or "")
    if part == "user":
        return parts.username or ""
    if part == "password":
        return parts.password or ""
    if part == "database":
        return parts.path.lstrip("/")
    return url


def app_url(app: AppDesired, live: LiveApp | None) -> str | None:
    if app.url:
        return app.url
    if live is None or not live.exists or not live.web_url:
        return None
    return live.web_url
