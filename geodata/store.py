"""The store: every layer and table, written all or nothing, read by every worker.

:class:`Store` is what the rest of the project talks to; :func:`open_store` picks the backend
from a location:

- a ``.gpkg`` path (the default, one office): :class:`GeoPackageStore`, one GeoPackage file
  replaced whole on every write, a ``fcntl`` lock on ``<store>.lock``, accounts and the session
  secret in ``<store stem>.users.sqlite`` beside it;
- a ``postgresql://`` URL (many users, several workers or servers):
  :class:`geodata.postgis.PostGISStore`, PostgreSQL + PostGIS tables written in one
  transaction, an advisory lock, accounts and the secret in the database.

Both keep a monotonically increasing :meth:`Store.version` that long-running readers poll to
reload (:class:`geodata.bundle.BundleHolder`), and hold the change log and the imported rows as
ordinary tables (:mod:`geodata.imports.apply`), so :func:`copy_store` moves everything.

Examples
--------
>>> open_store("/srv/atlas/ntm-atlas.gpkg")
GeoPackageStore('/srv/atlas/ntm-atlas.gpkg')
>>> open_store("postgresql://atlas@/atlas?host=/run/postgresql")
PostGISStore('postgresql://atlas@/atlas?host=/run/postgresql')
>>> open_store("postgresql://atlas:secret@db/atlas")
PostGISStore('postgresql://atlas:***@db/atlas')
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets as _secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata import store_files
from geodata.errors import StoreBusyError, StoreError, StoreWriteError

Table = pd.DataFrame | gpd.GeoDataFrame

#: Name of the session-signing secret every worker shares.
SESSION_SECRET = "session"


@runtime_checkable
class Store(Protocol):
    """Where the layers and tables live. Writers take :meth:`lock`; readers poll
    :meth:`version`."""

    @property
    def url(self) -> str:
        """Where the store is, fit to print (a path, or a URL without its password)."""
        ...

    def exists(self) -> bool:
        """True once the store has been built (it has layers)."""
        ...

    def list_layers(self) -> list[str]:
        """Names of every layer and table."""
        ...

    def read(self, name: str) -> Table:
        """One layer (GeoDataFrame) or table (DataFrame) by name."""
        ...

    def read_all(self) -> dict[str, Table]:
        """Every layer and table, as one consistent snapshot."""
        ...

    def write_all(self, tables: Mapping[str, Table]) -> None:
        """Replace every table with these, all or nothing (a build)."""
        ...

    def replace_tables(self, tables: Mapping[str, Table]) -> None:
        """Replace these tables and keep the others, all or nothing (an import, an undo)."""
        ...

    def version(self) -> int:
        """A number that grows with every write (0: never written, -1: no store)."""
        ...

    def table_versions(self) -> dict[str, int]:
        """Every table's name and the :meth:`version` of the write that last replaced it (so a
        reader reloads only what changed)."""
        ...

    def lock(self, timeout: float = 30.0) -> contextlib.AbstractContextManager[None]:
        """Hold the store's write lock; :class:`StoreBusyError` after ``timeout`` seconds."""
        ...

    def secret(self, name: str = SESSION_SECRET) -> bytes:
        """A random 32-byte secret kept by the store, created on first use."""
        ...

    def users(self) -> UserRows:
        """The dashboard accounts (see :mod:`geodata.users`)."""
        ...


class UserRows(Protocol):
    """Account rows as the store keeps them, and the failed sign-ins every worker counts; the
    rules live in :mod:`geodata.users` and :mod:`dashboard.security`."""

    def get(self, name: str) -> dict | None:
        """``{"name", "role", "password", "session_epoch"}`` of an account, or None."""
        ...

    def put(self, name: str, role: str, password: str) -> None:
        """Create or replace an account (replacing it ends its sessions: the epoch grows)."""
        ...

    def all(self) -> list[dict]:
        """Every account (``name``, ``role``), by name."""
        ...

    def end_sessions(self, name: str) -> None:
        """Bump the account's ``session_epoch``: every session made before stops working."""
        ...

    def failures(self, key: str) -> tuple[int, float]:
        """``(count, time of the last)`` of the failed sign-ins under ``key``; ``(0, 0.0)``."""
        ...

    def add_failure(self, key: str, at: float, *, forget_before: float) -> int:
        """Count one more failure under ``key`` at ``at`` (seconds since the epoch) and return
        the count; failures whose last one came before ``forget_before`` start again at 1
        (and rows that old are removed)."""
        ...

    def clear_failures(self, key: str) -> None:
        """Forget the failures under ``key`` (a successful sign-in)."""
        ...


