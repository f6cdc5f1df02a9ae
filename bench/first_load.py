"""First load through the offline importer (`citekb load DIR --importer`), build against build.

Each ``--citekb`` is a ``citekb`` executable (this tree's by default; another
worktree's venv gives "today's path" in the same run). For every round and
every build, in turn: a fresh instance (a temporary cache folder whose Neo4j
jars, class archives and Browser jar are the real cache's, by symlink, and
whose ``instances/default`` is new), ``citekb db up`` (not timed), then
``citekb load DIR --importer`` timed as a whole, its phases as it prints
them, the load average before and after, and how long after the command
returned every index was online (``db.awaitIndexes``), then ``citekb db
down``. Nothing else of the machine is used; run it under the bench lock::

    flock /work/bench.lock python -m bench.first_load --papers 100000 \\
        --citekb /path/to/main/.venv/bin/citekb --citekb .venv/bin/citekb --rounds 2
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import results
from bench.corpus import citekb_command, ensure_corpus
from bench.ingest import importer_figures
from graph_api.server import neo4j_server, neo4j_tools
from graph_api.server.neo4j_import import reported_seconds
from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_counts


def _instance(settings: Settings) -> tuple[Path, dict[str, str]]:
    """A cache folder sharing the real jars and archives, with a new instance; its environment."""
    cache = Path(tempfile.mkdtemp(prefix="citekb-bench-first-load-"))
    version = settings.neo4j_version
    real = settings.citekb_cache_dir
    (cache / "neo4j").mkdir()
    (cache / "neo4j" / version).symlink_to(real / "neo4j" / version, target_is_directory=True)
    browser = neo4j_tools.browser_jar(settings).parent
    if browser.is_dir():
        (cache / "neo4j-browser").mkdir()
        (cache / "neo4j-browser" / browser.name).symlink_to(browser, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    env.update(
        CITEKB_CACHE_DIR=str(cache),
        CITEKB_NEO4J_MODE="local",
        NEO4J_BOLT_PORT=str(neo4j_server.free_port()),
        NEO4J_HTTP_PORT=str(neo4j_server.free_port()),
        COLUMNS="200",
    )
    return cache, env


_STAGE = re.compile(r"([A-Z][^\n]*?), started [^\n]*\n(?:[^\n]*\n)*?Done in ([0-9hms ]+)")


def importer_stages(log: str) -> dict[str, float]:
    """The importer's stages and their seconds, from its ``--verbose`` log.

    >>> importer_stages("Nodes, started 2026-11-28 13:38:45.140+0000\\nDone in 2s 306ms\\n")
    {'Nodes': 2.306}
    """
    # Its heap warning ends without a line break, just before "Nodes, started".
    return {
        name.rsplit("GiB", 1)[-1]: reported_seconds(f"IMPORT DONE in {took}") or 0.0
        for name, took in _STAGE.findall(log)
    }


def one_load(citekb: list[str], corpus_dir: Path, settings: Settings) -> dict[str, Any]:
    cache, env = _instance(settings)
    uri = f"bolt://127.0.0.1:{env['NEO4J_BOLT_PORT']}"
    try:
        up = subprocess.run(
            [*citekb, "db", "up"], env=env, capture_output=True, text=True, check=False
        )
        if up.returncode != 0:
            return {"ok": False, "error": (up.stdout + up.stderr)[-500:]}
        load_before = results.load_average()
        started = time.perf_counter()
        done = subprocess.run(
            [*citekb, "load", str(corpus_dir), "--importer"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        load_after = results.load_average()
        import_log = cache / "neo4j" / "instances" / "default" / "logs" / "import.log"
        stages = importer_stages(import_log.read_text(encoding="utf-8", errors="replace"))
        run_settings = settings.model_copy(update={"neo4j_uri": uri})
        with graph_store.driver_for(run_settings, uri) as driver:
            graph_store.await_indexes(driver, settings.neo4j_database)
            online = time.perf_counter() - started
            counts = graph_counts(driver, database=settings.neo4j_database)
        return {
            "ok": done.returncode == 0,
            "wallS": round(wall, 2),
            "indexesOnlineS": round(online, 2),
            # The CLI's console writes to stderr.
            **importer_figures(done.stdout + done.stderr, counts.get("cites", 0)),
            "importerStages": stages,
            "counts": counts,
            "loadAverageBefore": load_before,
            "loadAverageAfter": load_after,
            "outputTail": done.stdout.splitlines()[-4:] + done.stderr.splitlines()[-4:],
        }
    finally:
        subprocess.run([*citekb, "db", "down"], env=env, capture_output=True, check=False)
        shutil.rmtree(cache, ignore_errors=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.first_load", description=__doc__.split("\n")[0]
    )
    p.add_argument("--papers", type=int, default=100_000, help="corpus size (synthetic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--citekb",
        action="append",
        default=None,
        help="a citekb executable to time (repeatable; default: this environment's)",
    )
    p.add_argument("--rounds", type=int, default=1, help="rounds over all builds, alternating")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    settings = Settings()
    corpus = ensure_corpus(args.papers, args.seed, settings)
    builds = [[c] for c in args.citekb] if args.citekb else [citekb_command()]
    payload = results.new_payload("first_load", corpus=corpus.describe(), runs=[])
    for round_no in range(args.rounds):
        for build in builds:
            run = {
                "round": round_no,
                "citekb": " ".join(build),
                **one_load(build, corpus.path, settings),
            }
            payload["runs"].append(run)
            print(
                f"round {round_no} {run['citekb']}: wall {run.get('wallS')} s,"
                f" indexes online {run.get('indexesOnlineS')} s, phases {run.get('phases')},"
                f" importer reports {run.get('importerReportedS')} s,"
                f" import {run.get('importCitesPerS')} CITES/s (own clock"
                f" {run.get('importerOwnCitesPerS')}), stages {run.get('importerStages')},"
                f" load {run.get('loadAverageBefore')}"
                f" -> {run.get('loadAverageAfter')}, counts {run.get('counts')}",
                flush=True,
            )
    results.write_json("first_load", corpus.papers, payload)
    return payload


if __name__ == "__main__":
    main()
