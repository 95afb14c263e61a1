"""One validated configuration: ``crossdock.yaml`` if present, environment variables on top.

Environment: ``CROSSDOCK_DATA_DIR``, ``CROSSDOCK_BUS_URL``, ``CROSSDOCK_DATABASE_URL``,
``CROSSDOCK_INBOX``, ``CROSSDOCK_UNROUTED_MAX_AGE`` / ``_MAX_MESSAGES`` / ``_MAX_BYTES``.
Defaults give the embedded hub: everything under ``./var``, no server.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.sdk.file_names import name_matches
from hub.durations import parse_duration
from hub.env_references import expand_env_references
from hub.errors import ConfigError
from hub.registry.settings import RegistrySettings
from mappings.partner_profile import PartnerProfile

if TYPE_CHECKING:
    from connectors.formats.csv import CsvFormat
    from mappings import SpecRegistry

log = logging.getLogger(__name__)

__all__ = [
    "FILE_TRANSPORT",
    "ConnectorSettings",
    "FileConnectorConfig",
    "PartnerConfig",
    "ReadLimitSettings",
    "SenderMatch",
    "Settings",
    "UnroutedRetention",
    "csv_format_for",
    "load_settings",
    "sender_key",
]


#: the transport of the local inbox; every other transport is an SDK connector's entry point
FILE_TRANSPORT = "file"
#: what a connector of the file transport is configured by (no other transport takes these)
_FILE_FIELDS = frozenset({"pattern", "format", "mapping", "columns", "delimiter", "encoding"})
#: what only an SDK transport takes (its connector's own configuration, its polling schedule)
_SDK_FIELDS = frozenset({"config", "poll_every"})
_SDK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


class ConnectorSettings(BaseModel):
    """One connector: a transport, the format it carries and the mapping that reads it.

    ``transport: file`` (the default) is the local inbox: files matching ``pattern``, read as
    ``format`` (``auto``: the document format that claims the content, else CSV), mapped by
    ``mapping`` (CSV; a document's specs are chosen per message). Any other transport is an
    installed SDK connector by its entry-point name (``sftp``, ``rest``, ``soap-erp``,
    ``shopify`` …): its ``config`` is validated by the connector's own model (``crossdock
    connector schema``), which names the format and mapping it reads with.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = "stock-count"
    transport: str = FILE_TRANSPORT
    pattern: str = "*.csv"
    #: ``auto``: a file a document format recognises (X12, EDIFACT, IDoc, POSLog, Shopify) is
    #: read as that document, its specs chosen per message; anything else is this CSV.
    #: ``csv``: always CSV. A document format name: only that format.
    format: str = "auto"
    mapping: str = "csv.stock-count"
    #: canonical column → header text in the partner's file
    columns: dict[str, str] = Field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    #: an SDK transport's own configuration
    config: dict[str, Any] = Field(default_factory=dict)
    #: seconds between reads of a source while ``crossdock run`` runs. Unset: every 60 s for a
    #: source the hub pulls from, never for a webhook source (its peer pushes; set a number to
    #: read it too, e.g. to catch up on missed deliveries). 0: never (``crossdock connector
    #: read`` still reads it). Sinks ignore it.
    poll_every: float | None = Field(None, ge=0)

    @property
    def is_file(self) -> bool:
        """Whether this connector is the local inbox's (the ``file`` transport)."""
        return self.transport == FILE_TRANSPORT

    @model_validator(mode="after")
    def _fields_of_its_transport(self) -> ConnectorSettings:
        given = self.model_fields_set
        if self.is_file:
            wrong = sorted(given & _SDK_FIELDS)
            if wrong:
                raise ValueError(
                    f"connector {self.name!r}: {', '.join(wrong)} belong to an SDK transport "
                    "(sftp, rest, soap-erp, shopify …), not to transport file"
                )
            return self
        wrong = sorted(given & _FILE_FIELDS)
        if wrong:
            raise ValueError(
                f"connector {self.name!r}: {', '.join(wrong)} belong to transport file; "
                f"transport {self.transport} is configured under config"
            )
        if not _SDK_NAME.fullmatch(self.name):
            raise ValueError(
                f"connector {self.name!r}: an SDK connector's name is lower case letters, digits, "
                "- and _ (it is a URL path and a lease key)"
            )
        return self


#: the former name of a file connector's settings
FileConnectorConfig = ConnectorSettings


