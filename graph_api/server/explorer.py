"""The explorer page (``/explore``): search, lineage, similarity map, community.

The page is a GraphQL client like any frontend: its HTML, JavaScript and CSS
are ours, shipped as package data in ``graph_api/server/explorer_page/``. It
draws with two libraries, fetched once from the npm registry and pinned by
their Subresource Integrity hashes exactly like GraphiQL
(:mod:`graph_api.server.playground`, bundle :data:`EXPLORER`); nothing is
loaded from a CDN at run time.

Which library draws what, and why (times in bench/BENCHMARKS.md, "Explorer"):

* **Cytoscape.js** draws views of up to ``FORCE_MAX`` (150) papers, the
  default sizes (40-100): it brings the force layout (cose) that gives the
  Connected-Papers look, tap events and data-mapped styles, in one
  dependency-free file on a 2D canvas. cose compares every pair of papers on
  every iteration (over a minute at 1,000), and Cytoscape itself is slow at
  that size: measured on 1,000 papers and 6,000 links it spent ~1 s adding the
  elements and computing styles and bounding boxes and 1-3 s in its first
  canvas render, 3-5 s of browser CPU in all against the 2 s target.
* **sigma.js 3 over a graphology graph** draws the larger views: WebGL draws
  every node and link in a few calls, so 1,000 papers take a fraction of a
  second. It has no layout of its own (graphology's ForceAtlas2 ships no
  browser bundle), so the page places the papers itself: the lineage by year
  (as for Cytoscape), the maps as rings, best first in the middle. Headless
  Chromium without a GPU runs it on SwiftShader, Chromium's software WebGL
  (the browser test and the benchmark use that); a browser with neither GPU
  nor software WebGL gets Cytoscape for every view, and
  ``/explore?renderer=cytoscape`` forces the canvas path (as the benchmark's
  baseline does).

Layouts: the lineage is placed by the page itself (one column per year, the
main path on the centre line; linear). The similarity and community views
use cose up to 150 papers and rings above.
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
    "explorer/cytoscape-3.34.4+sigma-3.0.3",
    (
        Asset(
            "cytoscape", "3.34.4", "package/dist/cytoscape.min.js", "cytoscape.min.js",
            "sha384-lyd1lDWZ623YSUJ/wMQH50y+T81dWKJk7ZoFdYWXQS83b0+QpW0pgdfXEnQnXL/X",
        ),
        Asset(
            "graphology", "0.26.0", "package/dist/graphology.umd.min.js",
            "graphology.umd.min.js",
            "sha384-YdXPUVLFDJ3oITK7LFAPRyzkOcDK06bb7KRaE8GiQyGLsrvHaLS9Ej/lELMC7aCE",
        ),
        Asset(
            "sigma", "3.0.3", "package/dist/sigma.min.js", "sigma.min.js",
            "sha384-2BM4IWUXdUSofkFc94Y1PY8U+cZYLJjB+EqQAoA2vfFGBvZK8aVaxEhICqCY4rlq",
        ),
    ),
    "the explorer's Cytoscape.js, sigma.js and graphology files",
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
<p>The explorer's drawing libraries (Cytoscape.js, sigma.js, graphology) are not
installed on this server (expected in
<code>{folder}</code>). Run <code>citekb playground install</code> (it needs
<code>npm</code> and the npm registry) and reload.</p>
<p>The GraphQL API works without it: <a href="/graphql">/graphql</a>.</p>
</body>
</html>
"""


def page(settings: Settings, *, ready: bool, graphql_url: str = "/graphql") -> str:
    """The explorer page; a short explanation instead when its libraries are missing."""
    if not ready:
        folder = settings.citekb_cache_dir / EXPLORER.folder
        return _MISSING.format(folder=html.escape(str(folder)))
    template = (own_file("explorer.html") or b"").decode("utf-8")
    integrity = {asset.name: asset.integrity for asset in EXPLORER.assets}
    return template.format(
        asset_route=ASSET_ROUTE,
        page_route=PAGE_ROUTE,
        graphql_route=html.escape(graphql_url),
        # json.dumps gives a JS string literal; "</" is escaped so it cannot end the script.
        graphql_url=json.dumps(graphql_url).replace("</", "<\\/"),
        cytoscape_integrity=integrity["cytoscape.min.js"],
        graphology_integrity=integrity["graphology.umd.min.js"],
        sigma_integrity=integrity["sigma.min.js"],
        js_integrity=sri(own_file("explorer.js") or b""),
        css_integrity=sri(own_file("explorer.css") or b""),
    )
