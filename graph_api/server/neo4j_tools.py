"""Neo4j's own tools for the local server: Neo4j Browser and cypher-shell, from Maven Central.

What Maven Central has (checked with ``mvn dependency:get``, Nov 2026):

* ``org.neo4j.client:neo4j-browser``: versions up to **5.24.0** (a 15 MB jar
  whose ``browser/`` folder is the Browser's web app). Neo4j 5.26's HTTP
  server serves that folder at ``/browser/`` when the jar is on its
  classpath, so the local server started by ``citekb db up`` puts it there
  (:func:`ensure_browser_jar`; fetched once, best effort: without it the
  server runs as before, without a Browser). 5.24.0 is the newest the
  Central index lists; the Browser talks Bolt to a 5.26 server.
* ``org.neo4j:cypher-shell:5.26.30`` with its runtime dependencies (55 jars,
  43 MB): runnable with Java 17 as ``org.neo4j.shell.Main``. ``citekb db
  shell`` uses it (:func:`cypher_shell_command`); where it cannot be fetched
  (no ``mvn``, no Java) the CLI falls back to a small REPL over the Python
  driver.

Docker users have both already: the ``neo4j:5.26-community`` image ships the
Browser on port 7474 and ``cypher-shell``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from graph_api.server.fetch_lock import fetching
from graph_api.settings import Settings

BROWSER_VERSION = "5.24.0"
BROWSER_ARTIFACT = f"org.neo4j.client:neo4j-browser:{BROWSER_VERSION}"
SHELL_MAIN = "org.neo4j.shell.Main"

_SHELL_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.citekb</groupId>
  <artifactId>cypher-shell-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>cypher-shell</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


class ToolUnavailable(RuntimeError):
    """A Neo4j tool could not be fetched or run here; the message says why."""


def _mvn(args: list[str], what: str) -> None:
    if shutil.which("mvn") is None:
        raise ToolUnavailable(f"mvn is not on PATH; it fetches {what} once")
    done = subprocess.run(
        ["mvn", "-B", "-q", *args], capture_output=True, text=True, timeout=1200, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-10:])
        raise ToolUnavailable(f"mvn could not fetch {what}:\n{tail}")


def browser_jar(settings: Settings) -> Path:
    """Where the Browser's jar is kept (it may not be there yet)."""
    folder = settings.citekb_cache_dir / "neo4j-browser" / BROWSER_VERSION
    return folder / f"neo4j-browser-{BROWSER_VERSION}.jar"


def ensure_browser_jar(settings: Settings) -> Path:
    """The Browser's jar, fetched from Maven Central on first use."""
    jar = browser_jar(settings)
    if jar.is_file():
        return jar
    with fetching(jar.parent):
        if jar.is_file():  # another process fetched it while this one waited
            return jar
        jar.parent.mkdir(parents=True, exist_ok=True)
        _mvn(
            [
                "dependency:copy",
                f"-Dartifact={BROWSER_ARTIFACT}",
                f"-DoutputDirectory={jar.parent}",
            ],
            f"Neo4j Browser ({BROWSER_ARTIFACT})",
        )
    if not jar.is_file():
        raise ToolUnavailable(f"mvn reported success but {jar} is missing")
    return jar


def ensure_cypher_shell(settings: Settings) -> Path:
    """The folder of cypher-shell's jars (the server's version), fetched once."""
    dist = settings.citekb_cache_dir / "cypher-shell" / settings.neo4j_version
    lib, marker = dist / "lib", dist / ".complete"
    if marker.exists():
        return lib
    with fetching(dist):
        if marker.exists():  # another process fetched them while this one waited
            return lib
        dist.mkdir(parents=True, exist_ok=True)
        pom = dist / "pom.xml"
        pom.write_text(_SHELL_POM.format(version=settings.neo4j_version), encoding="utf-8")
        _mvn(
            [
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={lib}",
                "-DincludeScope=runtime",
            ],
            f"cypher-shell {settings.neo4j_version}",
        )
        marker.write_text(settings.neo4j_version, encoding="utf-8")
    return lib


def cypher_shell_command(
    settings: Settings, uri: str, java: str, extra: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The command line and the extra environment that run cypher-shell against ``uri``.

    The password travels in ``NEO4J_PASSWORD`` (which cypher-shell reads), never
    on the command line where ``ps`` would show it.
    """
    lib = ensure_cypher_shell(settings)
    argv = [java, "-cp", f"{lib}/*", SHELL_MAIN, "-a", uri, "-u", settings.neo4j_user]
    argv += ["-d", settings.neo4j_database, *extra]
    return argv, {"NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}
