"""How results become HTTP answers: JSON bodies, keyed ETags and 304s, Range pagination (206 + Next-Range)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tmi_deploy.sandbox.errors import SandboxError, bad_request

DEFAULT_PAGE = 200
MAX_PAGE = 1000
RANGE = re.compile(r"\s*(\w+)\s+([\]\[]?)([^.]*)\.\.([^;]*)(?:;(.*))?")
RANGE_HELP = "Invalid `Range` header. Please use format like `id ..; max=10, order=desc`."


@dataclass
class Listing:
    """A list answer: paginated by the request's Range over `fields`, `default_field` first."""

    items: list[dict[str, Any]]
    default_field: str = "id"
    fields: tuple[str, ...] = ("id", "name")


@dataclass
class Reply:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    field_name: str
    start: str | None
    inclusive: bool
    limit: int
    order: str


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(content=body, status_code=status, headers=headers or {}, media_type="application/json")


def error_response(err: SandboxError) -> Response:
    return json_response(err.status, err.body())


def with_etag(request: Request, response: Response, key: bytes) -> Response:
    """ETags are keyed (HMAC): never an unkeyed hash of config values someone could test guesses against."""
    if request.method != "GET" or response.status_code != 200:
        return response
    etag = '"' + hmac.new(key, bytes(response.body), hashlib.sha256).hexdigest()[:32] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return response


def parse_range(header: str | None, listing: Listing) -> Page:
    if header is None or not header.strip():
        return Page(listing.default_field, None, True, DEFAULT_PAGE, "asc")
    match = RANGE.fullmatch(header)
    if not match or match.group(1) not in listing.fields:
        raise bad_request(RANGE_HELP)
    field_name, bracket, start, _end, options = match.groups()
    limit, order = DEFAULT_PAGE, "asc"
    options = (options or "").strip().rstrip(";")
    if ";" in options:
        raise bad_request(RANGE_HELP)
    for option in filter(None, (o.strip() for o in options.split(","))):
        key, _, value = option.partition("=")
        key, value = key.strip(), value.strip()
        if key == "max" and value.isascii() and value.isdigit() and len(value) < 7:
            limit = min(max(int(value), 1), MAX_PAGE)
        elif key == "order" and value in ("asc", "desc"):
            order = value
        else:
            raise bad_request(RANGE_HELP)
    return Page(field_name, start.strip() or None, bracket != "]", limit, order)


def order_key(value: Any) -> tuple[int, int, str]:
    """A total order over what a range field may hold (numbers, text, missing), so no Range can crash a sort."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, "")
    if value is None:
        return (2, 0, "")
    return (1, 0, str(value))


def _after(items: list[dict[str, Any]], page: Page) -> list[dict[str, Any]]:
    if page.start is None:
        return items
    bound: Any = page.start
    if items and isinstance(items[0].get(page.field_name), int):
        if not re.fullmatch(r"-?\d{1,12}", page.start):
            raise bad_request(RANGE_HELP)
        bound = int(page.start)
    limit = order_key(bound)

    def keep(item: dict[str, Any]) -> bool:
        value = order_key(item.get(page.field_name))
        if value == limit:
            return page.inclusive
        return value < limit if page.order == "desc" else value > limit

    return [i for i in items if keep(i)]


def list_response(request: Request, listing: Listing) -> Response:
    page = parse_range(request.headers.get("range"), listing)
    def sort_key(item: dict[str, Any]) -> tuple[int, int, str]:
        return order_key(item.get(page.field_name))

    items = sorted(listing.items, key=sort_key, reverse=(page.order == "desc"))
    items = _after(items, page)
    shown = items[:page.limit]
    headers = {"Accept-Ranges": ", ".join(listing.fields)}
    if shown:
        headers["Content-Range"] = f"{page.field_name} {shown[0].get(page.field_name)}..{shown[-1].get(page.field_name)}"
    if len(items) <= page.limit:
        return json_response(200, shown, headers)
    order_text = f", order={page.order}" if page.order == "desc" else ""
    headers["Next-Range"] = f"{page.field_name} ]{shown[-1].get(page.field_name)}..; max={page.limit}{order_text}"
    return json_response(206, shown, headers)
