"""The REST polling source: list endpoints read page by page, a checkpoint after each page.

Each configured stream is an endpoint returning a list of objects (at ``records_path`` in the
body). Pages follow each other per the stream's pagination style; the checkpoint after a page
is the request of the next page, so a resume starts at exactly that page. When the last page
is read, the checkpoint keeps the highest ``cursor_field`` value seen and a later run asks
only for newer records (``since_param``, an exclusive lower bound such as ``since_id``); an API
paged by cursor alone keeps its last cursor instead, and a later run continues from there.

With ``webhook`` set, the same source takes the API's pushed deliveries too (signed by the
generic Standard Webhooks scheme or Shopify's), mapped like the stream it names.

Each object becomes a :class:`~connectors.record.RawRecord` (its JSON bytes, located by page
URL and position) and is mapped by the stream's mapping spec. An object that is not one, or a
page that is not JSON, is a :class:`~connectors.errors.RecordError` naming that location.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self

import httpx
import orjson
from pydantic import Field, SecretStr, model_validator

from canonical import Envelope
from connectors.errors import RecordError
from connectors.record import RawRecord
from connectors.rest.client import RestClient, json_body
from connectors.rest.config import HttpConfig, PaginationConfig, _Part
from connectors.rest.pagination import PageRequest, Paginator, dig
from connectors.rest.signatures import (
    ShopifySignature,
    SignatureScheme,
    StandardWebhookSignature,
)
from connectors.sdk.connector import ReadItem
from connectors.sdk.state import Checkpoint, State
from connectors.sdk.stream import Stream
from connectors.sdk.translate import translate
from connectors.sdk.webhook import SignatureInvalid, WebhookRequest, WebhookSource
from mappings import CompiledMapping, SpecRegistry, installed_specs

__all__ = [
    "RestSource",
    "RestSourceConfig",
    "RestStreamConfig",
    "RestWebhookConfig",
    "read_pages",
]


class RestStreamConfig(_Part):
    """One list endpoint and the mapping its objects go through."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    path: str
    #: dotted path of the list in the body; empty when the body is the list
    records_path: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    pagination: PaginationConfig = Field(default_factory=PaginationConfig)
    #: mapping spec id (``mappings/specs``) from one object to canonical event data (a
    #: connector that maps in code, like Shopify's, leaves it empty)
    mapping: str = ""
    #: the field identifying an object (part of its event id)
    id_field: str = "id"
    #: incremental reads: the field to follow and the parameter asking for newer objects
    cursor_field: str | None = None
    since_param: str | None = None


class RestWebhookConfig(_Part):
    """Deliveries the API pushes to ``/webhooks/{instance}``, mapped like one of the streams."""

    #: ``standard``: Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature);
    #: ``shopify``: X-Shopify-Hmac-Sha256 over the body
    scheme: Literal["standard", "shopify"] = "standard"
    secret: SecretStr
    tolerance_seconds: float = Field(300.0, gt=0)
    #: the stream whose mapping and id field a delivered object goes through
    stream: str


class RestSourceConfig(HttpConfig):
    """A REST API polled for lists of objects (and, optionally, pushing webhooks)."""

    streams: list[RestStreamConfig] = Field(min_length=1)
    #: a cheap authenticated GET for ``check()``
    probe_path: str = "/"
    #: where the connector's own mapping specs live (looked up before the built-in ones)
    specs_dir: Path | None = None
    webhook: RestWebhookConfig | None = None

    @model_validator(mode="after")
    def _webhook_stream_exists(self) -> Self:
        names = [s.name for s in self.streams]
        if self.webhook is not None and self.webhook.stream not in names:
            raise ValueError(f"webhook.stream {self.webhook.stream!r} is not one of {names}")
        return self


@functools.cache
def _registry(folder: Path) -> SpecRegistry:
    return SpecRegistry.from_directory(folder)


@functools.cache
def _installed() -> SpecRegistry:
    return installed_specs()


