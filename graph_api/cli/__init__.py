"""The ``citekb`` command line: every command and its terminal output.

The typer app lives in :mod:`graph_api.cli.main`; ``citekb = graph_api.cli.main:app``.
"""