def csv_format_for(config: ConnectorSettings, registry: SpecRegistry) -> CsvFormat:
    """The CSV reading rules of a connector; required columns come from its mapping's paths."""
    # imported here: every command loads the configuration, and the CSV reader and the spec
    # model (the mapping compiler behind them) cost more than the rest of a `dlq list`
    from connectors.formats.csv import CsvFormat
    from mappings import FieldSpec

    mapping = registry.get(config.mapping)
    # a column the spec requires must be in the header: refuse such a file whole instead of
    # dead-lettering each of its rows for the same reason
    required = tuple(
        dict.fromkeys(
            f.path.split(".", 1)[0].split("[", 1)[0]
            for f in mapping.spec.fields.values()
            if isinstance(f, FieldSpec) and f.required and f.path
        )
    )
    # a header names a column the spec reads in any case and with blanks around it ("SKU",
    # " Counted_Qty "), as spreadsheets write them: the reader matches configured names so,
    # and every column the spec reads stands for itself unless configured otherwise
    read = (
        f.path.split(".", 1)[0].split("[", 1)[0]
        for f in mapping.spec.fields.values()
        if isinstance(f, FieldSpec) and f.path and not f.path.startswith("$")
    )
    columns = {name: name for name in read if name not in config.columns} | config.columns
    return CsvFormat(
        required=required,
        columns=columns,
        delimiter=config.delimiter,
        encoding=config.encoding,
    )


def sender_key(fmt: str, ident: str, qualifier: str | None) -> tuple[str, str, str | None]:
    """What two senders are the same by: an IDoc partner number without its leading zeros
    (SAP's ALPHA conversion pads ``104711`` to ``0000104711``), a shop domain in lower case.
    """
    ident = ident.strip()
    if fmt == "idoc":
        ident = ident.lstrip("0") or ident
    elif fmt == "shopify":
        ident, qualifier = ident.lower(), None
    return (fmt, ident, qualifier)


class SenderMatch(BaseModel):
    """One interchange sender a partner sends as: the format, its id and (optionally) qualifier.

    ``id`` is X12 ISA06 (qualifier ISA05), EDIFACT UNB sender identification S002/0004
    (qualifier 0007), IDoc ``SNDPRN`` (qualifier ``SNDPRT``; leading zeros do not count) or the
    Shopify shop domain (no qualifier). Without ``qualifier`` any qualifier matches.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["x12", "edifact", "idoc", "shopify"]
    id: str = Field(min_length=1, max_length=255)
    qualifier: str | None = Field(None, min_length=1, max_length=4)

    @field_validator("id", "qualifier")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        # ISA06 is padded to 15 characters; the configured id is compared without the padding
        return value.strip() if value is not None else None

    def key(self) -> tuple[str, str, str | None]:
        """What two senders are the same by (see :func:`sender_key`)."""
        return sender_key(self.format, self.id, self.qualifier)

    @model_validator(mode="after")
    def _shopify_has_no_qualifier(self) -> SenderMatch:
        if self.format == "shopify" and self.qualifier is not None:
            raise ValueError("a Shopify shop is matched by its domain alone: remove qualifier")
        return self


class PartnerConfig(PartnerProfile):
    """A trading partner: the senders it is recognised by, and its profile (see
    :class:`mappings.partner_profile.PartnerProfile` for each setting)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
    senders: tuple[SenderMatch, ...] = Field(min_length=1)

    def profile(self) -> PartnerProfile:
        """The profile alone, as spec functions see it."""
        return PartnerProfile.model_validate(self.model_dump(exclude={"senders"}))


class ReadLimitSettings(BaseModel):
    """``limits:``: the caps readers refuse beyond, in bytes (defaults no real partner reaches;
    see :class:`connectors.formats.limits.ReadLimits`)."""

    model_config = ConfigDict(extra="forbid")

    #: one CSV record or IDoc flat-file line; at least one read block (64 KiB)
    line_bytes: int = Field(1 << 20, ge=1 << 16)
    field_bytes: int = Field(64 << 10, ge=1)
    segment_bytes: int = Field(1 << 20, ge=1 << 10)
    document_bytes: int = Field(256 << 20, ge=1 << 10)

    def apply(self) -> None:
        """Make these the limits of every reader in this process."""
        # imported here: the configuration is loaded by every command, most read no file
        from connectors.formats.limits import ReadLimits, set_read_limits

        set_read_limits(ReadLimits(**self.model_dump()))


