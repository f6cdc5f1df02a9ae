"""The order `make test`'s workers take the suite's files in: the longest first.

pytest-xdist (``--dist loadfile``) hands each worker whole files from one
queue. Left to itself it queues files by their number of tests, so files
with one or two long tests (a Neo4j killed mid-load, the importer's dumps)
came last and one worker ran them alone while the other sat idle: 57 s of
a 299 s parallel run on 2 cores (28 Nov 2026). Queued longest first, the
short files fill the gaps at the end instead (the longest-processing-time
rule). The Makefile passes ``--no-loadscope-reorder`` so xdist keeps this
order; plain ``pytest`` runs keep the collection order.

The seconds below are what each file took in that run on the 2-core
machine (its first file on a worker also pays that worker's Neo4j start).
They only decide the order, never a result: a stale figure costs time,
not correctness, and a file not listed counts a tenth of a second a test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

SECONDS: dict[str, float] = {
    "tests/integration/test_offline_load.py": 66,
    "tests/integration/test_load_neo4j_restart.py": 31,
    "tests/integration/test_bulk_load.py": 28,
    "tests/integration/test_one_writer.py": 27,
    "tests/integration/test_load_openalex_kill.py": 22,
    "tests/integration/test_load_bad_input.py": 22,
    "tests/integration/test_load_command.py": 22,
    "tests/integration/api/test_explorer_browser.py": 21,
    "tests/unit/test_api_refusals.py": 19,
    "tests/integration/test_foundation.py": 16,
    "tests/integration/api/test_api_queries.py": 16,
    "tests/integration/test_installed_package.py": 15,
    "tests/integration/api/test_api_compiled_reads.py": 14,
    "tests/integration/test_load_openalex.py": 14,
    "tests/integration/test_load_pipeline.py": 13,
    "tests/integration/api/test_api_recommend_communities.py": 12,
    "tests/integration/test_load_faults.py": 11,
    "tests/integration/api/test_api_mutations.py": 10,
    "tests/integration/api/test_api_abuse.py": 10,
    "tests/integration/test_analytics_store.py": 8,
    "tests/integration/api/test_api_cookbook.py": 8,
    "tests/integration/test_make_run.py": 8,
    "tests/integration/api/test_api_compiled.py": 7,
    # Added later (two imports of a small CSV), measured alone: 4.6 s.
    "tests/integration/test_import_launcher.py": 5,
}
UNLISTED_SECONDS_PER_TEST = 0.1


class Located(Protocol):
    @property
    def nodeid(self) -> str: ...


T = TypeVar("T", bound=Located)


def file_of(nodeid: str) -> str:
    """The file part of a test id.

    >>> file_of("tests/unit/test_rows.py::test_one[a::b]")
    'tests/unit/test_rows.py'
    """
    return nodeid.split("::", 1)[0]


def longest_first(items: Sequence[T]) -> list[T]:
    """``items`` grouped by file, the files longest first, each file's tests in place.

    Files of equal weight keep the order they were collected in.

    >>> class I:
    ...     def __init__(self, nodeid: str) -> None:
    ...         self.nodeid = nodeid
    >>> ids = ["a.py::t1", "tests/integration/test_make_run.py::t", "a.py::t2",
    ...        "tests/integration/test_offline_load.py::t"]
    >>> [i.nodeid for i in longest_first([I(n) for n in ids])]  # doctest: +NORMALIZE_WHITESPACE
    ['tests/integration/test_offline_load.py::t', 'tests/integration/test_make_run.py::t',
     'a.py::t1', 'a.py::t2']
    """
    by_file: dict[str, list[T]] = {}
    for item in items:
        by_file.setdefault(file_of(item.nodeid), []).append(item)

    def weight(path: str) -> float:
        return SECONDS.get(path, UNLISTED_SECONDS_PER_TEST * len(by_file[path]))

    files = sorted(by_file, key=weight, reverse=True)  # sorted() is stable: ties keep order
    return [item for path in files for item in by_file[path]]
