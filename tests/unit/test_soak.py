"""bench/soak.py: its arguments and the memory verdict (the soak itself runs under `make soak`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ runs from the checkout, like `python -m bench.soak`
    sys.path.insert(0, str(ROOT))

from bench.soak import MAX_GROWTH, memory_verdict, parse_args  # noqa: E402

MIB = 2**20


def test_defaults_are_the_promised_soak() -> None:
    args = parse_args([])
    assert (args.connections, args.duration, args.papers) == (32, 120.0, 5000)
    with pytest.raises(SystemExit):
        parse_args(["--duration", "25", "--warmup", "20"])


def series(start: int, per_second: float, seconds: int = 120) -> list[tuple[float, int]]:
    # A warm-up jump in the first 20 s, then a steady slope.
    return [
        (float(t), int((start + (60 if t >= 5 else 0) + per_second * t) * MIB))
        for t in range(seconds)
    ]


def test_flat_memory_after_warm_up_passes_even_after_a_warm_up_jump() -> None:
    verdict = memory_verdict(series(100, 0.01), warmup_s=20.0)
    assert verdict["flat"] is True
    assert 0 <= verdict["growth"] < 0.01
    assert verdict["peakBytes"] >= verdict["endBytes"] > verdict["startBytes"]


def test_a_steady_leak_fails() -> None:
    verdict = memory_verdict(series(100, 0.5), warmup_s=20.0)
    assert verdict["flat"] is False
    assert verdict["growth"] > MAX_GROWTH


def test_too_short_or_empty_runs_are_not_judged_flat() -> None:
    assert memory_verdict([], 20.0)["flat"] is False
    assert memory_verdict(series(100, 0.0, seconds=15), 20.0)["flat"] is False
