"""Write checked rows into the store: one transaction per import, logged and undoable.

Storage
-------
Every imported row version lives in its own table, ``imported_assignments``,
``imported_projects`` or ``imported_agencies``, with the columns of the seed-built table plus
``origin`` ("import"), ``import_id`` (the import that wrote this version), ``dataset`` (the
spreadsheet it belongs to, by default the file name without suffix), ``source_file``,
``source_row``, ``row_key``, ``row_hash`` and ``superseded_by`` (the import that replaced or
removed it, else empty). The readers' tables ``assignments``, ``projects`` and ``agencies``
hold the seed rows (``origin`` "seed") plus the live imported rows, so the dashboard needs no
union of its own. ``import_log`` records every import and undo: when, who, file name and
sha256, rows added/changed/removed.

``ntm-atlas data build`` rebuilds the seed rows from scratch and calls :func:`carry_imports`,
which copies ``imported_*`` and ``import_log`` from the old store into the new one and merges
the live rows again: a rebuild never drops imports.

Rows are matched by key within a data set: a row whose key (commune + title + village + year
+ sponsor + date for projects; sponsor + commune + period for assignments; name for agencies) is
new is added, one whose content differs is changed. With ``replace`` (``--replace``), the file is
the data set's new version and rows of the previous version missing from it are removed (only
when the file has no errors: a row that failed validation is not a row that was deleted).
Re-importing the same file changes nothing and does not touch the store; an empty file never
removes anything.
Undo restores the state before the latest import that was not undone.

Every function takes a :class:`geodata.store.Store`. Writing goes through
:meth:`Store.replace_tables`, all or nothing (GeoPackage: a rewritten copy renamed over the
file; PostGIS: one transaction), so a failure at any point, even a killed process, leaves the
store as it was. Writers are serialised by :meth:`Store.lock` (GeoPackage: ``fcntl.flock`` on
``<store>.lock``; PostGIS: an advisory lock); a second writer waits up to ``timeout`` seconds and
then fails with :class:`ImportBusyError`. Everything read to compute an import is read inside
the lock, so two imports started at once end with the rows of both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.errors import StoreBusyError, StoreError
from geodata.imports.validate import Report
from geodata.placement import place_in_areas
from geodata.store import Store, open_store
from geodata.vocabulary import IdPrefix, ImportKind

LOG_TABLE = "import_log"
TRACKING = ["origin", "import_id", "dataset", "source_file", "source_row", "row_key", "row_hash"]
ID_COLUMN = {"assignments": "assignment_id", "projects": "project_id", "agencies": None}
LOG_COLUMNS = [
    "import_id",
    "action",
    "at",
    "user",
    "kind",
    "dataset",
    "file_name",
    "sha256",
    "added",
    "changed",
    "removed",
    "unchanged",
    "undoes",
    "undone_by",
]


#: Another import or build holds the store's lock.
ImportBusyError = StoreBusyError


@dataclass
class ApplyResult:
    import_id: str | None
    added: int
    changed: int
    removed: int
    unchanged: int

    @property
    def written(self) -> bool:
        return self.import_id is not None


# --------------------------------------------------------------------------------------------
# Lock and atomic replacement
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def store_lock(store: Store | Path | str, timeout: float = 30.0) -> Iterator[None]:
    """Hold the store's write lock (:meth:`Store.lock`)."""
    with open_store(store).lock(timeout):
        yield


def replace_tables(store: Store, tables: Mapping[str, pd.DataFrame]) -> None:
    """Replace some tables of the store, all or nothing (:meth:`Store.replace_tables`)."""
    store.replace_tables(tables)


# --------------------------------------------------------------------------------------------
# Reading the current state
# --------------------------------------------------------------------------------------------


def _read(store: Store, name: str, layers: list[str]) -> pd.DataFrame | None:
    return store.read(name) if name in layers else None