class TracingSettings(BaseModel):
    """``tracing:``: OpenTelemetry spans of files, chunks, messages and requests (off unless
    an exporter is named here or in ``OTEL_TRACES_EXPORTER``; see connectors.sdk.tracing)."""

    model_config = ConfigDict(extra="forbid")

    #: ``otlp`` (OTLP over HTTP), ``console`` (spans on stdout), ``none``; unset: the
    #: ``OTEL_TRACES_EXPORTER`` variable decides, and without it tracing is off
    exporter: Literal["otlp", "console", "none"] | None = None
    #: the collector, e.g. ``http://collector:4318`` (unset: ``OTEL_EXPORTER_OTLP_ENDPOINT``,
    #: else the exporter's default, localhost:4318)
    endpoint: str | None = None
    service_name: str = Field("crossdock", min_length=1)

    def apply(self) -> bool:
        """Switch tracing on (or leave it as it is) in this process; whether it is on."""
        # imported here: the configuration is loaded by every command, most trace nothing
        from connectors.sdk import tracing
        from connectors.sdk.errors import ConnectorConfigError

        try:
            if self.exporter is not None:
                return tracing.configure(
                    self.exporter, endpoint=self.endpoint, service_name=self.service_name
                )
            return tracing.configure_from_environment() or tracing.enabled()
        except ImportError as exc:
            raise ConfigError(
                f"tracing: {exc.name or 'opentelemetry'} is not installed; "
                "install the extra: pip install 'crossdock[tracing]'"
            ) from exc
        except ConnectorConfigError as exc:  # OTEL_TRACES_EXPORTER names one we have not
            raise ConfigError(str(exc)) from exc


