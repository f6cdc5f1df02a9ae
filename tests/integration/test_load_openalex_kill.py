"""kill -9 during the OpenAlex phase of ``citekb load``, then rerun: the same graph.

One server process serves the fake S2 and the fake OpenAlex for the corpus
around the sample page (``python -m tests.fakes.fake_openalex``); each
OpenAlex answer takes 0.4 s, so the load can be killed between batches: the
kill comes as the second batch is asked for (the batches go one at a time),
leaving five answers, 2 s, for it to land before the phase ends.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from neo4j import Driver

from graph_api.settings import Settings
from graph_api.store import graph_store
from loaders.graph_writer import graph_dump
from loaders.pipeline import EXIT_OK
from tests.conftest import REPO
from tests.integration.process_support import citekb, cli_env, fake_s2_process, kill_9_when

SAMPLE = REPO / "examples" / "hf-daily-papers-pretraining.txt"


def openalex_requests(root: str) -> int:
    return len(httpx.get(f"{root}/_fake/requests", timeout=10).json())


def affiliations(driver: Driver, db: str) -> int:
    records, _, _ = driver.execute_query(
        "MATCH ()-[r:AFFILIATED_WITH]->() WHERE r.paperId IS NOT NULL RETURN count(r) AS n",
        database_=db,
    )
    return int(records[0]["n"])


def test_killed_in_the_openalex_phase_resumes_to_the_same_graph(
    driver: Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.neo4j_database
    uri = str(neo4j_settings.neo4j_uri)
    args = ["load", str(SAMPLE), "--no-analytics"]
    with fake_s2_process(
        f"titles:{SAMPLE}",
        tmp_path / "fake.log",
        module="tests.fakes.fake_openalex",
        extra=("--openalex-latency-ms", "400"),
    ) as root:

        def env_for(cache: str) -> dict[str, str]:
            return cli_env(
                uri,
                tmp_path / cache,
                root,
                OPENALEX_ENABLED="true",
                OPENALEX_BASE_URL=root,
                OPENALEX_RATE_LIMIT="0",
                # ~7 batches for the sample's papers with a DOI, so a kill lands mid-phase.
                OPENALEX_BATCH_SIZE="25",
            )

        # The reference: one uninterrupted load into an empty graph.
        graph_store.clear_data(driver, db)
        done = citekb(args, env_for("cache-a"))
        assert done.returncode == EXIT_OK, done.stdout + done.stderr
        reference = graph_dump(driver, database=db)
        total_requests = openalex_requests(root)
        assert total_requests >= 3
        reference_affiliations = affiliations(driver, db)
        assert reference_affiliations > 0

        # Killed once the first OpenAlex batch is answered and written.
        graph_store.clear_data(driver, db)
        httpx.post(f"{root}/_fake/reset", timeout=10)
        env = env_for("cache-b")
        kill_9_when(args, env, lambda: openalex_requests(root) >= 2, within_s=240)
        sent_before_kill = openalex_requests(root)
        assert sent_before_kill < total_requests
        assert 0 < affiliations(driver, db) < reference_affiliations

        # The rerun replays what was answered and asks only for the rest.
        rerun = citekb(args, env)
        assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
        resent = openalex_requests(root) - sent_before_kill
        assert resent <= total_requests - sent_before_kill + 1
        assert graph_dump(driver, database=db) == reference