def is_database_url(location: str | Path) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs.

    >>> is_database_url("postgresql://u@h/db"), is_database_url("/x/ntm-atlas.gpkg")
    (True, False)
    """
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(location: Store | str | Path) -> Store:
    """The store at a location: a ``postgresql://`` URL, or a GeoPackage path; a
    :class:`Store` is returned as it is."""
    if isinstance(location, Store):
        return location
    if is_database_url(location):
        from geodata.postgis import PostGISStore

        return PostGISStore(str(location))
    return GeoPackageStore(location)


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every table (layers, programme tables, imported rows, change log) and every
    account from ``source`` to ``target``, replacing the target's tables; returns the row
    counts. Lossless between GeoPackage and PostGIS in both directions."""
    with target.lock():
        tables = source.read_all()
        target.write_all(tables)
        for row in source.users().all():
            full = source.users().get(row["name"])
            target.users().put(full["name"], full["role"], full["password"])
    return {name: len(df) for name, df in tables.items()}


# --------------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------------

#: Tables in the GeoPackage (plain SQLite, not layers) that hold the store's version and the
#: version at which each table was last written.
_STATE_TABLE = "ntm_atlas_state"
_TABLES_TABLE = "ntm_atlas_tables"


class GeoPackageStore:
    """A GeoPackage file of named layers (with geometry) and tables (without).

    Every write builds a new file beside the store and renames it over the store, so a reader
    sees the old file or the new one, never a half-written one.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        #: What was read from the file as it was (see :meth:`_remembered`).
        self._memo: dict[str, tuple[tuple[int, ...], object]] = {}

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    def _remembered(self, what: str, read: Callable[[], object]) -> object:
        """``read()``, or its answer for the file as it was last time: every write renames a
        new file over the store, so the same inode, size and modification time are the same
        contents, and a ``stat`` answers what opening the file would (a worker checks the
        version on many requests; GDAL takes ~60 ms to list the layers)."""
        st = self.path.stat()
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        known = self._memo.get(what)
        if known is not None and known[0] == identity:
            return known[1]
        value = read()
        self._memo[what] = (identity, value)
        return value

    @property
    def url(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.is_file()

    def list_layers(self) -> list[str]:
        """Names of every layer and table in the store."""
        self._require()
        layers = self._remembered(
            "layers",
            lambda: [str(n) for n, _ in pyogrio.list_layers(self.path) if n not in _INTERNAL],
        )
        return list(layers)

    def read(self, name: str) -> Table:
        """One layer (GeoDataFrame) or table (DataFrame) by name."""
        layers = self.list_layers()
        if name not in layers:
            msg = f"{self.path} has no layer {name!r}; it has: {', '.join(sorted(layers))}"
            raise StoreError(msg)
        return _read_layer(self.path, name)

    def read_all(self) -> dict[str, Table]:
        """Every layer and table, all from one version of the file (read again if a writer
        replaced it meanwhile)."""
        for _ in range(5):
            before = self.version()
            tables = {name: self.read(name) for name in self.list_layers()}
            if self.version() == before:
                break
        return tables

    def write_all(self, tables: Mapping[str, Table]) -> None:
        """Replace the store with these tables, atomically: a reader sees the old file or the new
        one, never a half-written one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        store_files.remove_orphans(self.path.parent)
        fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=self.path.parent, prefix=".building-")
        os.close(fd)
        os.unlink(tmp)
        try:
            for name, df in tables.items():
                _write(Path(tmp), name, df)
            _set_version(Path(tmp), self.version() + 1 if self.exists() else 1, list(tables))
            os.chmod(tmp, store_files.mode_for(self.path))
            os.replace(tmp, self.path)
        except WRITE_ERRORS as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _write_failed(self.path, exc) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def replace_tables(self, tables: Mapping[str, Table]) -> None:
        """Replace some tables and keep the others, all or nothing (copy, rewrite, rename)."""
        self._require()
        store_files.remove_orphans(self.path.parent)
        fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=self.path.parent, prefix=".writing-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copyfile(self.path, tmp)
            for name, df in tables.items():
                _write(tmp, name, df)
            _set_version(tmp, _version_of(tmp) + 1, list(tables))
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, store_files.mode_for(self.path))
            os.replace(tmp, self.path)
        except WRITE_ERRORS as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(self.path, exc) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def version(self) -> int:
        """The write counter kept in the file (-1 when there is no file)."""
        try:
            return self._remembered("version", lambda: _version_of(self.path))
        except FileNotFoundError:
            return -1
        except sqlite3.DatabaseError:
            return -1

    def table_versions(self) -> dict[str, int]:
        self._require()
        with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as con:
            try:
                rows = dict(con.execute(f"SELECT name, version FROM {_TABLES_TABLE}").fetchall())
            except sqlite3.OperationalError:  # a store written before versions were kept
                rows = {}
        return {name: int(rows.get(name, 0)) for name in self.list_layers()}

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the store's write lock (``<store>.lock``); wait up to ``timeout`` seconds.

        Writers (imports, undo, rebuilds) take it so that they never interleave.
        """
        path = self.path.with_name(self.path.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        msg = (
                            f"{self.path} is being changed by another import or build "
                            f"(waited {timeout:.0f} s); try again"
                        )
                        raise StoreBusyError(msg) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ---------------------------------------------------------------- accounts and secrets
    @property
    def accounts_path(self) -> Path:
        """``<store stem>.users.sqlite``: accounts and secrets survive a rebuild of the store."""
        return self.path.with_name(self.path.stem + ".users.sqlite")

    def secret(self, name: str = SESSION_SECRET) -> bytes:
        with contextlib.closing(_accounts_db(self.accounts_path)) as con, con:
            con.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
                (name, _secrets.token_bytes(32)),
            )
            return bytes(
                con.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()[0]
            )

    def users(self) -> UserRows:
        return _SqliteUsers(self.accounts_path)

    def _require(self) -> None:
        if not self.exists():
            msg = f"No store at {self.path}. Build it with: ntm-atlas data build --out {self.path}"
            raise StoreError(msg)


#: What a write that runs out of room raises, depending on which layer noticed: the copy
#: (OSError: ENOSPC, EFBIG), SQLite ("database or disk is full", "disk I/O error"), GDAL
#: ("Failed to commit transaction").
WRITE_ERRORS = (
    OSError,
    sqlite3.Error,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
)


def _write_failed(path: Path, exc: BaseException) -> BaseException:
    """A :class:`StoreWriteError` for a write of the store at ``path`` that failed with
    ``exc`` (the new copy is already removed; the store is as it was), saying how much room
    its disk has and how much a write needs. The store's own errors pass unchanged."""
    if isinstance(exc, StoreBusyError | StoreError):
        return exc
    import errno

    why = getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = -1
    size = path.stat().st_size if path.exists() else 0
    full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(
        w in why.lower() for w in ("full", "no space", "too large")
    )
    code = errno.ENOSPC if full or (0 <= free < size) else errno.EIO
    room = f"{free / 2**20:,.1f} MB free" if free >= 0 else "free space unknown"
    text = (
        f"writing a new copy of {path.name} failed ({why}); {room} on its disk, and a write "
        f"needs room for a copy of the store ({size / 2**20:,.1f} MB) and the new rows; "
        "make room if the disk is full, and try again"
    )
    return StoreWriteError(code, text)


