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
        out = gpd.GeoDataFrame(out, geometry="geometry", crs=main.crs)
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


def _incoming(report: Report, kind: str, dataset: str, file_name: str) -> pd.DataFrame:
    rows = []
    for record, key in report.stored():  # the ok and warning rows, read back one at a time
        record["row_key"] = json.dumps(key, ensure_ascii=False, default=str)
        rows.append(record)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    digest = [
        hashlib.sha1(f"{kind}|{dataset}|{k}".encode()).hexdigest()[:10] for k in df["row_key"]
    ]
    id_column = ID_COLUMN[kind]
    if id_column:
        df.insert(0, id_column, [IdPrefix.imported(kind).make(d) for d in digest])
    df["origin"] = "import"
    df["dataset"] = dataset
    df["source_file"] = file_name
    for col in ("source_url",):
        if col in df:
            df[col] = df[col].fillna(f"import: {file_name}")
    return df


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

    The caller decides whether errors block the import; this writes what it is given.
    """
    store = open_store(store)
    kind = report.kind
    if not store.exists():
        msg = f"No store at {store.url}. Build it with: ntm-atlas data build"
        raise StoreError(msg)
    with store.lock(timeout):
        layers = store.list_layers()
        log = read_log(store)
        imported = _read(store, f"imported_{kind}", layers)
        if imported is None:
            imported = pd.DataFrame(columns=[*TRACKING, "superseded_by"])
        main = store.read(kind)
        incoming = _incoming(report, kind, dataset, file_name)
        if incoming.empty:  # an empty file never wipes a data set (undo is for that)
            return ApplyResult(None, 0, 0, 0, 0)
        live = _live(imported)
        live = live.loc[live["dataset"] == dataset]
        old_hash = dict(zip(live["row_key"], live["row_hash"], strict=True))
        new_keys = set(incoming["row_key"])
        is_new = ~incoming["row_key"].isin(old_hash.keys())
        is_changed = ~is_new & (incoming["row_key"].map(old_hash) != incoming["row_hash"])
        write = incoming.loc[is_new | is_changed]
        added, changed = int(is_new.sum()), int(is_changed.sum())
        may_remove = replace and report.ok
        gone = [k for k in old_hash if k not in new_keys] if may_remove else []
        removed = len(gone)
        unchanged = len(incoming) - added - changed
        if not (added or changed or removed):
            return ApplyResult(None, 0, 0, 0, unchanged)

        import_id = _next_id(log)
        superseded = live["row_key"].isin(
            set(gone) | set(write["row_key"] if not write.empty else [])
        )
        imported = imported.copy()
        if "superseded_by" not in imported:
            imported["superseded_by"] = None
        imported["superseded_by"] = imported["superseded_by"].astype(object)
        imported.loc[live.index[superseded.to_numpy()], "superseded_by"] = import_id
        write = write.assign(import_id=import_id, superseded_by=None)
        if kind == "projects":
            write = _with_points(write, main, imported, store)
            imported = _as_geo(imported, main.crs)
        new_imported = (
            pd.concat([imported, write], ignore_index=True) if not write.empty else imported
        )
        if kind == "projects":
            new_imported = gpd.GeoDataFrame(new_imported, geometry="geometry", crs=main.crs)
        entry = {
            "import_id": import_id,
            "action": "import",
            "at": _now(),
            "user": user or _user(),
            "kind": kind,
            "dataset": dataset,
            "file_name": file_name,
            "sha256": sha256,
            "added": added,
            "changed": changed,
            "removed": removed,
            "unchanged": unchanged,
            "undoes": None,
            "undone_by": None,
        }
        new_log = _typed_log(pd.concat([log, pd.DataFrame([entry])], ignore_index=True))
        replace_tables(
            store,
            {
                f"imported_{kind}": new_imported,
                kind: _merged(kind, main, new_imported),
                LOG_TABLE: new_log,
            },
        )
        return ApplyResult(import_id, added, changed, removed, unchanged)


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
        entry = {
            "import_id": undo_id,
            "action": "undo",
            "at": _now(),
            "user": user or _user(),
            "kind": kind,
            "dataset": target["dataset"],
            "file_name": target["file_name"],
            "sha256": target["sha256"],
            "added": target["removed"],
            "changed": target["changed"],
            "removed": target["added"],
            "unchanged": None,
            "undoes": target_id,
            "undone_by": None,
        }
        log = _typed_log(pd.concat([log, pd.DataFrame([entry])], ignore_index=True))
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
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)


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
    placed = write.loc[~has_xy.to_numpy()]
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
    return gpd.GeoDataFrame(write.reset_index(drop=True), geometry=points, crs="EPSG:4326")
