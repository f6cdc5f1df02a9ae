"""Synthetic corpora for the benchmarks, written by ``citekb synth`` and kept in a cache.

``citekb synth`` is deterministic for a seed, so a corpus of a given size is
generated once into ``<CITEKB_CACHE_DIR>/bench/synth-p<papers>-s<seed>`` and
reused; ``synthetic.json`` (written last) marks it complete.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_api.settings import Settings


@dataclass(frozen=True)
class Corpus:
    path: Path
    papers: int
    citations: int
    authors: int
    seed: int
    synth_s: float | None  # None when it came from the cache

    def describe(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "papers": self.papers,
            "citations": self.citations,
            "authors": self.authors,
            "seed": self.seed,
            "generatedInS": self.synth_s,
            "synthetic": True,
        }


def citekb_command() -> list[str]:
    """How to run the ``citekb`` CLI of this interpreter's environment."""
    script = Path(sys.executable).with_name("citekb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "graph_api.cli.main"]


def ensure_corpus(papers: int, seed: int = 0, settings: Settings | None = None) -> Corpus:
    """The cached corpus of this size and seed, generated with ``citekb synth`` if missing."""
    settings = settings or Settings()
    path = settings.citekb_cache_dir / "bench" / f"synth-p{papers}-s{seed}"
    manifest = path / "synthetic.json"
    took: float | None = None
    if not manifest.exists():
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run(
            [*citekb_command(), "synth", "--out", str(path), "--papers", str(papers),
             "--seed", str(seed)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        took = time.perf_counter() - started
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return Corpus(
        path=path,
        papers=int(meta["papers"]),
        citations=int(meta["citations"]),
        authors=int(meta["authors"]),
        seed=seed,
        synth_s=took,
    )