def _mapping(spec_id: str, extra: Path | None) -> CompiledMapping:
    """The spec ``spec_id`` from ``extra`` if it is there, else from the installed specs (the
    shipped ones and those packages register, :mod:`mappings.spec_packages`)."""
    if extra is not None:
        own = _registry(extra)
        if spec_id in own:
            return own.get(spec_id)
    return _installed().get(spec_id)


def _position_of(items: Sequence[Any], field: str | None, previous: Any) -> Any:
    """The highest ``field`` value among ``items`` and ``previous``."""
    if field is None:
        return previous
    values = [i.get(field) for i in items if isinstance(i, dict) and i.get(field) is not None]
    if previous is not None:
        values.append(previous)
    return max(values, default=None)  # type: ignore[type-var]  # cursor values compare


def read_pages(
    client: RestClient,
    stream: RestStreamConfig,
    position: dict[str, Any] | None,
    *,
    on_retry: Callable[[BaseException, int], None] | None = None,
) -> Iterator[ReadItem]:
    """Records of one stream from ``position``, a checkpoint after every page.

    The position holds ``next`` (the page to read, mid-list), ``since`` (the highest
    ``cursor_field`` seen, for streams that ask for newer objects with ``since_param``) and
    ``resume`` (where a cursor-only API continues once its list ended: see
    :meth:`Paginator.resume`), so a later run does not read the list again from the start.
    """
    paginator = Paginator(stream.pagination)
    position = dict(position or {})
    since = position.get("since")
    resume = position.get("resume")
    by_since = since is not None and stream.since_param is not None
    if "next" in position:
        request: PageRequest | None = PageRequest.from_position(position["next"])
    elif resume is not None and not by_since:
        request = PageRequest.from_position(resume)
    else:
        params: dict[str, Any] = dict(stream.params)
        if by_since:
            params[str(stream.since_param)] = since
        request = paginator.first(stream.path, params)
    while request is not None:
        # no params at all for a next link: httpx would replace the query the link carries
        query = dict(request.params) or None
        answer = client.call("GET", request.url, params=query, on_retry=on_retry)
        where = str(answer.request.url)
        items = yield from _page_records(stream, answer, where)
        if items is None:  # an unreadable page: dead-lettered, and no next link can be trusted
            last, request = request, None
        else:
            since = _position_of(items, stream.cursor_field, since)
            last, request = request, paginator.next(request, answer, items)
            if request is None:
                ended = paginator.resume(last, answer)
                resume = ended.as_position() if ended is not None else resume
        mark: dict[str, Any] = {"since": since}
        if request is not None:
            mark["next"] = request.as_position()
        if resume is not None:
            mark["resume"] = resume
        yield Checkpoint(stream.name, mark)


def _page_records(
    stream: RestStreamConfig, answer: httpx.Response, where: str
) -> Generator[ReadItem, None, list[Any] | None]:
    """Yield the page's records; return its list (None when the page itself is unreadable)."""
    try:
        body = json_body(answer)
    except ValueError as exc:
        yield RecordError(where, f"the page is not JSON: {exc}", raw=answer.content)
        return None
    items = dig(body, stream.records_path) if stream.records_path else body
    if not isinstance(items, list):
        yield RecordError(
            where, f"no list at {stream.records_path or '(body)'}", raw=answer.content
        )
        return None
    for n, item in enumerate(items, 1):
        raw = json.dumps(item, separators=(",", ":"), sort_keys=True).encode()
        yield _item_record(stream, item, raw, where=where, n=n, location=f"{where}#{n}")
    return items


def _item_record(
    stream: RestStreamConfig, item: Any, raw: bytes, *, where: str, n: int, location: str
) -> RawRecord | RecordError:
    """Item ``n`` of a page or a webhook body (at ``location``): a record of ``stream``, or
    the error of an item that is not an object with the stream's id field."""
    if not isinstance(item, dict) or item.get(stream.id_field) is None:
        return RecordError(location, f"not an object with {stream.id_field!r}", raw=raw, line=n)
    return RawRecord(
        data=raw,
        source=where,
        line=n,
        fields=item,
        content_type="application/json",
        context={"stream": stream.name, "message": stream.name},
    )


