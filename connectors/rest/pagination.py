"""Pagination styles: Link header, cursor, page number, offset.

A :class:`Paginator` turns the answer of one page into the request of the next, or None at
the end. The next request is a plain ``(url, params)`` pair, so it can be stored as a
checkpoint position and a resume starts at exactly that page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.rest.client import json_body
from connectors.rest.config import PaginationConfig

__all__ = ["PageRequest", "Paginator", "dig"]


def dig(body: Any, path: str) -> Any:
    """``body`` followed along a dotted path (``data.items``); None where it stops."""
    node = body
    for part in filter(None, path.split(".")):
        if isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page to fetch: a URL (relative to the base URL, or absolute) and its parameters."""

    url: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_position(self) -> dict[str, Any]:
        """JSON for a checkpoint."""
        return {"url": self.url, "params": dict(self.params)}

    @classmethod
    def from_position(cls, position: Mapping[str, Any]) -> PageRequest:
        """What :meth:`as_position` wrote."""
        return cls(str(position["url"]), dict(position.get("params", {})))


@dataclass(frozen=True, slots=True)
class Paginator:
    """The next page after an answer, per the configured style."""

    config: PaginationConfig

    def first(self, url: str, params: Mapping[str, Any] | None = None) -> PageRequest:
        """The first page's request."""
        c = self.config
        p: dict[str, Any] = dict(params or {})
        if c.style != "none":
            p[c.size_param] = c.page_size
        if c.style == "page":
            p[c.page_param] = c.first_page
        elif c.style == "offset":
            p[c.offset_param] = 0
        return PageRequest(url, p)

    def next(
        self, current: PageRequest, answer: httpx.Response, items: Sequence[Any]
    ) -> PageRequest | None:
        """The request after ``current``, or None when ``answer`` was the last page."""
        style = self.config.style
        if style == "link":
            return self._link(answer)
        if style == "cursor":
            return self._cursor(current, answer)
        if style in ("page", "offset"):
            return self._counted(current, answer, items)
        return None

    def resume(self, last: PageRequest, answer: httpx.Response) -> PageRequest | None:
        """Where a later read continues once ``answer`` (to ``last``) ended the list, for a
        stream that cannot ask for newer objects by a ``since`` parameter: the cursor the last
        page answered (cursor style with ``has_more_path``), else the last page itself (cursor
        style: its objects come again, under the same event ids). None for the other styles,
        whose lists have no stable place to continue from."""
        c = self.config
        if c.style != "cursor":
            return None
        token = dig(json_body(answer), c.cursor_path) if c.has_more_path else None
        if token:
            return PageRequest(last.url, {**last.params, c.cursor_param: token})
        return last

    def _link(self, answer: httpx.Response) -> PageRequest | None:
        nxt = answer.links.get("next", {}).get("url")
        if not nxt:
            return None
        # the next link carries every parameter itself (Shopify's page_info forbids others).
        # A relative link is relative to the page that carried it (RFC 8288 §3.2), not to the
        # base URL: httpx would append "/api/v1/items?page=2" to a base URL's own path.
        return PageRequest(str(answer.url.join(nxt)))

    def _cursor(self, current: PageRequest, answer: httpx.Response) -> PageRequest | None:
        c = self.config
        body = json_body(answer)
        token = dig(body, c.cursor_path)
        if not token or (c.has_more_path and dig(body, c.has_more_path) is not True):
            return None
        return PageRequest(current.url, {**current.params, c.cursor_param: token})

    def _counted(
        self, current: PageRequest, answer: httpx.Response, items: Sequence[Any]
    ) -> PageRequest | None:
        # An empty page is the last one. A short page is too, unless the body says the list's
        # total (total_path): an API serves at most its own maximum (Shopify 250, many ERPs
        # 100) whatever page_size asks, and only the total tells such a page from the last.
        # Without one a short page must end the list: APIs that answer a page past the end
        # with the last page again (Magento 2) would otherwise be read forever.
        c = self.config
        if not items or (c.total_path is None and len(items) < c.page_size):
            return None
        if c.style == "page":
            page = int(current.params.get(c.page_param, c.first_page))
            # pages before this one held at least as many objects as it does
            read = (page - c.first_page + 1) * len(items)
            following = PageRequest(current.url, {**current.params, c.page_param: page + 1})
        else:
            read = int(current.params.get(c.offset_param, 0)) + len(items)
            following = PageRequest(current.url, {**current.params, c.offset_param: read})
        total = dig(json_body(answer), c.total_path) if c.total_path else None
        if isinstance(total, int) and not isinstance(total, bool) and read >= total:
            return None
        return following
