"""The mutation gate: key check in constant time, token buckets, bounded memory."""

from __future__ import annotations

import hmac
import logging

import pytest
from pydantic import SecretStr

from graph_api.service.mutation_auth import (
    MAX_CLIENT_BUCKETS,
    MutationGate,
    MutationsDisabled,
    RateLimited,
    TokenBucket,
    Unauthenticated,
    key_id,
)
from graph_api.settings import Settings

KEY = "unit-test-key-0123456789"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate(clock: FakeClock, **update: object) -> MutationGate:
    settings = Settings(citekb_api_key=SecretStr(KEY)).model_copy(update=update)
    return MutationGate(settings, clock=clock)


@pytest.mark.parametrize("key", [None, SecretStr("")])
def test_no_key_configured_disables_every_mutation(key: SecretStr | None) -> None:
    g = MutationGate(Settings(citekb_api_key=key))
    assert not g.enabled
    with pytest.raises(MutationsDisabled, match="CITEKB_API_KEY"):
        g.admit(f"Bearer {KEY}", "c")
    with pytest.raises(MutationsDisabled):
        g.admit(None, "c")


def test_the_key_is_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    g = gate(FakeClock())
    assert g.admit(f"Bearer {KEY}", "c") == key_id(KEY)
    with pytest.raises(Unauthenticated):
        g.admit("Bearer not-it", "c")
    assert calls == [(KEY.encode(), KEY.encode()), (b"not-it", KEY.encode())]


def test_per_key_bucket_refills_at_the_configured_rate() -> None:
    clock = FakeClock()
    g = gate(clock, api_mutation_burst=2, api_mutations_per_minute=6.0)
    g.admit(f"Bearer {KEY}", "a")
    g.admit(f"Bearer {KEY}", "b")  # same key from another address: same bucket
    with pytest.raises(RateLimited) as info:
        g.admit(f"Bearer {KEY}", "c")
    assert info.value.retry_after_s == 10.0
    clock.now += 10.0
    g.admit(f"Bearer {KEY}", "a")
    with pytest.raises(RateLimited):
        g.admit(f"Bearer {KEY}", "a")


def test_the_key_is_checked_before_any_failure_bucket() -> None:
    clock = FakeClock()
    g = gate(clock, api_mutation_burst=2, api_mutations_per_minute=60.0)
    for guess in ("x", "y"):
        with pytest.raises(Unauthenticated):
            g.admit(f"Bearer {guess}", "guesser")
    # The address's failure bucket is empty: more guesses are throttled...
    with pytest.raises(RateLimited, match="from this client"):
        g.admit("Bearer z", "guesser")
    # ... but the right key from that same address is not.
    assert g.admit(f"Bearer {KEY}", "guesser").startswith("key:")
    with pytest.raises(Unauthenticated):
        g.admit("Bearer nope", "someone-else")  # other addresses have their own bucket
    clock.now += 1.0
    with pytest.raises(Unauthenticated):
        g.admit("Bearer x", "guesser")  # refilled


def test_failures_are_counted_per_address_and_in_total() -> None:
    clock = FakeClock()
    g = gate(clock, api_mutation_burst=5, api_auth_failures_burst=3)
    for i in range(3):
        with pytest.raises(Unauthenticated):
            g.admit("Bearer wrong", f"10.0.0.{i}")
    # A fresh address does not give a fresh budget: the all-clients bucket is empty.
    with pytest.raises(RateLimited, match="on this server"):
        g.admit("Bearer wrong", "10.0.0.99")
    assert g.failures_total == 4
    assert g.failures_by_client["10.0.0.99"] == 1 and g.failures_by_client["10.0.0.0"] == 1
    assert g.admit(f"Bearer {KEY}", "10.0.0.99").startswith("key:")


def test_client_buckets_are_bounded() -> None:
    g = gate(FakeClock(), api_auth_failures_burst=MAX_CLIENT_BUCKETS * 2)
    for i in range(MAX_CLIENT_BUCKETS + 50):
        with pytest.raises(Unauthenticated):
            g.admit(None, f"client-{i}")
    assert len(g._client_buckets) == MAX_CLIENT_BUCKETS
    assert "client-0" not in g._client_buckets
    assert len(g.failures_by_client) == MAX_CLIENT_BUCKETS


def test_key_id_and_logs_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    assert KEY not in key_id(KEY) and KEY[:8] not in key_id(KEY)
    g = gate(FakeClock(), api_mutation_burst=1)
    with caplog.at_level(logging.DEBUG):
        g.admit(f"Bearer {KEY}", "c")
        for header in (f"Bearer {KEY}", f"Bearer {KEY}-wrong", None):
            with pytest.raises((RateLimited, Unauthenticated)):
                g.admit(header, "c")
    assert caplog.records
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_bucket_with_no_refill_reports_a_long_wait() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=1, rate_per_s=0.0, clock=clock)
    assert bucket.take() == 0.0
    assert bucket.take() == float("inf")
    g = gate(clock, api_mutation_burst=1, api_mutations_per_minute=0.0)
    g.admit(f"Bearer {KEY}", "c")
    with pytest.raises(RateLimited, match="retry in 3600 s"):
        g.admit(f"Bearer {KEY}", "c")