class RestSource(WebhookSource[RestSourceConfig]):
    """Polls a REST API's list endpoints, and takes its webhooks (see the module doc)."""

    name = "rest"
    config_model = RestSourceConfig

    def __init__(
        self,
        config: RestSourceConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(config)
        self.client = RestClient(config, policy=self.policy(), transport=transport, sleep=sleep)
        self._streams = {s.name: s for s in config.streams}
        hook = config.webhook
        self._scheme: SignatureScheme | None = None
        if hook is not None:
            secret = hook.secret.get_secret_value()
            self._scheme = (
                ShopifySignature(secret, tolerance_seconds=hook.tolerance_seconds)
                if hook.scheme == "shopify"
                else StandardWebhookSignature(secret, tolerance_seconds=hook.tolerance_seconds)
            )

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def refresh_auth(self) -> bool:
        """Drop an OAuth token so the next request fetches a new one."""
        return self.client.refresh_auth()

    def mapping(self, stream: str) -> CompiledMapping:
        """The compiled mapping of ``stream``."""
        return _mapping(self._streams[stream].mapping, self.config.specs_dir)

    def probe(self) -> str:
        """GET the probe path once (no retries: check() reports, it does not wait)."""
        answer = self.client.send("GET", self.config.probe_path)
        return f"{answer.request.url}: HTTP {answer.status_code}"

    def discover(self) -> list[Stream]:
        """One stream per configured endpoint, typed by its mapping's target."""
        out = []
        for s in self.config.streams:
            m = self.mapping(s.name)
            out.append(
                Stream(s.name, m.target_type, m.target_version, f"GET {s.path}", s.cursor_field)
            )
        return out

    def read(self, state: State) -> Iterator[ReadItem]:
        """Every stream in turn, from its position."""
        for stream in self.config.streams:
            position = state.position(stream.name)
            yield from read_pages(self.client, stream, dict(position) if position else None)

    def verify(self, request: WebhookRequest) -> None:
        """The configured signature scheme, with its replay window."""
        if self._scheme is None:
            raise SignatureInvalid(f"{self.name}: no webhook is configured")
        self._scheme.verify(request)

    def delivery_id(self, request: WebhookRequest) -> str:
        """The scheme's delivery id header."""
        found = request.header("webhook-id") or request.header("x-shopify-webhook-id")
        if not found:
            raise SignatureInvalid("no delivery id header")
        return found

    def receive(self, request: WebhookRequest) -> Iterator[RawRecord | RecordError]:
        """One record per delivered object (a body may hold one object or a list)."""
        assert self.config.webhook is not None  # verify() refused the delivery otherwise
        stream = self._streams[self.config.webhook.stream]
        where = f"webhook#{self.delivery_id(request)}"
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            yield RecordError(where, f"the body is not JSON: {exc}", raw=request.body)
            return
        items = body if isinstance(body, list) else [body]
        for n, item in enumerate(items, 1):
            raw = request.body if len(items) == 1 else json.dumps(item).encode()
            yield _item_record(stream, item, raw, where=where, n=n, location=f"{where}:{n}")

    def mappings(self, record: RawRecord) -> list[CompiledMapping]:
        """The mapping of the record's stream."""
        return [self.mapping(str(record.context["stream"]))]

    def origin(self, record: RawRecord) -> tuple[str, ...]:
        """The API, the stream and the object's id (its page and position move)."""
        stream = self._streams[str(record.context["stream"])]
        base = str(self.config.base_url).rstrip("/")
        return (base, stream.name, str(record.fields[stream.id_field]))

    def record_id(self, record: RawRecord) -> str | None:
        """The object's ``id_field`` value: a dead letter names it before its page URL."""
        stream = self._streams[str(record.context["stream"])]
        value = record.fields.get(stream.id_field)
        return None if value is None else str(value)

    def to_events(self, record: RawRecord) -> list[Envelope[Any]]:
        """Map one object; its event id comes from the stream, its id and the mapping version."""
        origin = self.origin(record)
        return translate(record, self.mappings(record), origin=origin).envelopes(
            source=f"crossdock://connectors/rest/{record.context['stream']}",
            subject=origin[-1],
            time=datetime.now(UTC),
        )
