"""The store in PostgreSQL + PostGIS, for many users and several workers.

Layout (created by the versioned :data:`MIGRATIONS`, applied on first use under an advisory
lock, each recorded in ``atlas_admin.migrations``):

- schema ``atlas``: one table per layer or table of the store, with the store's own column
  names; geometry in a ``geometry`` column (EPSG:4326, typed, GiST index); GSO codes as primary
  keys of the boundary layers (``code``) and of the crosswalk (``code_2019``); every table has
  ``fid``, the row's position, so rows come back in the order they were written;
- schema ``atlas_admin``: ``layers`` (which tables are layers, in which order, their geometry
  type), ``state`` (the version every write increments, in the same transaction),
  ``users`` (accounts, with the ``session_epoch`` that sign-out bumps), ``login_failures``
  (the sign-in throttle every worker shares) and ``secrets`` (the session key).

Writes run in one transaction under the advisory lock :data:`LOCK_KEY`: a killed writer leaves
the database as it was, and two writers never interleave. Readers read one snapshot
(``REPEATABLE READ``). Rows are replaced with ``DELETE`` + ``COPY`` when the columns stay the
same, so that readers holding an older snapshot still see the old rows.
"""

from __future__ import annotations

import contextlib
import os
import secrets as _secrets
import threading
import time
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.errors import StoreBusyError, StoreError
from geodata.store import SESSION_SECRET, Table, UserRows

SCHEMA = "atlas"
ADMIN = "atlas_admin"
#: pg_advisory_lock key of the store's write lock ("ntmatlas" in ASCII, as a bigint).
LOCK_KEY = int.from_bytes(b"ntmatlas", "big") & 0x7FFF_FFFF_FFFF_FFFF
_MIGRATION_LOCK = LOCK_KEY - 1

#: Primary keys: GSO codes for the boundary layers, the 2019 code for the crosswalk.
PRIMARY_KEYS = {
    "communes_2019": "code",
    "communes_2020": "code",
    "communes_2025": "code",
    "communes_2019_web": "code",
    "communes_2020_web": "code",
    "communes_2025_web": "code",
    "districts": "code",
    "province": "code",
    "neighbours": "code",
    "crosswalk": "code_2019",
    "import_log": "import_id",
}
#: Extra indexes that the readers' joins use.
INDEXES = {
    "crosswalk": ("code_2020", "code_2025"),
    "assignments": ("code_2019",),
    "projects": ("code_2019",),
}

#: The schema, one step per version; never edit a step that has shipped, append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: schemas, the layer registry, the version, accounts and secrets
    f"""
    CREATE EXTENSION IF NOT EXISTS postgis;
    CREATE SCHEMA IF NOT EXISTS {SCHEMA};
    CREATE TABLE {ADMIN}.layers (
        name text PRIMARY KEY,
        position integer NOT NULL,
        geometry_type text,
        srid integer
    );
    CREATE TABLE {ADMIN}.state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO {ADMIN}.state (version) VALUES (0);
    CREATE TABLE {ADMIN}.users (
        name text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('editor', 'viewer')),
        password text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE {ADMIN}.secrets (
        name text PRIMARY KEY,
        value bytea NOT NULL
    );
    """,
    # 2: the version at which each table was last written (readers reload only those)
    f"""
    ALTER TABLE {ADMIN}.layers ADD COLUMN version bigint NOT NULL DEFAULT 0;
    """,
    # 3: sessions that end at sign-out (a per-account epoch) and failed sign-ins every worker
    # counts (the sign-in throttle)
    f"""
    ALTER TABLE {ADMIN}.users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;
    CREATE TABLE {ADMIN}.login_failures (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        last_failed double precision NOT NULL
    );
    """,
)

_migrated: set[str] = set()
_migrated_lock = threading.Lock()
#: Per thread: the connection holding the write lock, by database URL.
_HELD = threading.local()
#: The connection each process keeps to ask for the version, by (process id, database URL): a
#: forked worker makes its own and never touches (or closes) the one it inherited.
_WATCH: dict[tuple[int, str], object] = {}
_watch_lock = threading.Lock()


