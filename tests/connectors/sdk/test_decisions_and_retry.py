"""The one decision table (classes and HTTP statuses) and the backoff layer that only waits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.sdk import (
    SDK_TABLE,
    Action,
    AuthExpired,
    ConnectorTimeout,
    Decision,
    FailureType,
    HttpStatusError,
    RateLimited,
    RecordError,
    RetryPolicy,
    TransientConnectorError,
    retrying,
)
from hub.errors import PublishNotConfirmed
from hub.retry import DEFAULT_TABLE
from mappings import MappingError


def _http(status: int) -> HttpStatusError:
    return HttpStatusError(status, "https://peer.test/x")


@pytest.mark.parametrize(
    ("status", "action", "failure"),
    [
        (400, Action.DEAD_LETTER, FailureType.DATA),
        (401, Action.REFRESH_AUTH, FailureType.CONFIG),
        (403, Action.FAIL, FailureType.CONFIG),
        (404, Action.DEAD_LETTER, FailureType.DATA),
        (408, Action.RETRY, FailureType.TRANSIENT),
        (418, Action.DEAD_LETTER, FailureType.DATA),  # any other 4xx: the range row
        (429, Action.RATE_LIMITED, FailureType.TRANSIENT),
        (500, Action.RETRY, FailureType.TRANSIENT),
        (501, Action.FAIL, FailureType.SYSTEM),
        (502, Action.RETRY, FailureType.TRANSIENT),
        (503, Action.RATE_LIMITED, FailureType.TRANSIENT),
    ],
)
def test_http_statuses_map_to_an_action_and_a_failure_type(
    status: int, action: Action, failure: FailureType
) -> None:
    assert SDK_TABLE.decide(_http(status)) == Decision(action, failure)


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (RateLimited("slow down", retry_after=3), Action.RATE_LIMITED),
        (ConnectorTimeout("no answer"), Action.RETRY),
        (EOFError(), Action.RETRY),
        (TransientConnectorError("reset"), Action.RETRY),
        (AuthExpired("token expired"), Action.REFRESH_AUTH),
        (RecordError("f.csv:line 3", "bad"), Action.DEAD_LETTER),
        (
            MappingError(
                spec_id="s", spec_version=1, field="f", source_path="p", value=1, reason="why"
            ),
            Action.DEAD_LETTER,
        ),
        (KeyError("x"), Action.DEAD_LETTER),  # unknown: kept, never dropped
    ],
)
def test_exception_classes_are_decided_along_their_mro(exc: Exception, action: Action) -> None:
    assert SDK_TABLE.decide(exc).action is action


def test_any_exception_carrying_a_status_code_is_decided_by_it() -> None:
    class PeerSaid(Exception):
        status_code = 429

    assert SDK_TABLE.decide(PeerSaid()).action is Action.RATE_LIMITED


def test_a_connector_row_overrides_the_shared_one_and_an_exact_status_beats_its_range() -> None:
    table = SDK_TABLE.extend({409: Decision(Action.RETRY, FailureType.TRANSIENT)})
    assert table.decide(_http(409)).action is Action.RETRY
    assert table.decide(_http(410)).action is Action.DEAD_LETTER
    assert SDK_TABLE.decide(_http(409)).action is Action.DEAD_LETTER  # the shared table unchanged


def test_the_hub_table_is_the_sdk_table_plus_the_runtime_rows() -> None:
    assert DEFAULT_TABLE.decide(_http(429)).action is Action.RATE_LIMITED
    assert DEFAULT_TABLE.decide(PublishNotConfirmed("nack")).action is Action.RETRY
    assert SDK_TABLE.decide(PublishNotConfirmed("nack")).action is Action.DEAD_LETTER


def _flaky(failures: list[BaseException]) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    return fn, calls


FAST = RetryPolicy(max_attempts=4, initial_wait=0.001, max_wait=0.002, jitter=0)


def test_a_rate_limited_failure_waits_what_the_peer_asked_capped() -> None:
    sleeps: list[float] = []
    fn, _ = _flaky([RateLimited("a", retry_after=7), RateLimited("b", retry_after=9000)])
    policy = RetryPolicy(max_attempts=4, max_retry_after=60)
    assert retrying(policy, fn, sleep=sleeps.append) == "ok"
    assert sleeps == [7.0, 60.0]


def test_a_401_refreshes_the_auth_once_then_retries() -> None:
    refreshed: list[int] = []
    fn, calls = _flaky([_http(401)])
    assert retrying(FAST, fn, refresh_auth=lambda: refreshed.append(1) or True) == "ok"
    assert refreshed == [1]
    assert len(calls) == 2


def test_a_second_401_right_after_a_refresh_is_final() -> None:
    fn, calls = _flaky([_http(401), _http(401), _http(401)])
    with pytest.raises(HttpStatusError):
        retrying(FAST, fn, refresh_auth=lambda: True)
    assert len(calls) == 2


def test_a_401_with_nothing_to_refresh_is_final_at_once() -> None:
    fn, calls = _flaky([_http(401)])
    with pytest.raises(HttpStatusError):
        retrying(FAST, fn, refresh_auth=lambda: False)
    assert len(calls) == 1


def test_a_permanent_failure_is_raised_unchanged_after_one_attempt() -> None:
    fn, calls = _flaky([_http(404)])
    with pytest.raises(HttpStatusError) as info:
        retrying(FAST, fn)
    assert info.value.status == 404
    assert len(calls) == 1


def test_an_outer_layer_does_not_retry_what_an_inner_layer_gave_up_on() -> None:
    inner_calls: list[int] = []

    def inner() -> str:
        def fail() -> str:
            inner_calls.append(1)
            raise TransientConnectorError("still down")

        return retrying(FAST, fail)

    with pytest.raises(TransientConnectorError) as info:
        retrying(FAST, inner)
    assert len(inner_calls) == FAST.max_attempts  # 4, not 4 x 4
    assert getattr(info.value, "retry_exhausted", False) is True


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("2.0", 2.0),  # Shopify's form
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        ("-1", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    from connectors.rest import parse_retry_after

    now = 1445412480.0  # 07:28:00 GMT that day
    assert parse_retry_after(header, now=now) == seconds
