"""The explorer page: its queries are the cookbook's, its files are pinned and served."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from graphql import VariableDefinitionNode, Visitor, parse, print_ast, visit

from graph_api.server import explorer, playground
from graph_api.settings import Settings
from tests.cookbook import cookbook_examples

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "graph_api" / "server" / "explorer_page" / "explorer.js"
_JS_QUERY = re.compile(r"^    (\w+): `(.*?)`,$", re.M | re.S)


class _DropDefaults(Visitor):
    def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> object:
        return replace(node, default_value=None)


def without_defaults(query: str) -> str:
    """The query as printed by graphql-core, variable defaults removed."""
    return print_ast(visit(parse(query), _DropDefaults()))


def page_queries() -> dict[str, str]:
    return dict(_JS_QUERY.findall(SCRIPT.read_text(encoding="utf-8")))


def test_the_page_sends_exactly_the_documented_queries() -> None:
    sent = page_queries()
    assert set(sent) == {"search", "paper", "lineage", "similar", "community", "contexts"}
    documented = [q for h, q in cookbook_examples() if h.startswith("The explorer's queries")]
    assert len(documented) == len(sent)
    assert sorted(without_defaults(q) for q in sent.values()) == sorted(
        without_defaults(q) for q in documented
    )


def test_page_refers_to_pinned_and_own_files(tmp_path: Path) -> None:
    settings = Settings(citekb_cache_dir=tmp_path)
    html = explorer.page(settings, ready=True)
    scripts = re.findall(r'<script src="([^"]+)" integrity="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)"', html)
    served = dict(scripts + styles)
    assert {a.name for a in explorer.EXPLORER.assets} == {
        "cytoscape.min.js",
        "graphology.umd.min.js",
        "sigma.min.js",
    }
    for asset in explorer.EXPLORER.assets:
        assert served[f"{explorer.ASSET_ROUTE}/{asset.name}"] == asset.integrity
    for name in explorer.OWN_FILES:
        own = explorer.own_file(name)
        assert own is not None
        assert served[f"{explorer.ASSET_ROUTE}/{name}"] == playground.sri(own)
    assert 'window.CITEKB_GRAPHQL = "/graphql";' in html
    assert "http" not in " ".join(served)  # nothing from a CDN
    missing = explorer.page(settings, ready=False)
    assert "citekb playground install" in missing and "<script" not in missing
    assert explorer.own_file("../settings.py") is None
