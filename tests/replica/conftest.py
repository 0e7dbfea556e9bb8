"""A primary and a streaming replica of their own, in a temporary folder.

`initdb` makes the primary (a `host replication` line in its pg_hba.conf), `pg_basebackup -R`
copies it into a replica that streams from it; both run with `pg_ctl` on free loopback ports as
the `postgres` user. The machine's own PostgreSQL is only read: the schema of the test database
pytest-django migrated is copied with `pg_dump --schema-only`, so no migration runs again.

For a test, `replica_stack` points the `default` alias at that primary and adds a `replica`
alias for the replica, then puts the test database back.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from bench.clock import real_clock_env
from ednevnik import db_router


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    data: Path
    port: int
    log: Path


@dataclass
class Pair:
    bin: Path
    as_postgres: list[str]
    root: Path
    primary: Server
    replica: Server

    def run(self, tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        # The servers run on the machine's real clock, as the shared PostgreSQL does.
        return subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
            env=real_clock_env(kwargs.pop("env", None)),
            **kwargs,
        )

    def start(self, server: Server) -> None:
        self.run("pg_ctl", "-D", str(server.data), "-l", str(server.log), "-w", "-t", "30", "start")

    def stop(self, server: Server) -> None:
        self.run("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")

    def is_running(self, server: Server) -> bool:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(server.data), "status"],
            capture_output=True,
        )
        return done.returncode == 0

    def psql(self, server: Server, sql: str, db: str = "ednevnik") -> str:
        return self.run(
            "psql", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", db,
            "-v", "ON_ERROR_STOP=1", "-Atqc", sql,
        ).stdout.strip()  # fmt: skip

    def caught_up(self, timeout: float = 10) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        target = self.psql(self.primary, "SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replayed = self.psql(
                self.replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            )
            if replayed == "t":
                return
            time.sleep(0.05)
        raise AssertionError("the replica did not catch up")


def _configure(data: Path, port: int, root: Path) -> None:
    with open(data / "postgresql.auto.conf", "a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = off\nshared_buffers = 16MB\nmax_connections = 30\n"
            "wal_receiver_status_interval = 1\nhot_standby_feedback = on\n"
        )


@pytest.fixture(scope="session")
def pg_pair(django_db_setup, django_db_blocker):
    """The primary with the test database's schema, and its streaming replica."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the replica tests copy the schema of a PostgreSQL test database")
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("initdb is not installed")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="ednevnik-replica-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    primary = Server(root / "primary", _free_port(), root / "primary.log")
    replica = Server(root / "replica", _free_port(), root / "replica.log")
    pair = Pair(bin_dir, as_postgres, root, primary, replica)
    try:
        pair.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        _configure(primary.data, primary.port, root)
        pair.start(primary)
        pair.psql(primary, "CREATE DATABASE ednevnik", db="postgres")
        with django_db_blocker.unblock():
            s = connection.settings_dict
        dump = subprocess.run(
            [
                str(bin_dir / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
                "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432),
                "-U", s["USER"] or "postgres", s["NAME"],
            ],
            check=True, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PGPASSWORD": s["PASSWORD"] or ""},
        ).stdout  # fmt: skip
        pair.run(
            "psql", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-d", "ednevnik", "-v", "ON_ERROR_STOP=1", "-q", input=dump,
        )  # fmt: skip
        pair.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "--no-sync", "-c", "fast",
        )  # fmt: skip
        _configure(replica.data, replica.port, root)
        pair.start(replica)
        yield pair
    finally:
        for server in (replica, primary):
            if (server.data / "postmaster.pid").exists():
                subprocess.run(
                    [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(server.data), "-m",
                     "immediate", "stop"],
                    capture_output=True, timeout=60,
                )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _settings_for(port: int) -> dict:
    base = dict(connections["default"].settings_dict)
    base.update(
        NAME="ednevnik",
        HOST="127.0.0.1",
        PORT=str(port),
        USER="postgres",
        PASSWORD="",
        CONN_MAX_AGE=0,
        OPTIONS={"connect_timeout": 2},
        TEST={"MIRROR": None, "NAME": None},
    )
    return base


@pytest.fixture(scope="module")
def replica_alias(pg_pair):
    """The `replica` alias, for this module's tests only (a mirror of `default` for the test
    machinery: nothing flushes it). Module-scoped so that it exists before a test's database
    access is set up (`django_db(databases=[..., "replica"])`)."""
    replica = _settings_for(pg_pair.replica.port)
    replica["TEST"] = {"MIRROR": "default", "NAME": None}
    connections.settings["replica"] = replica
    yield pg_pair
    connections.settings.pop("replica", None)


@pytest.fixture
def replica_stack(replica_alias, transactional_db):
    """`default` on the pair's primary and `replica` on its replica for one test; afterwards
    the test database is `default` again (the pair's data go with its folder: each test
    makes its own school)."""
    pg_pair = replica_alias
    if not pg_pair.is_running(pg_pair.replica):
        pg_pair.start(pg_pair.replica)
    original = connections["default"]
    primary = original.__class__(_settings_for(pg_pair.primary.port), alias="default")
    replica = original.__class__(connections.settings["replica"], alias="replica")
    connections["default"] = primary
    connections["replica"] = replica
    db_router.health.reset()
    try:
        yield pg_pair
    finally:
        db_router.health.reset()
        for wrapper in (primary, replica):
            wrapper.close()
        connections["default"] = original
        del connections["replica"]