#: ``0``, ``forever``: no limit (what each retention setting takes to keep everything)
_FOREVER = frozenset({"0", "forever"})
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def _no_limit(value: Any) -> Any:
    """``forever`` (any case) → 0; anything else unchanged but a yes/no."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is no limit: write a number, or forever")
    if isinstance(value, str) and value.strip().lower() in _FOREVER:
        return 0
    return value


def _seconds(value: Any) -> Any:
    """``7d``, ``12h``, ``PT4H``, a number of seconds, or ``forever`` → seconds (0: forever)."""
    value = _no_limit(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)  # seconds, as an environment variable gives them
    parsed = parse_duration(value)
    if isinstance(parsed, timedelta):
        return parsed.total_seconds()
    if isinstance(parsed, str):
        try:
            return TypeAdapter(timedelta).validate_python(parsed).total_seconds()
        except ValidationError:
            raise ValueError(
                f"{value!r} is not a duration: write 7d, 12h, 30m, 3600 (seconds), or forever"
            ) from None
    return parsed


def _bytes(value: Any) -> Any:
    """``500MB``, ``2GiB``, ``1.5G``, a number of bytes, or ``forever`` → bytes (0: no limit)."""
    value = _no_limit(value)
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a size: write 500MB, 2GiB, 1048576, or forever")
        unit = (match.group(2) or "").lower()
        scale = _SIZE_UNITS[unit[:1]] if "i" not in unit else 1024 ** "bkmgt".index(unit[0])
        return int(float(match.group(1)) * scale)
    return value


class UnroutedRetention(BaseModel):
    """``unrouted:``: how long the embedded bus keeps what no queue was bound for (the
    exchange's ``.unrouted`` queue; :mod:`hub.bus.sqlite_retention`).

    A hub that routes its own events (``crossdock run``) binds no queue for them, so without a
    subscriber every message it publishes is kept there. Older than ``max_age``, or past
    ``max_messages`` / ``max_bytes`` (the oldest first), a kept message is dropped, and the hub
    says so. 0 or ``forever`` is no limit; all three at 0 keep everything. RabbitMQ applies its
    own policy to the queue instead (README, Configuration): these are the embedded bus's.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: seconds (``7d``, ``12h``, ``PT4H``, ``forever`` as written in the file)
    max_age: Annotated[float, BeforeValidator(_seconds), Field(ge=0, allow_inf_nan=False)] = (
        7 * 86400.0
    )
    max_messages: Annotated[int, BeforeValidator(_no_limit), Field(ge=0)] = 0
    #: bytes of body and envelope (``500MB``, ``2GiB``)
    max_bytes: Annotated[int, BeforeValidator(_bytes), Field(ge=0)] = 0

    def in_bus_url(self, url: str) -> str:
        """``url`` of the embedded bus with these limits as transport options (the query of
        :mod:`hub.bus.sqlite_options`), unless the URL names one itself; other URLs as given."""
        if not url.startswith("sqlite:"):
            return url
        options = {
            # fixed-point: ``:g`` wrote 30 days as 2.592e+06, whose '+' the query reads as a space
            "unrouted_max_age": f"{self.max_age:f}".rstrip("0").rstrip("."),
            "unrouted_max_messages": str(self.max_messages),
            "unrouted_max_bytes": str(self.max_bytes),
        }
        query = url.partition("?")[2]
        given = {part.partition("=")[0] for part in query.split("&") if part}
        added = "&".join(f"{k}={v}" for k, v in options.items() if v != "0" and k not in given)
        if not added:
            return url
        return f"{url}{'&' if query else '?'}{added}"


class Settings(BaseModel):
    """Everything the hub process needs to start."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Path("var")
    bus_url: str | None = None
    #: the topic exchange of this hub's events (hubs sharing a broker each name their own)
    exchange: str = Field("crossdock.events", min_length=1, max_length=255)
    database_url: str | None = None
    #: the inbox folder; ``inbox: {path: …, follow_symlinks_inside: true}`` sets both
    inbox: Path | None = None
    #: read a symbolic link in the inbox whose target is a regular file inside it (a link
    #: elsewhere, a FIFO or a device is always refused)
    inbox_follow_symlinks_inside: bool = False
    #: how long a line, field, segment or document may be (connectors.formats.limits)
    limits: ReadLimitSettings = Field(default_factory=ReadLimitSettings)
    batch_size: int = Field(1000, ge=1, le=100_000)
    chunk_size: int = Field(10_000, ge=1)
    retry_attempts: int = Field(5, ge=1)
    #: seconds a running hub waits for its broker or database to come back (it pauses, then
    #: resumes from its checkpoints); unset: until stopped, or 60 s for ``crossdock run --once``
    outage_wait: float | None = Field(None, ge=0)
    #: processes translating big files; unset decides by file size (2 cores here), and none
    #: for a file whose events this process routes itself (routing is that file's bound)
    workers: int | None = Field(None, ge=0, le=64)
    #: every connector, whatever its transport: the local inbox's (``transport: file``) and
    #: the SDK's (SFTP, REST, SOAP, Shopify …; webhook ones are served at /webhooks/{name})
    connectors: list[ConnectorSettings] = Field(
        default_factory=lambda: [
            ConnectorSettings(),
            # every file with an extension: documents by content, anything else as stock counts
            ConnectorSettings(name="documents", pattern="*.*"),
        ]
    )
    #: the schema registry API (reads open, bootstrap admin token, seeding)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    #: trading partners, each matched by its interchange senders (see hub.partners)
    partners: list[PartnerConfig] = Field(default_factory=list)
    #: OpenTelemetry traces (off by default)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    #: how long the embedded bus keeps events no queue was bound for (default 7 days)
    unrouted: UnroutedRetention = Field(default_factory=UnroutedRetention)

    @model_validator(mode="before")
    @classmethod
    def _inbox_mapping(cls, data: Any) -> Any:
        # `inbox:` as a folder, or as {path, follow_symlinks_inside}
        if isinstance(data, dict) and isinstance(data.get("inbox"), dict):
            data = dict(data)
            inbox = dict(data.pop("inbox"))
            data["inbox"] = inbox.pop("path", None)
            if "follow_symlinks_inside" in inbox:
                data["inbox_follow_symlinks_inside"] = inbox.pop("follow_symlinks_inside")
            if inbox:
                raise ValueError(f"inbox: unknown setting(s) {', '.join(sorted(inbox))}")
        return data

    @field_validator("partners")
    @classmethod
    def _partners_apart(cls, partners: list[PartnerConfig]) -> list[PartnerConfig]:
        problems: list[str] = []
        names = [p.name for p in partners]
        problems += [
            f"partner name {n!r} is used twice" for n in sorted(set(names)) if names.count(n) > 1
        ]
        owner: dict[tuple[str, str, str | None], str] = {}
        for partner in partners:
            for sender in partner.senders:
                key = sender.key()
                if key in owner and owner[key] != partner.name:
                    problems.append(
                        f"{sender.format} sender {sender.id!r}"
                        + (f" (qualifier {sender.qualifier})" if sender.qualifier else "")
                        + f" belongs to both {owner[key]!r} and {partner.name!r}"
                    )
                owner.setdefault(key, partner.name)
        if problems:
            raise ValueError("; ".join(problems))
        return partners

    @property
    def resolved_bus_url(self) -> str:
        """The bus URL, defaulting to the embedded SQLite bus in the data directory; an
        embedded bus's carries the retention of unrouted messages (``unrouted:``)."""
        url = self.bus_url or f"sqlite:///{(self.data_dir / 'bus.db').resolve()}"
        return self.unrouted.in_bus_url(url)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'crossdock.db').resolve()}"

    @property
    def resolved_inbox(self) -> Path:
        """The inbox folder the file connector watches (default ``./inbox``)."""
        return self.inbox or Path("inbox")

    @model_validator(mode="before")
    @classmethod
    def _former_keys(cls, raw: Any) -> Any:
        """``connector_instances:`` (the SDK connectors before they joined ``connectors:``)
        is read as connectors of their transport, with a warning naming the move."""
        if not isinstance(raw, dict) or "connector_instances" not in raw:
            return raw
        raw = dict(raw)
        instances = raw.pop("connector_instances") or []
        if not isinstance(instances, list):
            raise ValueError("connector_instances: must be a list")
        _warn_once(
            "connector_instances",
            "crossdock.yaml: connector_instances is deprecated: list each under connectors with "
            "transport: <its connector> (README, Configuration)",
        )
        moved = [
            {("transport" if k == "connector" else k): v for k, v in item.items()}
            if isinstance(item, dict)
            else item
            for item in instances
        ]
        given = raw.get("connectors")
        # a file that never listed connectors kept the default file connectors beside these
        kept = (
            cls.model_fields["connectors"].get_default(call_default_factory=True)
            if given is None
            else list(given)
        )
        raw["connectors"] = [*kept, *moved]
        return raw

    @field_validator("connectors")
    @classmethod
    def _names_apart(cls, connectors: list[ConnectorSettings]) -> list[ConnectorSettings]:
        names = [c.name for c in connectors]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"connector name {', '.join(map(repr, twice))} is used twice")
        return connectors

    @property
    def file_connectors(self) -> list[ConnectorSettings]:
        """The connectors of the local inbox (``transport: file``), in configuration order."""
        return [c for c in self.connectors if c.is_file]

    @property
    def sdk_connectors(self) -> list[ConnectorSettings]:
        """The connectors of every other transport: SDK connectors, by entry-point name."""
        return [c for c in self.connectors if not c.is_file]

    def file_connector_for(self, name: str) -> ConnectorSettings:
        """The first file connector whose pattern takes a file called ``name`` (configuration
        order decides); :class:`ConfigError` when none does."""
        for c in self.file_connectors:
            if name_matches(name, c.pattern):
                return c
        raise ConfigError(f"no file connector's pattern takes {name!r}")

    def connector(self, name: str) -> ConnectorSettings:
        """The file connector called ``name``."""
        for c in self.file_connectors:
            if c.name == name:
                return c
        raise ConfigError(
            f"no file connector named {name!r}; configured: "
            f"{[c.name for c in self.file_connectors]}"
        )


