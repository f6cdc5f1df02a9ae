"""Reproducible benchmarks for citekb: ingest, API and analytics (see BENCHMARKS.md).

Each benchmark is a module run with ``python -m bench.<name>``; ``make bench``
runs all three at a small size, ``--papers 100000`` is the full run. Speed is
measured here, never in the pytest suite.
"""