def _held_connection(dsn: str):
    return getattr(_HELD, "cons", {}).get(dsn)


def redact(url: str) -> str:
    """The URL without its password.

    >>> redact("postgresql://atlas:s3cret@db.example:5432/atlas")
    'postgresql://atlas:***@db.example:5432/atlas'
    >>> redact("postgresql:///atlas?host=/run/postgresql")
    'postgresql:///atlas?host=/run/postgresql'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class PostGISStore:
    """Layers and tables in a PostgreSQL database with PostGIS (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.dsn = url.replace("postgres://", "postgresql://", 1)

    def __repr__(self) -> str:
        return f"PostGISStore({self.url!r})"

    @property
    def url(self) -> str:
        return redact(self.dsn)

    # ---------------------------------------------------------------- connections
    def _connect(self):
        import psycopg

        try:
            con = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            msg = f"Cannot reach the database {self.url}: {str(exc).strip()}"
            raise StoreError(msg) from exc
        return con

    @contextlib.contextmanager
    def _connection(self) -> Iterator:
        """The connection that holds this thread's lock, else a new one (migrated)."""
        held = _held_connection(self.dsn)
        if held is not None:
            yield held
            return
        con = self._connect()
        try:
            self._migrate(con)
            yield con
        finally:
            con.close()

    def _migrate(self, con) -> None:
        if self.dsn in _migrated:
            return
        with _migrated_lock:
            if self.dsn in _migrated:
                return
            migrate(con)
            _migrated.add(self.dsn)

    # ---------------------------------------------------------------- reading
    def exists(self) -> bool:
        with self._connection() as con:
            return con.execute(f"SELECT count(*) FROM {ADMIN}.layers").fetchone()[0] > 0

    def list_layers(self) -> list[str]:
        with self._connection() as con:
            names = _layer_names(con)
        if not names:
            msg = (
                f"No store in {self.url} (the database has no layers). "
                f"Build it with: ntm-atlas data build --to {self.url}"
            )
            raise StoreError(msg)
        return names

    def read(self, name: str) -> Table:
        with self._connection() as con:
            registry = _registry(con)
            if name not in registry:
                layers = ", ".join(sorted(registry))
                msg = f"{self.url} has no layer {name!r}; it has: {layers}"
                raise StoreError(msg)
            return _read_table(con, name, registry[name])

    def read_all(self) -> dict[str, Table]:
        """Every table, read in one snapshot (``REPEATABLE READ``)."""
        with self._connection() as con:
            con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                registry = _registry(con)
                return {n: _read_table(con, n, g) for n, g in registry.items()}
            finally:
                con.execute("ROLLBACK")

    def version(self) -> int:
        """The write counter (-1: the database cannot be reached).

        Asked on a connection this process keeps open for it (one per process and database,
        made after a fork, never shared with the parent): a worker asks on many requests, and
        one small query costs far less than a new connection each time."""
        held = _held_connection(self.dsn)
        try:
            if held is not None:
                return _version(held)
            return self._watched(_version)
        except StoreError:
            return -1

    def _watched(self, query):
        """``query(connection)`` on the connection kept for polling; one new try if the
        server dropped it (a restart, an administrator ending sessions)."""
        import psycopg

        key = (os.getpid(), self.dsn)
        with _watch_lock:
            for attempt in (1, 2):
                con = _WATCH.get(key)
                if con is None or con.closed:
                    con = self._connect()
                    self._migrate(con)
                    _WATCH[key] = con
                try:
                    return query(con)
                except psycopg.OperationalError as exc:
                    del _WATCH[key]
                    with contextlib.suppress(psycopg.Error):
                        con.close()
                    if attempt == 2:
                        msg = f"Cannot reach the database {self.url}: {str(exc).strip()}"
                        raise StoreError(msg) from exc
        raise AssertionError  # not reached

    # ---------------------------------------------------------------- writing
    def write_all(self, tables: Mapping[str, Table]) -> None:
        with self._connection() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            version = _bump(con)
            for name in set(_registry(con)) - set(tables):
                con.execute(f'DROP TABLE IF EXISTS {SCHEMA}."{name}"')
                con.execute(f"DELETE FROM {ADMIN}.layers WHERE name = %s", (name,))
            for position, (name, df) in enumerate(tables.items()):
                _write_table(con, name, df, position, version)

    def replace_tables(self, tables: Mapping[str, Table]) -> None:
        with self._connection() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            if not _layer_names(con):
                msg = f"No store in {self.url}. Build it with: ntm-atlas data build --to {self.url}"
                raise StoreError(msg)
            version = _bump(con)
            rows = con.execute(f"SELECT name, position FROM {ADMIN}.layers").fetchall()
            positions = dict(rows)
            following = max(positions.values(), default=-1) + 1
            for name, df in tables.items():
                if name not in positions:
                    positions[name], following = following, following + 1
                _write_table(con, name, df, positions[name], version)

    def table_versions(self) -> dict[str, int]:
        with self._connection() as con:
            rows = con.execute(
                f"SELECT name, version FROM {ADMIN}.layers ORDER BY position, name"
            ).fetchall()
        return {name: int(version) for name, version in rows}

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the advisory lock on a connection of its own; reads and writes of this thread
        use that connection until the lock is released (or the process dies). Like a file lock,
        it is not re-entrant: a second :meth:`lock` waits, even in the same thread."""
        con = self._connect()
        try:
            self._migrate(con)
            deadline = time.monotonic() + timeout
            while not con.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    msg = (
                        f"{self.url} is being changed by another import or build "
                        f"(waited {timeout:.0f} s); try again"
                    )
                    raise StoreBusyError(msg)
                time.sleep(0.05)
            held = _HELD.__dict__.setdefault("cons", {})
            held[self.dsn] = con
            try:
                yield
            finally:
                held.pop(self.dsn, None)
                with contextlib.suppress(Exception):
                    con.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        finally:
            con.close()

    # ---------------------------------------------------------------- accounts and secrets
    def secret(self, name: str = SESSION_SECRET) -> bytes:
        with self._connection() as con:
            con.execute(
                f"INSERT INTO {ADMIN}.secrets (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO NOTHING",
                (name, _secrets.token_bytes(32)),
            )
            row = con.execute(f"SELECT value FROM {ADMIN}.secrets WHERE name = %s", (name,))
            return bytes(row.fetchone()[0])

    def users(self) -> UserRows:
        return _PostgresUsers(self)


def migrate(con) -> int:
    """Apply the migrations this database lacks; returns the schema version."""
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {ADMIN}")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {ADMIN}.migrations "
            "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = con.execute(f"SELECT coalesce(max(version), 0) FROM {ADMIN}.migrations")
        current = done.fetchone()[0]
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            con.execute(sql)
            con.execute(f"INSERT INTO {ADMIN}.migrations (version) VALUES (%s)", (version,))
            current = version
    return current


class _PostgresUsers:
    def __init__(self, store: PostGISStore) -> None:
        self.store = store

    def get(self, name: str) -> dict | None:
        columns = ("name", "role", "password", "session_epoch")
        with self.store._connection() as con:
            row = con.execute(
                f"SELECT {', '.join(columns)} FROM {ADMIN}.users WHERE name = %s", (name,)
            ).fetchone()
        return dict(zip(columns, row, strict=True)) if row else None

    def put(self, name: str, role: str, password: str) -> None:
        with self.store._connection() as con:
            con.execute(
                f"INSERT INTO {ADMIN}.users AS u (name, role, password) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                "password = excluded.password, session_epoch = u.session_epoch + 1",
                (name, role, password),
            )

    def all(self) -> list[dict]:
        with self.store._connection() as con:
            rows = con.execute(f"SELECT name, role FROM {ADMIN}.users ORDER BY name").fetchall()
        return [{"name": n, "role": r} for n, r in rows]

    def end_sessions(self, name: str) -> None:
        with self.store._connection() as con:
            con.execute(
                f"UPDATE {ADMIN}.users SET session_epoch = session_epoch + 1 WHERE name = %s",
                (name,),
            )

    def failures(self, key: str) -> tuple[int, float]:
        with self.store._connection() as con:
            row = con.execute(
                f"SELECT failures, last_failed FROM {ADMIN}.login_failures WHERE key = %s",
                (key,),
            ).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def add_failure(self, key: str, at: float, *, forget_before: float) -> int:
        with self.store._connection() as con, con.transaction():
            con.execute(
                f"DELETE FROM {ADMIN}.login_failures WHERE last_failed < %s", (forget_before,)
            )
            return con.execute(
                f"INSERT INTO {ADMIN}.login_failures AS f (key, failures, last_failed) "
                "VALUES (%s, 1, %s) ON CONFLICT (key) DO UPDATE SET "
                "failures = f.failures + 1, last_failed = excluded.last_failed "
                "RETURNING failures",
                (key, at),
            ).fetchone()[0]

    def clear_failures(self, key: str) -> None:
        with self.store._connection() as con:
            con.execute(f"DELETE FROM {ADMIN}.login_failures WHERE key = %s", (key,))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _version(con) -> int:
    return int(con.execute(f"SELECT version FROM {ADMIN}.state").fetchone()[0])


def _bump(con) -> int:
    """Raise the store's version (in the writer's transaction); returns the new one."""
    row = con.execute(
        f"UPDATE {ADMIN}.state SET version = version + 1, changed_at = now() RETURNING version"
    )
    return int(row.fetchone()[0])


def _layer_names(con) -> list[str]:
    rows = con.execute(f"SELECT name FROM {ADMIN}.layers ORDER BY position, name").fetchall()
    return [r[0] for r in rows]


def _registry(con) -> dict[str, tuple[str | None, int | None]]:
    rows = con.execute(
        f"SELECT name, geometry_type, srid FROM {ADMIN}.layers ORDER BY position, name"
    ).fetchall()
    return {name: (gtype, srid) for name, gtype, srid in rows}


def _ident(name: str) -> str:
    if '"' in name or "\x00" in name:
        msg = f"Bad table or column name {name!r}"
        raise StoreError(msg)
    return f'"{name}"'


def _sql_type(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp with time zone"
    values = series.dropna()
    if len(values) and all(isinstance(v, bool | np.bool_) for v in values):
        return "boolean"
    if len(values) and all(isinstance(v, int | np.integer) for v in values):
        return "bigint"
    if len(values) and all(isinstance(v, float | np.floating | int) for v in values):
        return "double precision"
    return "text"


def _geometry_type(gdf: gpd.GeoDataFrame) -> str:
    kinds = set(gdf.geometry.dropna().geom_type)
    return kinds.pop() if len(kinds) == 1 else "Geometry"


def _write_table(con, name: str, df: Table, position: int, version: int) -> None:
    """Create or refill ``atlas.<name>`` with ``df``; registers it in ``atlas_admin.layers``."""
    is_geo = isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns
    geom_col = df.geometry.name if is_geo else None
    attrs = [c for c in df.columns if c != geom_col]
    if "fid" in attrs:
        msg = f"{name}: a column may not be called fid (the store keeps row order in it)"
        raise StoreError(msg)
    columns = [("fid", "bigint NOT NULL")]
    columns += [(str(c), _sql_type(df[c])) for c in attrs]
    srid = None
    gtype = None
    if is_geo:
        srid = df.crs.to_epsg() if df.crs is not None else 0
        gtype = _geometry_type(df)
        columns.append(("geometry", f"geometry({gtype}, {srid or 0})"))
    wanted = [(c, t.split(" NOT NULL")[0]) for c, t in columns]
    table = f"{SCHEMA}.{_ident(name)}"
    if _columns_of(con, name) == wanted:
        con.execute(f"DELETE FROM {table}")
    else:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        body = ", ".join(f"{_ident(c)} {t}" for c, t in columns)
        key = PRIMARY_KEYS.get(name)
        if key is None or key not in attrs or df[key].isna().any() or df[key].duplicated().any():
            key = "fid"
        con.execute(f"CREATE TABLE {table} ({body}, PRIMARY KEY ({_ident(key)}))")
        if is_geo:
            con.execute(f"CREATE INDEX ON {table} USING gist (geometry)")
        for col in INDEXES.get(name, ()):
            if col in attrs:
                con.execute(f"CREATE INDEX ON {table} ({_ident(col)})")
    names = ", ".join(_ident(c) for c, _ in columns)
    with con.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in _rows(df, attrs, geom_col, srid):
            copy.write_row(row)
    con.execute(
        f"INSERT INTO {ADMIN}.layers (name, position, geometry_type, srid, version) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
        "position = excluded.position, geometry_type = excluded.geometry_type, "
        "srid = excluded.srid, version = excluded.version",
        (name, position, gtype, srid, version),
    )


def _columns_of(con, name: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (f'{SCHEMA}."{name}"',),
    ).fetchall()
    out = []
    for col, typ in rows:
        if typ.startswith("geometry("):
            kind, srid = typ[len("geometry(") : -1].split(",")
            typ = f"geometry({_GEOMETRY_NAMES.get(kind.lower(), kind)}, {srid.strip()})"
        out.append((col, typ))
    return out


_GEOMETRY_NAMES = {
    "point": "Point",
    "multipoint": "MultiPoint",
    "linestring": "LineString",
    "multilinestring": "MultiLineString",
    "polygon": "Polygon",
    "multipolygon": "MultiPolygon",
    "geometrycollection": "GeometryCollection",
    "geometry": "Geometry",
}


def _python(value):
    """A value COPY can take (numpy scalars and missing values made plain)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _rows(df: Table, attrs: list, geom_col: str | None, srid: int | None) -> Iterator[list]:
    columns = [[_python(v) for v in df[c].tolist()] for c in attrs]
    if geom_col is not None:
        geoms = df.geometry.to_numpy()
        if srid:
            geoms = shapely.set_srid(geoms, srid)
        wkb = shapely.to_wkb(geoms, hex=True, include_srid=bool(srid))
        columns.append([w if isinstance(w, str) else None for w in wkb])
    for fid, row in enumerate(zip(*columns, strict=True) if columns else [()] * len(df)):
        yield [fid, *row]


