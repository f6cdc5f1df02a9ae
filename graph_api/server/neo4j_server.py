"""Getting a real Neo4j 5.26 server, the same way for every command and test.

Three ways, tried in order (see docs/operations.md):

1. ``NEO4J_URI`` is set: use that server as it is.
2. A Docker engine answers: ``docker compose up --wait neo4j``.
3. Otherwise: fetch ``org.neo4j:neo4j`` and its runtime dependencies from
   Maven Central with ``mvn`` into a cache outside the repository, and run
   ``org.neo4j.server.CommunityEntryPoint`` on Java 17 in the background.

Path 3 is what CI machines (no Docker engine) use. The jars are fetched once;
later starts need no network.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

import cypher
from graph_api.server import class_archive, neo4j_tools, unsigned_jars
from graph_api.server.fetch_lock import fetching
from graph_api.server.store_journal import process_alive, recover_interrupted_import
from graph_api.settings import Settings

log = logging.getLogger(__name__)

Mode = Literal["env", "docker", "local"]

# The JVM flags Neo4j's own launcher adds; without them Netty and the page
# cache fail on Java 17's module system. `server.jvm.additional` in
# neo4j.conf is only read by the launcher script, which we do not use.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
)
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
FIRST_START_PASSWORD = "neo4j"  # noqa: S105 - Neo4j's documented first-start password, replaced at once


class Neo4jUnavailable(RuntimeError):
    """No Neo4j server could be reached or started; the message says why."""


@dataclass(frozen=True)
class Endpoint:
    uri: str
    mode: Mode
    detail: str


def docker_engine_answers(timeout_s: float = 5.0) -> bool:
    """True when a Docker daemon (not only the client) responds."""
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def choose_mode(settings: Settings) -> Mode:
    if settings.neo4j_uri:
        return "env"
    if settings.citekb_neo4j_mode in ("docker", "local"):
        return settings.citekb_neo4j_mode  # type: ignore[return-value]
    return "docker" if docker_engine_answers() else "local"


def bolt_answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout_s):
        return True
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.citekb</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


def ensure_jars(version: str, cache_dir: Path) -> Path:
    """The folder of Neo4j's runtime jars, fetched with mvn on first use."""
    dist = cache_dir / "neo4j" / version
    lib = dist / "lib"
    marker = dist / ".complete"
    if marker.exists():
        return lib
    with fetching(dist):
        if marker.exists():  # another process fetched them while this one waited
            return lib
        _fetch_jars(version, dist, lib)
        marker.write_text(version, encoding="utf-8")
    return lib


