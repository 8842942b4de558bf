"""A PostgreSQL + PostGIS server for the tests, and one database per test.

``NTM_ATLAS_TEST_DATABASE_URL`` (set by ``.ci/run``) names a database on a server where the URL's
role may create databases and extensions. Without it, the tests start a private server of their
own from Debian's binaries (``postgresql-15``, ``postgresql-15-postgis-3``) in a temporary
folder, on a Unix socket only, and stop it at the end.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_BIN = Path("/usr/lib/postgresql/15/bin")
_names = itertools.count(1)


def with_database(url: str, name: str) -> str:
    """The same server and role, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


@contextlib.contextmanager
def private_server() -> Iterator[str]:
    """A throwaway server (initdb, pg_ctl) on a socket in a temporary folder; yields its URL."""
    if not (PG_BIN / "initdb").exists():
        msg = (
            "PostgreSQL 15 is not installed and NTM_ATLAS_TEST_DATABASE_URL is not set: "
            "apt-get install postgresql-15 postgresql-15-postgis-3, or run .ci/run"
        )
        raise RuntimeError(msg)
    folder = Path(tempfile.mkdtemp(prefix="ntm-atlas-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    log = folder / "server.log"
    subprocess.run(
        [*as_user, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off"
    options += " -c max_connections=200 -c full_page_writes=off"
    subprocess.run(
        [
            *as_user,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@/postgres?host={folder}&port=5432"
    finally:
        subprocess.run(
            [*as_user, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


class Databases:
    """Creates and drops the tests' databases on one server (names carry this process's id)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"ntm_t{os.getpid()}_"
        self.made: list[str] = []
        self._drop_left_overs()

    def _drop_left_overs(self) -> None:
        """Drop the databases of test runs that were killed (their process is gone)."""
        with connect(self.admin_url) as con:
            names = [r[0] for r in con.execute("SELECT datname FROM pg_database")]
            for name in names:
                pid = name.removeprefix("ntm_t").split("_")[0]
                if name.startswith("ntm_t") and pid.isdigit() and not _alive(int(pid)):
                    con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create(self, template: str | None = None, *, postgis: bool = True) -> str:
        """A new database (a copy of ``template``, else empty with PostGIS); returns its URL."""
        name = f"{self.prefix}{next(_names)}"
        with connect(self.admin_url) as con:
            if template:
                for attempt in range(50):  # the template may still have a closing connection
                    try:
                        con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                        break
                    except Exception:
                        if attempt == 49:
                            raise
                        time.sleep(0.1)
            else:
                con.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        url = with_database(self.admin_url, name)
        if postgis and not template:
            with connect(url) as con:
                con.execute("SET client_min_messages = warning")
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return url

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with connect(self.admin_url) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.made:
            self.made.remove(name)

    def drop_all(self) -> None:
        for name in list(self.made):
            self.drop(with_database(self.admin_url, name))


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
