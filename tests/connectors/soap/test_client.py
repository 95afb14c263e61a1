"""The SOAP client against spyne's server: calls, faults of each class, timeouts, WS-Security."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import Response

from connectors.sdk import Action, FailureType, RetryPolicy, retrying
from connectors.sdk.decisions import SDK_TABLE
from connectors.soap.client import SoapClient, classify_fault
from connectors.soap.erp_stock import ErpStockConfig
from connectors.soap.errors import (
    SOAP_ERROR_ROWS,
    SoapAuthRefused,
    SoapClientFault,
    SoapProtocolFault,
    SoapServerFault,
    SoapTimeout,
    SoapUnavailable,
    WsdlError,
)
from connectors.soap.testing import LocalErpServer
from tests.connectors.rest.server import serve
from tests.connectors.soap.conftest import PASSWORD, receipts

TABLE = SDK_TABLE.extend(SOAP_ERROR_ROWS)


def _policy() -> RetryPolicy:
    return RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, table=TABLE)


def test_a_call_returns_the_services_answer(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(3))
    client = SoapClient(make_config())
    answer = client.call("GetGoodsReceipts", after_id=1, limit=10)
    assert [r.receipt_id for r in answer] == [2, 3]
    assert client.operations() == ["GetGoodsReceipts", "PostStockAdjustment"]


def test_a_server_fault_is_transient_and_retried_until_it_passes(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(1))
    client = SoapClient(make_config())
    erp.fail_next("server")
    seen: list[BaseException] = []
    answer = retrying(
        _policy(),
        lambda: client.call("GetGoodsReceipts", after_id=0, limit=5),
        on_retry=lambda exc, _n: seen.append(exc),
        sleep=lambda _s: None,
    )
    assert len(answer) == 1
    assert len(seen) == 1
    assert isinstance(seen[0], SoapServerFault)
    assert TABLE.decide(seen[0]).action is Action.RETRY
    assert erp.calls == ["GetGoodsReceipts", "GetGoodsReceipts"]


def test_a_client_fault_is_permanent_and_not_retried(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    client = SoapClient(make_config())
    erp.fail_next("client", times=3)
    with pytest.raises(SoapClientFault) as info:
        retrying(_policy(), lambda: client.call("GetGoodsReceipts", after_id=0, limit=5))
    assert info.value.code.endswith("Client.InvalidRequest")
    assert TABLE.decide(info.value).action is Action.DEAD_LETTER
    assert erp.calls == ["GetGoodsReceipts"]  # asked once, never again


def test_an_erp_sub_code_listed_as_transient_is_retried(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.fail_next("locked")
    client = SoapClient(make_config(permanent_fault_codes=["ERP_LOCKED"]))
    with pytest.raises(SoapClientFault):  # the operator said: a lock is final for us
        client.call("GetGoodsReceipts", after_id=0, limit=5)
    erp.fail_next("locked")
    client = SoapClient(make_config(transient_fault_codes=["ERP_LOCKED"]))
    with pytest.raises(SoapServerFault, match="period closing"):
        client.call("GetGoodsReceipts", after_id=0, limit=5)


def test_a_slow_answer_times_out_as_a_transient_error(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    # 2 s: a loaded CI machine once took over 0.5 s for the warm-up call itself; the scripted
    # slow answer still waits 5 s, so the limit is what ends the call
    client = SoapClient(make_config(operation_timeout=2.0))
    client.call("GetGoodsReceipts", after_id=0, limit=1)  # the WSDL is loaded; now time the call
    erp.fail_next("slow")
    with pytest.raises(SoapTimeout, match=r"within 2\.0 s") as info:
        client.call("GetGoodsReceipts", after_id=0, limit=1)
    assert TABLE.decide(info.value).action is Action.RETRY
    assert isinstance(info.value, TimeoutError)


def test_ws_security_username_token_is_accepted_as_text_and_digest(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(2))
    assert len(SoapClient(make_config()).call("GetGoodsReceipts", after_id=0, limit=5)) == 2
    digest = SoapClient(make_config(password_digest=True))
    assert len(digest.call("GetGoodsReceipts", after_id=0, limit=5)) == 2


@pytest.mark.parametrize(
    "overrides",
    [{"password": "wrong"}, {"username": "nobody"}, {"username": None, "password": None}],
    ids=["bad-password", "unknown-user", "no-token"],
)
def test_ws_security_refused_fails_the_connector(
    make_config: Callable[..., ErpStockConfig], overrides: dict[str, object]
) -> None:
    client = SoapClient(make_config(**overrides))
    with pytest.raises(SoapAuthRefused, match="FailedAuthentication") as info:
        client.call("GetGoodsReceipts", after_id=0, limit=5)
    decision = TABLE.decide(info.value)
    assert (decision.action, decision.failure) == (Action.FAIL, FailureType.CONFIG)


def test_the_wire_log_shows_the_call_but_never_the_password(
    erp: LocalErpServer,
    make_config: Callable[..., ErpStockConfig],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="connectors.soap.wire")
    for digest in (False, True):
        SoapClient(make_config(password_digest=digest)).call(
            "GetGoodsReceipts", after_id=0, limit=5
        )
    wire = [r.getMessage() for r in caplog.records if r.name == "connectors.soap.wire"]
    assert len(wire) == 4  # two requests, two responses
    assert all(PASSWORD not in line for line in wire)
    requests_logged = [line for line in wire if line.startswith("SOAP request")]
    assert all("GetGoodsReceipts" in line for line in requests_logged)
    assert all("erp-user" in line for line in requests_logged)  # who called is worth logging
    assert all("<wsse:Password" in line and ">***<" in line for line in requests_logged)
    assert "<wsse:Nonce" in requests_logged[1]  # the digest's nonce is masked too
    assert requests_logged[1].count(">***<") >= 2


def test_an_unreachable_endpoint_is_transient(make_config: Callable[..., ErpStockConfig]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = SoapClient(make_config(wsdl=f"http://127.0.0.1:{port}/erp?wsdl"))
    with pytest.raises(SoapUnavailable):
        client.call("GetGoodsReceipts", after_id=0, limit=5)


def test_a_missing_wsdl_or_operation_is_a_config_failure(
    make_config: Callable[..., ErpStockConfig], tmp_path: Path
) -> None:
    with pytest.raises(WsdlError):
        SoapClient(make_config(wsdl=str(tmp_path / "none.wsdl"))).call("GetGoodsReceipts")
    with pytest.raises(WsdlError, match="no operation 'Nope'"):
        SoapClient(make_config()).call("Nope")
    assert TABLE.decide(WsdlError("x")).action is Action.FAIL


def test_the_endpoint_can_be_overridden(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    erp.receipts.extend(receipts(1))
    client = SoapClient(make_config(endpoint=erp.url))
    assert len(client.call("GetGoodsReceipts", after_id=0, limit=5)) == 1


def test_an_http_200_that_is_no_soap_envelope_is_named_an_unreadable_answer(
    erp: LocalErpServer, make_config: Callable[..., ErpStockConfig]
) -> None:
    proxy = FastAPI()  # a proxy in front of the ERP answering its login page with 200

    @proxy.post("/erp")
    def login_page() -> Response:
        return Response("<html><body>Please log in</body>", media_type="text/html")

    with serve(proxy) as url:
        client = SoapClient(make_config(endpoint=f"{url}/erp"))
        with pytest.raises(SoapProtocolFault) as info:
            client.call("GetGoodsReceipts", after_id=0, limit=5)
    message = str(info.value)
    assert "GetGoodsReceipts" in message
    assert f"{url}/erp" in message
    assert "HTTP 200" not in message


@pytest.mark.parametrize(
    ("code", "subcodes", "expected"),
    [
        ("soap11env:Client", [], SoapClientFault),
        ("soap11env:Server.Timeout", [], SoapServerFault),
        ("{http://www.w3.org/2003/05/soap-envelope}Sender", [], SoapClientFault),
        ("soap:Receiver", [], SoapServerFault),
        ("soap:Sender", ["wsse:FailedAuthentication"], SoapAuthRefused),
        ("wsse:InvalidSecurityToken", [], SoapAuthRefused),
        ("soap11env:VersionMismatch", [], SoapProtocolFault),
        ("soap11env:MustUnderstand", [], SoapProtocolFault),
        ("erp:Whatever", [], SoapProtocolFault),
    ],
)
def test_fault_codes_are_classified_by_soap_11_and_12_rules(
    code: str, subcodes: list[str], expected: type[Exception]
) -> None:
    fault = classify_fault("Op", code, "why", subcodes=subcodes)
    assert type(fault) is expected
    assert TABLE.decide(fault).retryable is (expected is SoapServerFault)