def _read_table(con, name: str, geo: tuple[str | None, int | None]) -> Table:
    gtype, srid = geo
    types = dict(_columns_of(con, name))
    cols = [c for c in types if c != "fid"]
    select = ", ".join(
        "ST_AsBinary(geometry)" if c == "geometry" and gtype else _ident(c) for c in cols
    )
    cur = con.execute(f"SELECT {select or '1'} FROM {SCHEMA}.{_ident(name)} ORDER BY fid")
    rows = cur.fetchall()
    data = {}
    for i, col in enumerate(cols):
        values = [r[i] for r in rows]
        if col == "geometry" and gtype:
            continue
        data[col] = _series(values, types[col])
    index = pd.RangeIndex(len(rows))
    df = pd.DataFrame(data, index=index)
    if gtype:
        i = cols.index("geometry")
        geoms = shapely.from_wkb(np.array([r[i] for r in rows], dtype=object))
        crs = f"EPSG:{srid}" if srid else None
        df = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=index, crs=crs), crs=crs)
    return df


def _series(values: list, sql_type: str) -> pd.Series:
    """A column typed the way pyogrio types the same column read from a GeoPackage."""
    missing = any(v is None for v in values)
    if sql_type == "bigint":
        if missing:
            return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        return pd.Series(values, dtype="int64")
    if sql_type == "double precision":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if sql_type == "boolean":
        return pd.Series(values, dtype=object if missing else "bool")
    if sql_type.startswith("timestamp"):
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    if values and all(v is None for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="str")
