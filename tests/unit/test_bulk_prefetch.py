"""The bulk loader's read-ahead thread: order kept, errors surface in order, early stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loaders.bulk_load import prefetched
from loaders.rows import GraphRows
from loaders.s2_datasets import Chunk, DatasetError


def chunks(n: int, fail_at: int | None = None) -> Iterator[Chunk]:
    for i in range(n):
        if i == fail_at:
            raise DatasetError(Path("citations.jsonl"), i, "changed while loading")
        yield Chunk("citations", Path("citations.jsonl"), i, 0, GraphRows())


def test_order_is_kept() -> None:
    assert [c.records for c in prefetched(chunks(50))] == list(range(50))


def test_an_error_surfaces_after_the_chunks_before_it() -> None:
    seen: list[int] = []
    with pytest.raises(DatasetError, match=r"citations\.jsonl:3: changed while loading"):
        for c in prefetched(chunks(10, fail_at=3)):
            seen.append(c.records)
    assert seen == [0, 1, 2]


def test_consumer_stopping_early_releases_the_reader() -> None:
    it = prefetched(chunks(1000), depth=1)
    assert next(it).records == 0
    it.close()  # runs the finally: the reader thread is told to stop and joined
