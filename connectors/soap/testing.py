"""A real SOAP 1.1 ERP stock service on the loopback interface, for connector tests and benches.

spyne builds the service and generates its WSDL; a threading WSGI server serves it in a thread.
It checks a WS-Security UsernameToken (PasswordText or PasswordDigest) on every call and
answers a refused one with the WS-Security fault ``FailedAuthentication``. Tests script
failures: a Server fault, a Client fault, an ERP sub-code, or a slow answer (for timeouts).
spyne is a development dependency: import this module only from tests and benchmarks.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.util
import sys
import threading
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal as Dec
from socketserver import ThreadingMixIn
from typing import Any, Literal
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

with warnings.catch_warnings():  # spyne's vendored six warns on import under Python 3.11
    warnings.simplefilter("ignore")
    from spyne import (
        Application,
        Array,
        ComplexModel,
        DateTime,
        Decimal,
        Fault,
        Integer,
        ServiceBase,
        Unicode,
        rpc,
    )
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication


def _quiet_six_importer() -> None:
    """Give spyne's vendored ``six`` importer the ``find_spec`` Python 3.4+ looks for.

    The old importer stays last in ``sys.meta_path``; without ``find_spec`` every later import
    of a *missing* module (an optional dependency probing, e.g. urllib3's brotli) warns with
    ImportWarning, which the suite turns into an error. Names it does not serve get None.
    """
    for finder in sys.meta_path:
        if type(finder).__name__ != "_SixMetaPathImporter" or hasattr(finder, "find_spec"):
            continue
        setattr(finder, "find_spec", _six_find_spec(finder))  # noqa: B010  # a method it lacks


def _six_find_spec(finder: Any) -> Any:
    known: dict[str, object] = finder.known_modules

    def find_spec(
        fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in known:
            return None
        return importlib.util.spec_from_loader(fullname, finder)

    return find_spec


_quiet_six_importer()

__all__ = ["ERP_NAMESPACE", "FaultKind", "LocalErpServer", "Receipt"]

ERP_NAMESPACE = "urn:crossdock:example-erp:stock"
_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_DIGEST = "PasswordDigest"

#: failures a test can script for the next call(s)
FaultKind = Literal["server", "client", "locked", "slow"]


@dataclass(frozen=True, slots=True)
class Receipt:
    """A goods receipt as the ERP keeps it."""

    receipt_id: int
    location_id: str
    sku: str
    quantity: Dec
    received_at: datetime
    po_number: str
    gtin: str | None = None
    unit: str = "EA"


class GoodsReceipt(ComplexModel):  # type: ignore[misc]  # spyne is untyped
    """Wire type of a goods receipt."""

    __namespace__ = ERP_NAMESPACE
    receipt_id = Integer
    location_id = Unicode
    sku = Unicode
    gtin = Unicode
    quantity = Decimal
    unit = Unicode
    received_at = DateTime
    po_number = Unicode


class StockAdjustment(ComplexModel):  # type: ignore[misc]
    """Wire type of a stock adjustment pushed to the ERP; ``adjustment_id`` is idempotent."""

    __namespace__ = ERP_NAMESPACE
    adjustment_id = Unicode(min_occurs=1, nillable=False)
    location_id = Unicode
    sku = Unicode
    quantity_delta = Decimal
    unit = Unicode
    reason = Unicode
    occurred_at = DateTime


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Tests read assertions, not access logs."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LocalErpServer:
    """The ERP on 127.0.0.1; use as a context manager. State is inspectable and scriptable."""

    def __init__(self, *, users: dict[str, str] | None = None) -> None:
        self.users = dict(users if users is not None else {"erp-user": "erp-pass"})
        self.receipts: list[Receipt] = []
        #: adjustments received, by adjustment id (a repeated id is not applied twice)
        self.adjustments: dict[str, dict[str, Any]] = {}
        #: operation names as they arrived (refused ones included)
        self.calls: list[str] = []
        self._script: deque[FaultKind] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.slow_seconds = 5.0
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The service address."""
        assert self._server is not None, "the server is not started"
        return f"http://127.0.0.1:{self._server.server_port}/erp"

    @property
    def wsdl_url(self) -> str:
        """Where spyne serves the WSDL it generates."""
        return self.url + "?wsdl"

    def fail_next(self, kind: FaultKind, times: int = 1) -> None:
        """Answer the next ``times`` calls with ``kind`` instead of doing them."""
        with self._lock:
            self._script.extend([kind] * times)

    def start(self) -> LocalErpServer:
        """Serve on a free port."""
        app = Application(
            [self._service()],
            tns=ERP_NAMESPACE,
            name="StockService",
            in_protocol=Soap11(validator="lxml"),
            out_protocol=Soap11(),
        )
        self._server = make_server(
            "127.0.0.1",
            0,
            WsgiApplication(app),
            server_class=_ThreadingServer,
            handler_class=_Quiet,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a scripted slow answer in progress is released."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    def __enter__(self) -> LocalErpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the service --------------------------------------------------------------------------
    def _scripted(self) -> FaultKind | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _check(self, ctx: Any, operation: str) -> None:
        """WS-Security UsernameToken, then whatever failure the test scripted."""
        self.calls.append(operation)
        if not self._authenticated(ctx.in_header_doc or []):
            raise Fault(
                faultcode="Client.FailedAuthentication",
                faultstring="The security token could not be authenticated or authorized",
            )
        kind = self._scripted()
        if kind == "server":
            raise Fault(faultcode="Server", faultstring="stock ledger unavailable, try later")
        if kind == "client":
            raise Fault(faultcode="Client.InvalidRequest", faultstring="request refused")
        if kind == "locked":
            raise Fault(faultcode="Server.ERP_LOCKED", faultstring="period closing in progress")
        if kind == "slow":
            self._release.wait(self.slow_seconds)

    def _authenticated(self, headers: list[Any]) -> bool:
        for header in headers:
            token = header.find(f"{{{_WSSE}}}UsernameToken")
            if token is None:
                continue
            user = token.findtext(f"{{{_WSSE}}}Username")
            password = token.find(f"{{{_WSSE}}}Password")
            expected = self.users.get(user or "")
            if expected is None or password is None:
                return False
            if (password.get("Type") or "").endswith(_DIGEST):
                nonce = base64.b64decode(token.findtext(f"{{{_WSSE}}}Nonce") or "")
                created = (token.findtext(f"{{{_WSU}}}Created") or "").encode()
                digest = hashlib.sha1(
                    nonce + created + expected.encode()
                ).digest()  # the profile's algorithm
                return base64.b64encode(digest).decode() == (password.text or "")
            return bool(password.text == expected)
        return False

    def _service(self) -> type:
        server = self

        class StockService(ServiceBase):  # type: ignore[misc]
            @rpc(Integer, Integer, _returns=Array(GoodsReceipt))  # type: ignore[untyped-decorator]
            def GetGoodsReceipts(ctx: Any, after_id: int, limit: int) -> Iterator[GoodsReceipt]:
                server._check(ctx, "GetGoodsReceipts")
                chosen = sorted(
                    (r for r in server.receipts if r.receipt_id > (after_id or 0)),
                    key=lambda r: r.receipt_id,
                )[: limit or 100]
                return iter(
                    [
                        GoodsReceipt(
                            receipt_id=r.receipt_id,
                            location_id=r.location_id,
                            sku=r.sku,
                            gtin=r.gtin,
                            quantity=r.quantity,
                            unit=r.unit,
                            received_at=r.received_at,
                            po_number=r.po_number,
                        )
                        for r in chosen
                    ]
                )

            @rpc(StockAdjustment, _returns=Unicode)  # type: ignore[untyped-decorator]
            def PostStockAdjustment(ctx: Any, adjustment: Any) -> str:
                server._check(ctx, "PostStockAdjustment")
                if adjustment is None or not adjustment.adjustment_id:
                    raise Fault(faultcode="Client.MissingId", faultstring="adjustment_id missing")
                if str(adjustment.sku or "").startswith("UNKNOWN"):
                    raise Fault(
                        faultcode="Client.UnknownSku", faultstring=f"no SKU {adjustment.sku}"
                    )
                with server._lock:
                    if adjustment.adjustment_id in server.adjustments:
                        return "duplicate"
                    server.adjustments[adjustment.adjustment_id] = {
                        "location_id": adjustment.location_id,
                        "sku": adjustment.sku,
                        "quantity_delta": adjustment.quantity_delta,
                        "unit": adjustment.unit,
                        "reason": adjustment.reason,
                    }
                return "accepted"

        return StockService