def _fetch_jars(version: str, dist: Path, lib: Path) -> None:
    if shutil.which("mvn") is None:
        raise Neo4jUnavailable("mvn is not on PATH; it is needed once to fetch Neo4j's jars")
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "pom.xml").write_text(POM_TEMPLATE.format(version=version), encoding="utf-8")
    if lib.exists():
        shutil.rmtree(lib)
    for stale in dist.glob("cds-*.jsa"):  # class archives of the jars being replaced
        stale.unlink(missing_ok=True)
    shutil.rmtree(dist / unsigned_jars.UNSIGNED_DIR, ignore_errors=True)  # their copies
    done = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(dist / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise Neo4jUnavailable(f"mvn could not fetch org.neo4j:neo4j:{version}:\n{tail}")


def java_binary() -> str:
    found = shutil.which("java")
    if found is None:
        raise Neo4jUnavailable("java (17) is not on PATH")
    return found


@dataclass
class LocalServer:
    """One Neo4j process of ours: a home folder with conf, data, logs, pid."""

    home: Path
    lib: Path
    bolt_port: int
    http_port: int
    heap: str = "1g"
    pagecache: str = "512m"
    # Jars beside Neo4j's own, e.g. Neo4j Browser's (served at /browser/ when present).
    extra_jars: tuple[Path, ...] = ()
    # Flags after JVM_FLAGS (NEO4J_JVM_OPTIONS), so they can override them.
    jvm_options: tuple[str, ...] = ()

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def write_conf(self) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        # Only settings that Neo4j 5.26 knows: unknown keys fail startup
        # (strict validation).
        conf = "\n".join(
            [
                "server.default_listen_address=127.0.0.1",
                "server.default_advertised_address=127.0.0.1",
                f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
                f"server.http.listen_address=127.0.0.1:{self.http_port}",
                "server.http.enabled=true",
                "server.https.enabled=false",
                f"server.memory.heap.initial_size={self.heap}",
                f"server.memory.heap.max_size={self.heap}",
                f"server.memory.pagecache.size={self.pagecache}",
                "dbms.usage_report.enabled=false",
                "dbms.security.auth_enabled=true",
                f"server.directories.data={self.home / 'data'}",
                f"server.directories.logs={self.home / 'logs'}",
                f"server.directories.plugins={self.home / 'plugins'}",
                f"server.directories.import={self.home / 'import'}",
                f"server.directories.run={self.home / 'run'}",
                "db.transaction.timeout=0s",
                # The API's reads carry a transaction timeout (NEO4J_TX_TIMEOUT_S);
                # Neo4j ends a timed-out transaction when its monitor next looks,
                # every 2 s by default: a 100 ms scan under a 10 ms limit mostly
                # ran to the end. Looking every 20 ms makes the limit hold.
                "db.transaction.monitor.check.interval=20ms",
                # A stop waited 5 s (this setting's default) for Bolt's worker
                # pool after the databases had shut down and checkpointed: 5.0
                # of a 5.5 s stop in debug.log, in every offline first load.
                # Nothing is left for the pool to finish by then. (An internal
                # setting of 5.26, which strict validation accepts.)
                "internal.server.bolt.thread_pool_shutdown_wait_time=0s",
                "",
            ]
        )
        (self.home / "conf" / "neo4j.conf").write_text(conf, encoding="utf-8")

    @property
    def classpath(self) -> str:
        # Resolved: a class archive is valid for the exact class path it was
        # written with, whichever symlink led to the jars. Signed jars are
        # replaced by unsigned copies, as for the importer: a start to Bolt took
        # 2.74-2.82 s with them and 1.67-1.74 s without (JVM CPU by then 3.5
        # against 2.3 s; C1 flags, alternating, 28 Nov 2026, load ~3), since
        # their classes were hashed on every read and never class-archived
        # (graph_api/server/unsigned_jars.py).
        jars = [
            unsigned_jars.class_path(self.lib.resolve()),
            *(str(j.resolve()) for j in self.extra_jars),
        ]
        return os.pathsep.join(jars)

    def class_archive(self) -> Path:
        """This server's class-data sharing archive (graph_api/server/class_archive.py)."""
        return class_archive.archive_path(
            self.lib.resolve().parent, "server", java_binary(), self.classpath
        )

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def start(self, password: str, user: str, timeout_s: float) -> float:
        """Start (or find running) and wait for Bolt; returns seconds taken."""
        began = time.monotonic()
        if self.running_pid() is not None and bolt_answers("127.0.0.1", self.bolt_port):
            return 0.0
        # An offline import whose process died left the store set aside:
        # put it back before the server opens it (graph_api/server/neo4j_import.py).
        recover_interrupted_import(self.home)
        self.write_conf()
        heap_flag = f"-Xmx{self.heap}"
        cmd = [
            java_binary(),
            f"-Xms{self.heap}",
            heap_flag,
            *JVM_FLAGS,
            *self.jvm_options,
            *class_archive.jvm_flags(self.class_archive(), self.home / "run"),
            "-cp",
            self.classpath,
            MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        log = self.log_file.open("ab")
        # start_new_session: the server must outlive `citekb db up` and must
        # not receive the terminal's Ctrl-C meant for a later command.
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=self.home,
        )
        self.pid_file.write_text(str(proc.pid), encoding="utf-8")
        deadline = began + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Neo4jUnavailable(
                    f"Neo4j exited with code {proc.returncode} during start;"
                    f" log tail ({self.log_file}):\n{self.log_tail()}"
                )
            if bolt_answers("127.0.0.1", self.bolt_port):
                break
            time.sleep(0.25)
        else:
            self.stop()
            raise Neo4jUnavailable(
                f"Bolt on 127.0.0.1:{self.bolt_port} did not answer within {timeout_s:.0f}s;"
                f" log tail ({self.log_file}):\n{self.log_tail()}"
            )
        set_password_once(self.uri, user, password, deadline)
        return time.monotonic() - began

    def stop(self, timeout_s: float = 60.0) -> bool:
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        try:
            archive: Path | None = self.class_archive()
        except Neo4jUnavailable:  # no java on PATH now: nothing to adopt either
            archive = None
        if archive is not None and class_archive.dumping(archive):
            # Writing the archive at exit took 20-30 s on the loaded 2-core
            # machine, once; a kill would throw it away and the next stop
            # would write it again.
            timeout_s += 240.0
        deadline = time.monotonic() + timeout_s
        clean = True
        while time.monotonic() < deadline:
            # Reap it when we are its parent (tests), else it lingers as a zombie.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not process_alive(pid):
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            clean = False
        self.pid_file.unlink(missing_ok=True)
        if archive is not None:
            with contextlib.suppress(OSError):
                class_archive.adopt(archive, self.home / "run", clean_exit=clean)
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def set_password_once(uri: str, user: str, password: str, deadline: float) -> None:
    """On a fresh store, replace Neo4j's initial password with ours.

    Bolt may accept connections a moment before authentication is ready, so
    this retries until the deadline.
    """
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with GraphDatabase.driver(uri, auth=(user, password)) as drv:
                drv.verify_connectivity()
                return
        except AuthError as exc:
            last = exc
            try:
                with GraphDatabase.driver(uri, auth=(user, FIRST_START_PASSWORD)) as drv:
                    drv.execute_query(
                        cypher.statement("admin/set_initial_password"),
                        old=FIRST_START_PASSWORD,
                        new=password,
                        database_="system",
                    )
                return
            except AuthError as exc2:
                raise Neo4jUnavailable(
                    "Neo4j rejects both the configured NEO4J_PASSWORD and the initial one;"
                    " start with `citekb db up --fresh` or set NEO4J_PASSWORD"
                ) from exc2
        except (ServiceUnavailable, OSError) as exc:
            last = exc
        time.sleep(0.5)
    raise Neo4jUnavailable(f"Neo4j did not accept logins in time: {last}")


def local_server(
    settings: Settings, home: Path | None = None, *, fetch: bool = True
) -> LocalServer:
    """Our server for these settings; ``fetch=False`` skips fetching jars (to stop it)."""
    dist_lib = settings.citekb_cache_dir / "neo4j" / settings.neo4j_version / "lib"
    browser = neo4j_tools.browser_jar(settings)
    return LocalServer(
        home=home or (settings.citekb_cache_dir / "neo4j" / "instances" / "default"),
        lib=ensure_jars(settings.neo4j_version, settings.citekb_cache_dir) if fetch else dist_lib,
        bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        extra_jars=(browser,) if browser.is_file() else (),
        jvm_options=settings.neo4j_jvm_flags,
    )


def compose_file() -> Path:
    return Path(__file__).resolve().parents[2] / "docker-compose.yml"


def up(settings: Settings, *, fresh: bool = False) -> tuple[Endpoint, float]:
    """Make sure a server answers; returns where it is and the seconds taken."""
    mode = choose_mode(settings)
    if mode == "env":
        assert settings.neo4j_uri is not None
        return Endpoint(settings.neo4j_uri, "env", "NEO4J_URI"), 0.0
    began = time.monotonic()
    if mode == "docker":
        if fresh:
            subprocess.run(
                ["docker", "compose", "-f", str(compose_file()), "down", "-v"], check=False
            )
        subprocess.run(
            ["docker", "compose", "-f", str(compose_file()), "up", "--wait", "neo4j"], check=True
        )
        return (
            Endpoint(f"bolt://127.0.0.1:{settings.neo4j_bolt_port}", "docker", "docker compose"),
            time.monotonic() - began,
        )
    try:  # Neo4j Browser on the HTTP port: nice to have, never a reason not to start
        neo4j_tools.ensure_browser_jar(settings)
    except neo4j_tools.ToolUnavailable as exc:
        log.warning("Neo4j Browser unavailable: %s", exc)
    server = local_server(settings)
    if fresh:
        server.stop()
        shutil.rmtree(server.home / "data", ignore_errors=True)
    took = server.start(
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_user,
        settings.neo4j_start_timeout_s,
    )
    return Endpoint(server.uri, "local", f"local server, home {server.home}"), took


def down(settings: Settings) -> str:
    mode = choose_mode(settings)
    if mode == "env":
        return "NEO4J_URI is set: that server is not ours to stop"
    if mode == "docker":
        subprocess.run(["docker", "compose", "-f", str(compose_file()), "down"], check=True)
        return "docker compose: stopped"
    server = local_server(settings, fetch=False)
    return "stopped" if server.stop() else "was not running"


def endpoint(settings: Settings) -> Endpoint:
    """Where the server is, without starting anything."""
    mode = choose_mode(settings)
    if mode == "env":
        assert settings.neo4j_uri is not None
        return Endpoint(settings.neo4j_uri, "env", "NEO4J_URI")
    if mode == "docker":
        return Endpoint(f"bolt://127.0.0.1:{settings.neo4j_bolt_port}", "docker", "docker compose")
    home = settings.citekb_cache_dir / "neo4j" / "instances" / "default"
    return Endpoint(f"bolt://127.0.0.1:{settings.neo4j_bolt_port}", "local", f"home {home}")