_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    """One line per former key and process, however often the configuration is loaded."""
    if key not in _warned:
        _warned.add(key)
        log.warning("%s", message)


_ENV = {
    "CROSSDOCK_DATA_DIR": "data_dir",
    "CROSSDOCK_BUS_URL": "bus_url",
    "CROSSDOCK_EXCHANGE": "exchange",
    "CROSSDOCK_DATABASE_URL": "database_url",
    "CROSSDOCK_INBOX": "inbox",
}
#: variables of one setting inside a section: (section, key)
_ENV_NESTED = {
    "CROSSDOCK_UNROUTED_MAX_AGE": ("unrouted", "max_age"),
    "CROSSDOCK_UNROUTED_MAX_MESSAGES": ("unrouted", "max_messages"),
    "CROSSDOCK_UNROUTED_MAX_BYTES": ("unrouted", "max_bytes"),
}


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read ``path`` (or ``./crossdock.yaml`` when it exists), then env, then ``overrides``.

    Every problem is reported at once, naming the file and the field. ``${NAME}`` in the file
    is read from the environment (:mod:`hub.env_references`).
    """
    raw: dict[str, Any] = {}
    unset: list[str] = []
    source = "defaults"
    candidate = path or Path("crossdock.yaml")
    if path is not None or candidate.exists():
        # imported only to read a file: a command run without crossdock.yaml (`crossdock dlq
        # list --data-dir var`) starts without PyYAML (90 M instructions, issue 17)
        import yaml

        source = str(candidate)
        try:
            loaded = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{candidate}: cannot read configuration: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{candidate}: the top level must be a mapping")
        loaded, unset = expand_env_references(loaded, os.environ)
        raw.update(loaded)
    for env, key in _ENV.items():
        if os.environ.get(env):
            raw[key] = os.environ[env]
    for env, (section, key) in _ENV_NESTED.items():
        if os.environ.get(env):
            given = raw.get(section)
            # a section that is not a mapping is left for validation to name
            if given is None or isinstance(given, dict):
                raw[section] = {**(given or {}), key: os.environ[env]}
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            [
                *unset,
                *(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()),
            ]
        )
        raise ConfigError(f"{source}: invalid configuration: {problems}") from exc
    if unset:
        raise ConfigError(f"{source}: invalid configuration: {'; '.join(unset)}")
    return settings
