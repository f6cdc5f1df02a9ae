"""The GraphiQL playground, served entirely by citekb (no CDN at run time).

strawberry's built-in page loads GraphiQL, React and the explorer plugin from
a CDN, which a machine without internet cannot reach. citekb serves the same
files itself from ``$CITEKB_CACHE_DIR/graphiql/<bundle>/``. They are fetched
once from the npm registry with ``npm pack`` (``citekb playground install``;
``citekb serve`` and the browser test do it when missing), and each file is
checked against the Subresource Integrity hash pinned below before it is
kept, so a different or tampered file is never served. The page is ours and
refers to the files under ``/graphql/assets/``.

A :class:`Bundle` is one such pinned set of npm files and its cache folder;
:data:`GRAPHIQL` is the playground's, :mod:`graph_api.server.explorer` has
the explorer page's (Cytoscape.js). Every function takes the bundle, the
playground's by default.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graph_api.server.fetch_lock import fetching
from graph_api.settings import Settings

BUNDLE = "graphiql-3.8.3"
ASSET_ROUTE = "/graphql/assets"


@dataclass(frozen=True)
class Asset:
    package: str  # npm package spec name
    version: str
    member: str  # path inside the package tarball
    name: str  # file name served under ASSET_ROUTE
    integrity: str  # SRI hash of the file

    @property
    def tarball(self) -> str:
        # npm pack names scoped packages "scope-name-version.tgz".
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"


ASSETS: tuple[Asset, ...] = (
    Asset(
        "react", "18.2.0", "package/umd/react.production.min.js", "react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom", "18.2.0", "package/umd/react-dom.production.min.js",
        "react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql", "3.8.3", "package/graphiql.min.js", "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "graphiql", "3.8.3", "package/graphiql.min.css", "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "@graphiql/plugin-explorer", "1.0.2", "package/dist/index.umd.js", "explorer.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
    Asset(
        "@graphiql/plugin-explorer", "1.0.2", "package/dist/style.css", "explorer.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)  # fmt: skip

BY_NAME = {asset.name: asset for asset in ASSETS}


@dataclass(frozen=True)
class Bundle:
    """Pinned npm files kept together in ``$CITEKB_CACHE_DIR/<folder>``."""

    folder: str
    assets: tuple[Asset, ...]
    purpose: str  # "the playground's GraphiQL files", for messages

    @property
    def by_name(self) -> dict[str, Asset]:
        return {asset.name: asset for asset in self.assets}


GRAPHIQL = Bundle(f"graphiql/{BUNDLE}", ASSETS, "the playground's GraphiQL files")

DEFAULT_QUERY = """# citekb: a citation graph. Ctrl-Enter runs the query; docs/graphql.md has more.
{
  stats { papers cites authors }
  papers(first: 5) {
    totalCount
    nodes { title year citationCount }
  }
}
"""


class AssetsUnavailable(RuntimeError):
    """The GraphiQL files could not be fetched or did not match their hashes."""


def assets_dir(settings: Settings, bundle: Bundle = GRAPHIQL) -> Path:
    return settings.citekb_cache_dir / bundle.folder


def sri(data: bytes) -> str:
    """Subresource Integrity form of a sha384 digest.

    >>> sri(b"")
    'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb'
    """
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def assets_ready(settings: Settings, bundle: Bundle = GRAPHIQL) -> bool:
    """True when every file is present and matches its pinned hash."""
    folder = assets_dir(settings, bundle)
    for asset in bundle.assets:
        path = folder / asset.name
        if not path.is_file() or sri(path.read_bytes()) != asset.integrity:
            return False
    return True


def install_assets(settings: Settings, npm: str | None = None, bundle: Bundle = GRAPHIQL) -> Path:
    """Fetch the files with ``npm pack`` (once), verify them, and keep them in the cache."""
    folder = assets_dir(settings, bundle)
    if assets_ready(settings, bundle):
        return folder
    with fetching(folder):
        if assets_ready(settings, bundle):  # another process fetched them meanwhile
            return folder
        _fetch_assets(folder, npm, bundle)
    return folder


def _fetch_assets(folder: Path, npm: str | None, bundle: Bundle) -> None:
    npm = npm or shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable(f"npm is not installed: it fetches {bundle.purpose}")
    specs = sorted({f"{a.package}@{a.version}" for a in bundle.assets})
    with tempfile.TemporaryDirectory(prefix="citekb-assets-") as tmp:
        work = Path(tmp)
        done = subprocess.run(
            [npm, "pack", *specs, "--pack-destination", str(work), "--silent"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise AssetsUnavailable(f"npm pack failed: {done.stderr.strip()[-500:]}")
        staged = work / "staged"
        staged.mkdir()
        for asset in bundle.assets:
            with tarfile.open(work / asset.tarball, "r:gz") as tar:
                member = tar.extractfile(asset.member)
                if member is None:
                    raise AssetsUnavailable(f"{asset.tarball} has no {asset.member}")
                data = member.read()
            if sri(data) != asset.integrity:
                raise AssetsUnavailable(
                    f"{asset.package}@{asset.version} {asset.member}: hash differs"
                )
            (staged / asset.name).write_bytes(data)
        folder.parent.mkdir(parents=True, exist_ok=True)
        if folder.exists():
            shutil.rmtree(folder)
        shutil.move(str(staged), folder)


def _tag(asset: Asset) -> str:
    url = f"{ASSET_ROUTE}/{asset.name}"
    if asset.name.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{asset.integrity}" />'
    return f'<script src="{url}" integrity="{asset.integrity}"></script>'


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>citekb GraphQL playground</title>
<style>
  body {{ margin: 0; height: 100vh; overflow: hidden; font-family: sans-serif; }}
  #graphiql {{ height: 100vh; }}
</style>
{styles}
</head>
<body>
<div id="graphiql">Loading the playground…</div>
{scripts}
<script>
  (function () {{
    const params = new URLSearchParams(window.location.search);
    const fetcher = GraphiQL.createFetcher({{ url: window.location.pathname }});
    const explorer = GraphiQLPluginExplorer.explorerPlugin();
    const root = ReactDOM.createRoot(document.getElementById("graphiql"));
    root.render(React.createElement(GraphiQL, {{
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: {default_query},
      query: params.get("query") || undefined,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    }}));
  }})();
</script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>citekb GraphQL playground</title></head>
<body>
<h1>citekb GraphQL playground</h1>
<p>The playground's GraphiQL files are not installed on this server
(expected in <code>{folder}</code>). Run <code>citekb playground install</code>
(it needs <code>npm</code> and the npm registry) and reload.</p>
<p>The API itself works: <code>POST</code> GraphQL queries to this URL.</p>
</body>
</html>
"""


def page(settings: Settings, *, ready: bool) -> str:
    """The playground page; a short explanation instead when the files are missing."""
    if not ready:
        return _MISSING.format(folder=html.escape(str(assets_dir(settings))))
    return _PAGE.format(
        styles="\n".join(_tag(a) for a in ASSETS if a.name.endswith(".css")),
        scripts="\n".join(_tag(a) for a in ASSETS if a.name.endswith(".js")),
        # json.dumps gives a JS string literal; "</" is escaped so it cannot end the script.
        default_query=json.dumps(DEFAULT_QUERY).replace("</", "<\\/"),
    )