def _read_layer(path: Path | str, name: str) -> Table:
    df = pyogrio.read_dataframe(path, layer=name, use_arrow=False)
    if "fid" in df.columns:
        df = df.drop(columns="fid")
    return df


def _write(path: Path, name: str, df: Table) -> None:
    if isinstance(df, gpd.GeoDataFrame):
        df.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    else:
        pyogrio.write_dataframe(pd.DataFrame(df), path, layer=name, driver="GPKG")


def _version_of(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        try:
            row = con.execute(f"SELECT version FROM {_STATE_TABLE}").fetchone()
        except sqlite3.OperationalError:  # a store written before versions were kept
            return 0
    return int(row[0]) if row else 0


def _set_version(path: Path, version: int, written: list[str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {_STATE_TABLE} (version INTEGER NOT NULL)")
        con.execute(f"DELETE FROM {_STATE_TABLE}")
        con.execute(f"INSERT INTO {_STATE_TABLE} (version) VALUES (?)", (version,))
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {_TABLES_TABLE} "
            "(name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        con.executemany(
            f"INSERT INTO {_TABLES_TABLE} (name, version) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
            [(name, version) for name in written],
        )


_INTERNAL = (_STATE_TABLE, _TABLES_TABLE)


def _accounts_db(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    con.execute(
        "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
        "password TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP, "
        "session_epoch INTEGER NOT NULL DEFAULT 0)"
    )
    columns = {row[1] for row in con.execute("PRAGMA table_info(users)")}
    if "session_epoch" not in columns:  # a users file written before sessions could end
        with contextlib.suppress(sqlite3.OperationalError):  # another worker just added it
            con.execute("ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0")
            con.commit()
    con.execute("CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS login_failures (key TEXT PRIMARY KEY, "
        "failures INTEGER NOT NULL, last_failed REAL NOT NULL)"
    )
    with contextlib.suppress(OSError):
        path.chmod(0o600)
    return con


_USER_COLUMNS = ("name", "role", "password", "session_epoch")


class _SqliteUsers:
    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, name: str) -> dict | None:
        if not self.path.is_file():
            return None
        with contextlib.closing(_accounts_db(self.path)) as con:
            row = con.execute(
                f"SELECT {', '.join(_USER_COLUMNS)} FROM users WHERE name = ?", (name,)
            ).fetchone()
        return dict(zip(_USER_COLUMNS, row, strict=True)) if row else None

    def put(self, name: str, role: str, password: str) -> None:
        with contextlib.closing(_accounts_db(self.path)) as con, con:
            con.execute(
                "INSERT INTO users (name, role, password) VALUES (?, ?, ?) ON CONFLICT (name) "
                "DO UPDATE SET role = excluded.role, password = excluded.password, "
                "session_epoch = session_epoch + 1",
                (name, role, password),
            )

    def all(self) -> list[dict]:
        if not self.path.is_file():
            return []
        with contextlib.closing(_accounts_db(self.path)) as con:
            rows = con.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [{"name": n, "role": r} for n, r in rows]

    def end_sessions(self, name: str) -> None:
        with contextlib.closing(_accounts_db(self.path)) as con, con:
            con.execute(
                "UPDATE users SET session_epoch = session_epoch + 1 WHERE name = ?", (name,)
            )

    def failures(self, key: str) -> tuple[int, float]:
        if not self.path.is_file():
            return 0, 0.0
        with contextlib.closing(_accounts_db(self.path)) as con:
            row = con.execute(
                "SELECT failures, last_failed FROM login_failures WHERE key = ?", (key,)
            ).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def add_failure(self, key: str, at: float, *, forget_before: float) -> int:
        with contextlib.closing(_accounts_db(self.path)) as con, con:
            con.execute("DELETE FROM login_failures WHERE last_failed < ?", (forget_before,))
            return con.execute(
                "INSERT INTO login_failures (key, failures, last_failed) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, "
                "last_failed = excluded.last_failed RETURNING failures",
                (key, at),
            ).fetchone()[0]

    def clear_failures(self, key: str) -> None:
        if not self.path.is_file():
            return
        with contextlib.closing(_accounts_db(self.path)) as con, con:
            con.execute("DELETE FROM login_failures WHERE key = ?", (key,))
