"""The explorer page (``/explore``): search, lineage, similarity map, community.

The page is a GraphQL client like any frontend: its HTML, JavaScript and CSS
are ours, shipped as package data in ``graph_api/server/explorer_page/``, and
it draws with **Cytoscape.js**, fetched once from the npm registry and pinned
by its Subresource Integrity hash exactly like GraphiQL
(:mod:`graph_api.server.playground`, bundle :data:`EXPLORER`). Nothing is
loaded from a CDN at run time.

Why Cytoscape.js rather than sigma.js + graphology: the views hold at most
1,000 papers (``similarityGraph``/``communityGraph`` cap ``first`` there,
lineage at the page size), and by default 40-100; it is one
dependency-free file (sigma needs graphology plus a layout package, and
graphology's ForceAtlas2 ships no browser bundle), brings the force layout
(cose) and preset positions the lineage-by-year view needs, tap events and
data-mapped styles; and it draws on a 2D canvas, so it works in headless
Chromium without a GPU, where sigma's WebGL falls back to a software
renderer or fails. The cost of that choice, measured (bench/BENCHMARKS.md,
"Explorer"): a 1,000-node view took 10 s of wall time and 3-5 s of browser
CPU on the shared 2-core machine, over the 2 s target; 40 papers take about a
second, most of it loading the page. Above a few hundred papers sigma's WebGL
(or Cytoscape's experimental WebGL renderer) is the next step.

Layouts: the lineage is placed by the page itself (one column per year, the
main path on the centre line; linear). The similarity and community views
use Cytoscape's force layout (cose) up to 150 papers; cose compares every
pair of papers on every iteration, which at 1,000 papers took over a minute
on the shared test machine, so larger views are drawn as rings (concentric,
the API's best first in the middle), which is linear.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from graph_api.server.playground import Asset, Bundle, sri
from graph_api.settings import Settings

PAGE_ROUTE = "/explore"
ASSET_ROUTE = "/explore/assets"

EXPLORER = Bundle(
    "explorer/cytoscape-3.34.4",
    (
        Asset(
            "cytoscape", "3.34.4", "package/dist/cytoscape.min.js", "cytoscape.min.js",
            "sha384-lyd1lDWZ623YSUJ/wMQH50y+T81dWKJk7ZoFdYWXQS83b0+QpW0pgdfXEnQnXL/X",
        ),
    ),
    "the explorer's Cytoscape.js file",
)  # fmt: skip

# Our own files, served from the package (they change with the code, not with npm).
OWN_FILES = ("explorer.js", "explorer.css")


def own_file(name: str) -> bytes | None:
    """The bytes of one of the page's own files, ``None`` for any other name."""
    if name not in OWN_FILES and name != "explorer.html":
        return None
    return (resources.files("graph_api.server") / "explorer_page" / name).read_bytes()


_MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>citekb explorer</title></head>
<body>
<h1>citekb explorer</h1>
<p>The explorer's Cytoscape.js file is not installed on this server (expected in
<code>{folder}</code>). Run <code>citekb playground install</code> (it needs
<code>npm</code> and the npm registry) and reload.</p>
<p>The GraphQL API works without it: <a href="/graphql">/graphql</a>.</p>
</body>
</html>
"""


def page(settings: Settings, *, ready: bool, graphql_url: str = "/graphql") -> str:
    """The explorer page; a short explanation instead when Cytoscape.js is missing."""
    if not ready:
        folder = settings.citekb_cache_dir / EXPLORER.folder
        return _MISSING.format(folder=html.escape(str(folder)))
    template = (own_file("explorer.html") or b"").decode("utf-8")
    (cytoscape,) = EXPLORER.assets
    return template.format(
        asset_route=ASSET_ROUTE,
        page_route=PAGE_ROUTE,
        graphql_route=html.escape(graphql_url),
        # json.dumps gives a JS string literal; "</" is escaped so it cannot end the script.
        graphql_url=json.dumps(graphql_url).replace("</", "<\\/"),
        cytoscape_integrity=cytoscape.integrity,
        js_integrity=sri(own_file("explorer.js") or b""),
        css_integrity=sri(own_file("explorer.css") or b""),
    )
