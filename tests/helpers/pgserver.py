"""A throwaway PostgreSQL server for the test session, from the distribution's binaries.

`PostgresServer` runs initdb on a temporary folder, starts the server on a free port of
127.0.0.1 only (trust authentication, loopback only, no fsync), and removes everything on
exit. As root, initdb refuses to run, so the server's commands run as the `postgres` OS user
(runuser) and the folder is handed to that user.

Fixtures: `postgres_server` (one server per session) and `postgres_url` (an empty
database per test: one database whose schema is dropped and re-created before each test).
Without PostgreSQL binaries the tests that ask for them FAIL with a message saying what to
install: a backend that silently stops being tested is worse.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from glob import glob
from pathlib import Path
from types import TracebackType

import pytest

SUPERUSER = "drm"
OS_USER_AS_ROOT = "postgres"
START_TIMEOUT_S = 60


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries, or the server would not start; the message says why."""


SERVER_TOOLS = ("initdb", "pg_ctl", "postgres")


def _has_server_tools(folder: Path) -> bool:
    return all((folder / tool).is_file() for tool in SERVER_TOOLS)


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: DRM_GUI_PG_BINDIR when set (and then
    only that), else pg_config's, else the newest /usr/lib/postgresql/*/bin, else PATH's."""
    override = os.environ.get("DRM_GUI_PG_BINDIR")
    if override:
        if _has_server_tools(Path(override)):
            return Path(override)
        raise PostgresUnavailableError(
            f"DRM_GUI_PG_BINDIR={override} does not hold {', '.join(SERVER_TOOLS)}"
        )
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    versions = glob("/usr/lib/postgresql/*/bin")
    versions.sort(key=lambda p: _version_key(Path(p).parent.name), reverse=True)
    candidates.extend(Path(p) for p in versions)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for candidate in candidates:
        if _has_server_tools(candidate):
            return candidate
    raise PostgresUnavailableError(
        "no PostgreSQL server binaries found (initdb, pg_ctl, postgres): looked in "
        f"{', '.join(str(c) for c in candidates) or 'pg_config --bindir and /usr/lib/postgresql'}"
        ". Install the Debian package `postgresql` (`make deps` does), or set "
        "DRM_GUI_PG_BINDIR to the folder holding them."
    )


def _version_key(name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (0,)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; use as a context manager."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port = 0
        self.base: Path | None = None
        self._as_root = os.geteuid() == 0
        self._started = False
        self._databases: set[str] = set()
        self._password_roles: set[str] = set()

    # --- Life cycle -------------------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def data_dir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    def start(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="drm-gui-pg-"))
        try:
            if self._as_root:
                try:
                    owner = pwd.getpwnam(OS_USER_AS_ROOT)
                except KeyError:
                    raise PostgresUnavailableError(
                        f"running as root, and there is no {OS_USER_AS_ROOT!r} OS user to run "
                        "initdb as (initdb refuses root); install the `postgresql` package"
                    ) from None
                os.chmod(self.base, 0o700)
                os.chown(self.base, owner.pw_uid, owner.pw_gid)
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            )
            # Trust, but on the loopback and the private socket only.
            hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            self._write_as_owner(self.data_dir / "pg_hba.conf", hba)
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def _start_server(self) -> None:
        assert self.base is not None
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between probe and start
            self.port = free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories={self.base}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=50",
                ]
            )
            log = self.base / "server.log"
            try:
                self._run(
                    [
                        "pg_ctl",
                        "-D",
                        str(self.data_dir),
                        "-o",
                        options,
                        "-l",
                        str(log),
                        "-w",
                        "-t",
                        str(START_TIMEOUT_S),
                        "start",
                    ]
                )
            except PostgresUnavailableError as exc:
                last_error = str(exc)
                with contextlib.suppress(OSError):
                    last_error += "\n" + log.read_text(errors="replace")[-2000:]
                continue
            self._started = True
            return
        raise PostgresUnavailableError(f"the PostgreSQL server would not start:\n{last_error}")

    def stop(self) -> None:
        if self._started:
            self._started = False
            with contextlib.suppress(PostgresUnavailableError):
                self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop"])
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    # --- Databases ---------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def reset_database(self, name: str) -> str:
        """Empties database *name* (created on first use); returns its URL.

        Dropping and re-creating the public schema takes milliseconds, where CREATE DATABASE
        takes 50-250 ms on a small VM: this is what keeps a fresh database per test cheap.
        Connections left open on it (a test that failed before closing) are ended first, so
        that they cannot hold a lock on the old tables.
        """
        if name not in self._databases:
            self.create_database(name)
            self._databases.add(name)
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        self.execute(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
            "GRANT ALL ON SCHEMA public TO PUBLIC",
            dbname=name,
        )
        return self.url(name)

    def password_role(self, name: str, password: str) -> None:
        """A role that must give *password* over TCP, where every other role is trusted: for
        the tests of a refused login. Created once per server."""
        if name in self._password_roles:
            return
        self.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        hba = self.data_dir / "pg_hba.conf"
        rule = f"host all {name} 127.0.0.1/32 scram-sha-256\n"  # the first matching line wins
        self._write_as_owner(hba, rule + hba.read_text())
        self.execute("SELECT pg_reload_conf()")
        self._password_roles.add(name)
        self._wait_for_password_rule(name)

    def _wait_for_password_rule(self, name: str) -> None:
        """The server reads pg_hba.conf again soon after the reload signal, not at once."""
        import psycopg2

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1", port=self.port, user=name, dbname="postgres"
                )
            except psycopg2.OperationalError:
                return  # refused without its password: the rule is in force
            conn.close()
            time.sleep(0.02)
        raise PostgresUnavailableError(f"the server did not take the password rule for {name}")

    # --- Running the server's tools -------------------------------------------------------

    def _command(self, args: Sequence[str]) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            return ["runuser", "-u", OS_USER_AS_ROOT, "--", *command]
        return command

    def _run(self, args: Sequence[str]) -> None:
        try:
            done = subprocess.run(
                self._command(args),
                cwd=self.base,  # the postgres user may not enter the caller's folder
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S + 30,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailableError(f"{args[0]} failed: {exc}") from exc
        if done.returncode != 0:
            raise PostgresUnavailableError(
                f"{args[0]} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}"
            )

    def _write_as_owner(self, path: Path, text: str) -> None:
        path.write_text(text)
        if self._as_root:
            owner = pwd.getpwnam(OS_USER_AS_ROOT)
            os.chown(path, owner.pw_uid, owner.pw_gid)


# --- pytest fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session; fails (never skips) when unavailable."""
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailableError as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of an empty database on the session's server: the same database for every
    test, emptied before each one."""
    return postgres_server.reset_database("drm_test")