def read_log(store: Store | Path | str) -> pd.DataFrame:
    """The change log, oldest first (empty if nothing was ever imported)."""
    store = open_store(store)
    log = _read(store, LOG_TABLE, store.list_layers())
    return log if log is not None else pd.DataFrame(columns=LOG_COLUMNS)


def _live(imported: pd.DataFrame) -> pd.DataFrame:
    if "superseded_by" not in imported:
        return imported
    return imported.loc[imported["superseded_by"].isna()]


def _merged(kind: str, main: pd.DataFrame, imported: pd.DataFrame | None) -> pd.DataFrame:
    """Seed rows of the readers' table plus the live imported rows."""
    seed = main
    if "origin" in main:
        seed = main.loc[main["origin"].fillna("seed") != "import"]
    seed = seed.assign(origin="seed")
    if imported is None or imported.empty:
        return seed
    live = _live(imported).drop(columns=["superseded_by"], errors="ignore")
    columns = list(dict.fromkeys([*seed.columns, *live.columns]))
    if "geometry" in columns:
        columns = [c for c in columns if c != "geometry"] + ["geometry"]
    out = pd.concat([seed, live], ignore_index=True)[columns]
    if isinstance(main, gpd.GeoDataFrame):
        out = _geo_frame(out, main.crs)
    return out


def carry_imports(
    old_store: Store | Path | str, tables: dict[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """The freshly built ``tables`` with the imports of the store being replaced merged back in.

    Called by ``data build`` so that a rebuild never drops imported rows.
    """
    store = open_store(old_store)
    try:
        if not store.exists():
            return tables
        layers = store.list_layers()
    except Exception:  # an unreadable old store has nothing to carry
        return tables
    out = dict(tables)
    for kind in ImportKind.values():
        imported = _read(store, f"imported_{kind}", layers)
        if imported is not None and kind in out:
            out[f"imported_{kind}"] = imported
            out[kind] = _merged(kind, out[kind], imported)
    if LOG_TABLE in layers:
        out[LOG_TABLE] = store.read(LOG_TABLE)
    return out


# --------------------------------------------------------------------------------------------
# Import and undo
# --------------------------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _next_id(log: pd.DataFrame) -> str:
    return f"I{len(log) + 1:04d}"


class _Columns:
    """Records gathered column by column as they are read back from the report's spool: a
    text that repeats down a column (a commune, a district, a sponsor, a status) is kept once,
    so that 200,000 rows cost a pointer per cell and their distinct values, not a dictionary
    per row (that list of dictionaries took 480 MB for 200,000 projects)."""

    #: A column with more distinct texts than this (titles, keys) stops sharing them.
    SHARED_MAX = 20_000

    def __init__(self) -> None:
        self.columns: dict[str, list] = {}
        self.shared: dict[str, dict[str, str] | None] = {}
        self.count = 0

    def add(self, record: dict[str, Any]) -> None:
        for name, value in record.items():
            column = self.columns.get(name)
            if column is None:  # a column the earlier records lacked
                column = self.columns[name] = [None] * self.count
                self.shared[name] = {}
            if type(value) is str and (shared := self.shared[name]) is not None:
                value = shared.setdefault(value, value)
                if len(shared) > self.SHARED_MAX:
                    self.shared[name] = None
            column.append(value)
        self.count += 1
        if len(record) != len(self.columns):  # a column this record lacks
            for column in self.columns.values():
                if len(column) < self.count:
                    column.append(None)

    def frame(self) -> pd.DataFrame:
        """The columns as a table (each list freed once it is an array)."""
        names = list(self.columns)
        arrays = {name: pd.Series(self.columns.pop(name), dtype=None) for name in names}
        return pd.DataFrame(arrays, copy=False) if arrays else pd.DataFrame()


def _incoming(report: Report, kind: str, dataset: str, file_name: str) -> pd.DataFrame:
    """The ok and warning rows as they will be stored, with their key, id and tracking
    columns, read back from the report's spool one at a time."""
    columns = _Columns()
    id_column = ID_COLUMN[kind]
    prefix = IdPrefix.imported(kind)
    for record, key in report.stored():
        row_key = json.dumps(key, ensure_ascii=False, default=str)
        if id_column:
            digest = hashlib.sha1(f"{kind}|{dataset}|{row_key}".encode()).hexdigest()[:10]
            record = {id_column: prefix.make(digest), **record}
        record["row_key"] = row_key
        columns.add(record)
    df = columns.frame()
    if df.empty:
        return df
    df["origin"] = "import"
    df["dataset"] = dataset
    df["source_file"] = file_name
    if "source_url" in df:
        df["source_url"] = df["source_url"].fillna(f"import: {file_name}")
    return df


@dataclass
class _Current:
    """What an import starts from, read under the lock: the log, the imported rows of the
    kind (every version) and the readers' table."""

    log: pd.DataFrame
    imported: pd.DataFrame
    main: pd.DataFrame

    @classmethod
    def read(cls, store: Store, kind: str) -> _Current:
        imported = _read(store, f"imported_{kind}", store.list_layers())
        if imported is None:
            imported = pd.DataFrame(columns=[*TRACKING, "superseded_by"])
        return cls(read_log(store), imported, store.read(kind))

    def live(self, dataset: str) -> pd.DataFrame:
        live = _live(self.imported)
        return live.loc[live["dataset"] == dataset]


def apply_import(
    store: Store | Path | str,
    report: Report,
    *,
    dataset: str,
    file_name: str,
    sha256: str,
    user: str | None = None,
    timeout: float = 30.0,
    replace: bool = False,
) -> ApplyResult:
    """Write the ok and warning rows of a report as one import of ``dataset``.

    The caller decides whether errors block the import; this writes what it is given. Under
    the store's lock: compare the incoming rows with the data set's live rows
    (:func:`_changes`), mark the rows they replace and add the new ones
    (:func:`_new_tables`: projects placed inside their commune), and write the three tables
    and the log entry in one replacement. Intermediate tables are let go as soon as the next
    one is made, so that a 200,000-row import holds about two copies of its rows' pointers.
    """
    store = _existing(store)
    kind = report.kind
    with store.lock(timeout):
        current = _Current.read(store, kind)
        incoming = _incoming(report, kind, dataset, file_name)
        if incoming.empty:  # an empty file never wipes a data set (undo is for that)
            return ApplyResult(None, 0, 0, 0, 0)
        live = current.live(dataset)
        ch = _changes(incoming, live, may_remove=replace and report.ok)
        del incoming  # what is written is in ch.write
        if not (ch.added or ch.changed or ch.removed):
            return ApplyResult(None, 0, 0, 0, ch.unchanged)
        import_id = _next_id(current.log)
        tables = _new_tables(kind, current, live, ch, import_id, store)
        tables[LOG_TABLE] = _logged(
            current.log,
            user,
            import_id=import_id,
            action="import",
            kind=kind,
            dataset=dataset,
            file_name=file_name,
            sha256=sha256,
            added=ch.added,
            changed=ch.changed,
            removed=ch.removed,
            unchanged=ch.unchanged,
            undoes=None,
        )
        replace_tables(store, tables)
        return ApplyResult(import_id, ch.added, ch.changed, ch.removed, ch.unchanged)


def _existing(store: Store | Path | str) -> Store:
    store = open_store(store)
    if not store.exists():
        msg = f"No store at {store.url}. Build it with: ntm-atlas data build"
        raise StoreError(msg)
    return store


def _new_tables(
    kind: str,
    current: _Current,
    live: pd.DataFrame,
    ch: _Changes,
    import_id: str,
    store: Store,
) -> dict[str, pd.DataFrame]:
    """The kind's imported rows (the replaced ones marked as superseded, the new ones added)
    and the readers' table made from them."""
    imported = _superseded(current.imported, live, {*ch.gone, *ch.write["row_key"]}, import_id)
    write = ch.write
    write["import_id"] = import_id
    write["superseded_by"] = None
    if kind == "projects":
        write = _with_points(write, current.main, imported, store)
        imported = _as_geo(imported, current.main.crs)
    new_imported = _appended(imported, write)
    del imported, write
    if kind == "projects":
        new_imported = _geo_frame(new_imported, current.main.crs)
    return {
        f"imported_{kind}": new_imported,
        kind: _merged(kind, current.main, new_imported),
    }


def _appended(imported: pd.DataFrame, write: pd.DataFrame) -> pd.DataFrame:
    """The imported rows and the new ones below; the first import's rows are used as they are
    (no copy of 200,000 rows: only a missing tracking column is added)."""
    if not len(write):
        return imported
    if len(imported):
        return pd.concat([imported, write], ignore_index=True)
    missing = {c: None for c in imported.columns if c not in write.columns}
    return write.assign(**missing).reset_index(drop=True)


@dataclass(frozen=True)
class _Changes:
    """What an import changes in one data set: the rows to write (new or changed), the keys
    of live rows that are gone (only when the file replaces the data set), and the counts."""

    write: pd.DataFrame
    gone: tuple[str, ...]
    added: int
    changed: int
    unchanged: int

    @property
    def removed(self) -> int:
        return len(self.gone)


def _changes(incoming: pd.DataFrame, live: pd.DataFrame, *, may_remove: bool) -> _Changes:
    """Compare incoming rows with the data set's live rows by row key and row hash."""
    old_hash = dict(zip(live["row_key"], live["row_hash"], strict=True))
    is_new = ~incoming["row_key"].isin(old_hash.keys())
    is_changed = ~is_new & (incoming["row_key"].map(old_hash) != incoming["row_hash"])
    added, changed = int(is_new.sum()), int(is_changed.sum())
    new_keys = set(incoming["row_key"])
    gone = tuple(k for k in old_hash if k not in new_keys) if may_remove else ()
    written = (is_new | is_changed).to_numpy()
    return _Changes(
        write=incoming if written.all() else incoming.take(np.flatnonzero(written)),
        gone=gone,
        added=added,
        changed=changed,
        unchanged=len(incoming) - added - changed,
    )


def _superseded(
    imported: pd.DataFrame, live: pd.DataFrame, keys: set[str], import_id: str
) -> pd.DataFrame:
    """A copy of the imported rows in which the live rows with one of ``keys`` are marked as
    superseded by ``import_id`` (they stay, for undo)."""
    imported = imported.copy()
    if "superseded_by" not in imported:
        imported["superseded_by"] = None
    imported["superseded_by"] = imported["superseded_by"].astype(object)
    superseded = live["row_key"].isin(keys)
    imported.loc[live.index[superseded.to_numpy()], "superseded_by"] = import_id
    return imported


def undo_last(
    store: Store | Path | str, *, user: str | None = None, timeout: float = 30.0
) -> dict[str, Any] | None:
    """Undo the latest import not yet undone; returns its log entry, or None if there is none."""
    store = open_store(store)
    with store.lock(timeout):
        log = read_log(store)
        open_imports = log.loc[(log["action"] == "import") & log["undone_by"].isna()]
        if open_imports.empty:
            return None
        target = open_imports.iloc[-1]
        kind, target_id = target["kind"], target["import_id"]
        layers = store.list_layers()
        imported = store.read(f"imported_{kind}")
        imported = imported.loc[imported["import_id"] != target_id].copy()
        imported["superseded_by"] = imported["superseded_by"].astype(object)
        imported.loc[imported["superseded_by"] == target_id, "superseded_by"] = None
        main = store.read(kind)
        if kind == "projects":
            imported = _as_geo(imported, main.crs)
        undo_id = _next_id(log)
        log = log.copy()
        log["undone_by"] = log["undone_by"].astype(object)
        log.loc[log["import_id"] == target_id, "undone_by"] = undo_id
        log = _logged(
            log,
            user,
            import_id=undo_id,
            action="undo",
            kind=kind,
            dataset=target["dataset"],
            file_name=target["file_name"],
            sha256=target["sha256"],
            added=target["removed"],
            changed=target["changed"],
            removed=target["added"],
            unchanged=None,
            undoes=target_id,
        )
        assert f"imported_{kind}" in layers
        replace_tables(
            store,
            {
                f"imported_{kind}": imported,
                kind: _merged(kind, main, imported),
                LOG_TABLE: log,
            },
        )
        return {**target.to_dict(), "undone_by": undo_id}


def _logged(log: pd.DataFrame, user: str | None, **entry: Any) -> pd.DataFrame:
    """``log`` with one more entry (an import or an undo), stamped now and by ``user`` (or
    this process's user), not yet undone."""
    stamped = {**entry, "at": _now(), "user": user or _user(), "undone_by": None}
    return _typed_log(pd.concat([log, pd.DataFrame([stamped])], ignore_index=True))


def _typed_log(log: pd.DataFrame) -> pd.DataFrame:
    log = log[LOG_COLUMNS].copy()
    for col in ("added", "changed", "removed", "unchanged"):
        log[col] = pd.to_numeric(log[col], errors="coerce").astype("Int64")
    for col in ("undoes", "undone_by"):
        log[col] = log[col].astype(object).where(log[col].notna(), None)
    return log


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _as_geo(df: pd.DataFrame, crs) -> gpd.GeoDataFrame:
    if "geometry" not in df:
        df = df.assign(geometry=None)
    return _geo_frame(df, crs)


def _geo_frame(df: pd.DataFrame, crs) -> gpd.GeoDataFrame:
    """``df`` with its ``geometry`` column as the geometry, without copying the rows
    (``GeoDataFrame(df, geometry=…, crs=…)`` copies every column: 77 MB for 200,000 rows)."""
    out = gpd.GeoDataFrame(df, copy=False)
    out.set_geometry("geometry", inplace=True, crs=crs)
    return out


def _with_points(
    write: pd.DataFrame, main: pd.DataFrame, imported: pd.DataFrame, store: Store
) -> gpd.GeoDataFrame:
    """Surveyed points where coordinates were given; elsewhere stand-in points inside the
    commune (2019 unit ∩ 2025 unit), after the points already placed there."""
    points: list[shapely.Geometry | None] = [None] * len(write)
    has_xy = (
        write["lon"].notna() & write["lat"].notna()
        if "lon" in write
        else pd.Series(False, index=write.index)
    )
    for i, (flag, lon, lat) in enumerate(
        zip(has_xy, write.get("lon"), write.get("lat"), strict=True)
    ):
        if flag:
            points[i] = shapely.Point(float(lon), float(lat))
    placed = write.loc[~has_xy.to_numpy(), ["code_2019", "code_2025"]]
    if not placed.empty:
        c2019 = store.read("communes_2019").set_index("code").geometry
        c2025 = store.read("communes_2025").set_index("code").geometry
        existing = _merged("projects", main, imported)
        existing = existing.loc[existing["location_precision"] == "commune"]
        counts = existing.groupby(
            [existing["code_2019"].fillna(""), existing["code_2025"].fillna("")]
        ).size()
        where = [i for i, flag in enumerate(has_xy) if not flag]
        keys = list(
            zip(placed["code_2019"].fillna(""), placed["code_2025"].fillna(""), strict=True)
        )
        areas = {}
        for c19, c25 in set(keys):
            if not c19:
                areas[(c19, c25)] = c2025[c25]
            else:
                areas[(c19, c25)] = c2019[c19].intersection(c2025[c25]) if c25 else c2019[c19]
        skip = {k: int(counts.get(k, 0)) for k in areas}
        for i, pt in zip(where, place_in_areas(keys, areas, skip=skip), strict=True):
            points[i] = pt
    # the rows are not copied (GeoDataFrame(…, geometry=points) copied 200,000 rows: 77 MB)
    out = gpd.GeoDataFrame(write.reset_index(drop=True), copy=False)
    out.set_geometry(gpd.GeoSeries(points, index=out.index, crs="EPSG:4326"), inplace=True)
    return out
