"""The bundle: everything the dashboard and the exports read, loaded once per process.

A :class:`Bundle` is built from the store (:meth:`Bundle.load`) or from tables in memory
(:meth:`Bundle.from_tables`, for tests). It holds the store's tables, the web GeoJSON of every
commune vintage and of the overlays (districts, province, neighbours) as ready-to-send text,
their bounding boxes and label points. It is frozen and must never be mutated: callbacks and
exports only read it, and every function in :mod:`geodata.coverage` returns new objects.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> communes = gpd.GeoDataFrame(
...     {"code": ["00001"], "name": ["Xã A"], "kind": ["xã"], "district_code": ["001"],
...      "district_name": ["Huyện X"], "area_km2": [1.0]},
...     geometry=[box(105.0, 22.0, 105.1, 22.1)], crs="EPSG:4326")
>>> b = Bundle.from_tables({"communes_2019": communes})
>>> b.bbox(2019)
(105.0, 22.0, 105.1, 22.1)
>>> b.communes(2019)["name"].tolist()
['Xã A']
>>> '"id":"00001"' in b.geojson_text("communes_2019")
True
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.errors import StoreError
from geodata.programme import canonical_sponsors, with_all_sponsors
from geodata.store import Store, open_store
from geodata.vocabulary import DEFAULT_VINTAGE, VINTAGES, check_vintage

__all__ = ["DEFAULT_VINTAGE", "VINTAGES", "Bundle", "BundleHolder", "check_vintage"]

T = TypeVar("T")

#: Names of the overlay layers the bundle serves as GeoJSON besides the communes.
OVERLAYS = ("districts", "province", "neighbours")

#: Programme tables the bundle exposes; missing ones become empty tables.
PROGRAMME_TABLES = (
    "crosswalk",
    "agencies",
    "assignments",
    "assignments_aggregate",
    "projects",
    "projects_aggregate",
    "commune_status",
    "official_counts",
)

#: Columns that the store writes as integers but GeoPackage round-trips as floats.
_INT_COLUMNS = {
    "assignments": ("period_start_year", "period_end_year"),
    "projects": ("year_start", "year_end", "cost_vnd"),
    "commune_status": ("year",),
    "official_counts": ("count",),
}


@dataclass(frozen=True)
class Bundle:
    """Read-only data of one store, ready for the dashboard and the exports.

    Attributes
    ----------
    tables : Mapping[str, DataFrame]
        Every table and layer by its store name (``communes_2019``, ``assignments``, ...);
        ``communes_<v>_web`` are the simplified copies sent to the browser.
    geojson : Mapping[str, str]
        GeoJSON text (feature ``id`` = GSO code, properties ``code`` and ``name``) of
        ``communes_<v>`` (from the web copies) and of every overlay.
    label_points : Mapping[str, DataFrame]
        ``code``, ``name``, ``lon``, ``lat`` of a point inside every feature of each GeoJSON layer.
    info : Mapping[str, str]
        The store's ``build_info`` (``built_at``, ``source:<file>`` JSON, ...).
    """

    tables: Mapping[str, pd.DataFrame]
    geojson: Mapping[str, str]
    label_points: Mapping[str, pd.DataFrame]
    bboxes: Mapping[str, tuple[float, float, float, float]]
    info: Mapping[str, str] = field(default_factory=dict)
    #: The tables as read from the store, by name (what :meth:`from_tables` was given).
    inputs: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    #: What :meth:`derived` computed, by key.
    _derived: dict[Hashable, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # ---------------------------------------------------------------------------- loading
    @classmethod
    def load(cls, store: Store | Path | str) -> Bundle:
        """Read every table of a store built by ``data build`` (a path or URL is opened with
        :func:`geodata.store.open_store`)."""
        store = open_store(store)
        tables = store.read_all()
        required = [f"communes_{v}" for v in VINTAGES]
        missing = [n for n in required if n not in tables]
        if missing:
            msg = f"{store.url} lacks {', '.join(missing)}; rebuild it with: ntm-atlas data build"
            raise StoreError(msg)
        return cls.from_tables(tables)

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, pd.DataFrame], previous: Bundle | None = None
    ) -> Bundle:
        """A bundle from tables in memory; missing programme tables become empty.

        With ``previous`` (the bundle these tables replace), the GeoJSON, label points and
        bounding boxes of every layer whose table is the very object ``previous`` was built
        from are taken over instead of computed again: an import changes no boundary.
        """
        inputs = MappingProxyType(dict(tables))
        tables = _with_programme_tables(
            {name: _restore_types(name, df) for name, df in tables.items()}
        )
        geojson, labels, bboxes = _web_layers(tables, inputs, previous)
        info = {}
        if "build_info" in tables:
            info = dict(
                zip(tables["build_info"]["key"], tables["build_info"]["value"], strict=True)
            )
        return cls(
            tables=MappingProxyType(tables),
            geojson=MappingProxyType(geojson),
            label_points=MappingProxyType(labels),
            bboxes=MappingProxyType(bboxes),
            info=MappingProxyType(info),
            inputs=inputs,
        )

    # ---------------------------------------------------------------------------- derived
    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build()`` returns, computed once per bundle and ``key``.

        A bundle never changes, so whatever is computed from its tables alone (the records as
        arrays keyed to a vintage's communes, the communes a set of filters keeps, the
        difficult units of a period) holds for its whole life: every filter change reads it
        instead of computing it again, and a replaced store brings a new bundle with nothing
        kept. ``key`` names what is derived and everything besides the bundle it depends on.
        Two threads may build one key at the same time; both get equal values and one is kept.

        >>> b = Bundle.from_tables({})
        >>> b.derived(("answer", 1), lambda: [42]) is b.derived(("answer", 1), lambda: [0])
        True
        """
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, build())

    # ---------------------------------------------------------------------------- access
    def communes(self, vintage: int) -> gpd.GeoDataFrame:
        """The communes of a vintage (full-resolution geometry; ``code`` is the join key)."""
        return self.tables[f"communes_{check_vintage(vintage)}"]

    def geojson_text(self, name: str) -> str:
        """GeoJSON text of ``communes_<v>`` or an overlay, with a helpful error."""
        if name not in self.geojson:
            msg = f"No GeoJSON layer {name!r}; choose one of {', '.join(sorted(self.geojson))}"
            raise KeyError(msg)
        return self.geojson[name]

    def bbox(self, vintage_or_name: int | str) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of a vintage's communes or of a named layer."""
        key = vintage_or_name
        if isinstance(key, int) or str(key).isdigit():
            key = f"communes_{check_vintage(key)}"
        return self.bboxes[key]

    @property
    def assignments(self) -> pd.DataFrame:
        return self.tables["assignments"]

    @property
    def projects(self) -> pd.DataFrame:
        return self.tables["projects"]

    @property
    def status(self) -> pd.DataFrame:
        return self.tables["commune_status"]

    @property
    def agencies(self) -> pd.DataFrame:
        return self.tables["agencies"]

    @property
    def crosswalk(self) -> pd.DataFrame:
        return self.tables["crosswalk"]

    def sources(self) -> list[dict[str, str]]:
        """The upstream files the store was built from: ``file``, ``url``, ``licence``,
        ``attribution`` (from ``build_info``)."""
        out = []
        for key, value in self.info.items():
            if key.startswith("source:"):
                meta = json.loads(value)
                out.append({"file": key.removeprefix("source:"), **meta})
        return out


def _with_programme_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every programme table (missing ones empty), one name per sponsor, and the sponsors
    named only by imported assignments added to the agencies (they belong in every list)."""
    for name in PROGRAMME_TABLES:
        tables.setdefault(name, pd.DataFrame(columns=_EMPTY_COLUMNS[name]))
    tables["assignments"] = canonical_sponsors(tables["assignments"], tables["agencies"]["name"])
    tables["agencies"] = with_all_sponsors(tables["agencies"], tables["assignments"])
    return tables


def _layer_sources(tables: Mapping[str, pd.DataFrame]):
    """(layer name, table for labels and bounds, table for the GeoJSON, simplification, the
    store tables it comes from) of every layer sent to the browser: the communes of each
    vintage (from their simplified web copies) and the overlays."""
    for vintage in VINTAGES:
        key = f"communes_{vintage}"
        if key in tables:
            web = tables.get(f"{key}_web", tables[key])
            yield key, tables[key], web, None, (key, f"{key}_web")
    for name in OVERLAYS:
        if name in tables:
            yield name, tables[name], tables[name], _OVERLAY_TOLERANCE.get(name), (name,)


def _web_layers(
    tables: Mapping[str, pd.DataFrame],
    inputs: Mapping[str, pd.DataFrame],
    previous: Bundle | None,
) -> tuple[dict[str, str], dict[str, pd.DataFrame], dict[str, tuple[float, ...]]]:
    """GeoJSON text, label points and bounds of every layer; those of a layer whose store
    tables are the very objects ``previous`` was built from are taken over."""
    geojson: dict[str, str] = {}
    labels: dict[str, pd.DataFrame] = {}
    bboxes: dict[str, tuple[float, ...]] = {}
    for key, full, web, tolerance, names in _layer_sources(tables):
        if (
            previous is not None
            and key in previous.geojson
            and all(previous.inputs.get(n) is inputs.get(n) for n in names)
        ):
            geojson[key], labels[key] = previous.geojson[key], previous.label_points[key]
            bboxes[key] = previous.bboxes[key]
            continue
        geojson[key] = _geojson_text(web, tolerance)
        labels[key] = _label_points(full)
        bboxes[key] = tuple(float(x) for x in full.total_bounds)
    return geojson, labels, bboxes


def _restore_types(name: str, df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in _INT_COLUMNS.get(name, ()) if c in df.columns]
    points = name == "projects" and isinstance(df, gpd.GeoDataFrame)
    if not cols and not points:
        return df
    df = df.copy()
    if points:  # imported rows placed inside their commune have a point but no lon/lat
        for col, xy in (("lon", df.geometry.x), ("lat", df.geometry.y)):
            given = pd.to_numeric(df[col], errors="coerce") if col in df else None
            df[col] = xy.round(5) if given is None else given.fillna(xy.round(5))
    for col in cols:
        df[col] = pd.to_numeric(df[col]).round().astype("Int64")
    return df


#: Simplification (degrees) of a vintage's communes for a country-sized map below
#: :data:`layers.map_paint.DETAIL_ZOOM` (~0.5 px at zoom 7.5): a third of the web layer's bytes.
LOW_TOLERANCE = 0.004


def low_geojson_text(bundle: Bundle, vintage: int) -> str:
    """GeoJSON text of a vintage's communes simplified by :data:`LOW_TOLERANCE`, for the map
    of a whole country zoomed out (same ids and properties as ``communes_<v>``; a national
    store's 2.0 MiB of compressed GeoJSON become 0.8 MiB). Built on demand, not at load.

    >>> import geopandas as gpd, shapely
    >>> square = shapely.Polygon([(105, 22), (105.01, 22.0001), (105.02, 22), (105.02, 22.02),
    ...     (105, 22.02)])
    >>> c = gpd.GeoDataFrame({"code": ["00001"], "name": ["A"]}, geometry=[square], crs=4326)
    >>> b = Bundle.from_tables({"communes_2019": c, "communes_2020": c, "communes_2025": c})
    >>> ring = lambda text: json.loads(text)["features"][0]["geometry"]["coordinates"][0]
    >>> len(ring(b.geojson_text("communes_2019"))), len(ring(low_geojson_text(b, 2019)))
    (6, 5)
    >>> '"id":"00001"' in low_geojson_text(b, 2019)
    True
    """
    key = f"communes_{check_vintage(vintage)}"
    web = bundle.tables.get(f"{key}_web", bundle.tables[key])
    return _geojson_text(web, LOW_TOLERANCE)


#: Simplification (degrees) of overlays that are context only; neighbours are large.
_OVERLAY_TOLERANCE = {"neighbours": 0.004, "province": 0.0005, "districts": 0.0005}


def _geojson_text(gdf: gpd.GeoDataFrame, tolerance: float | None = None) -> str:
    """Compact GeoJSON with ``id`` = code; coordinates rounded to ~1 m (5 decimals).

    The geometries are rounded and written by shapely in one vectorised call each (a walk of
    the coordinates in Python took ~30 s for a national store's 10,700 communes); only the
    feature envelopes are joined here."""
    keep = [c for c in ("code", "name") if c in gdf.columns]
    slim = gdf[[*keep, "geometry"]].to_crs(4326)
    geoms = np.asarray(slim.geometry.values, dtype=object)
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 5))
    texts = shapely.to_geojson(geoms)
    props = {c: slim[c].astype(object).where(slim[c].notna(), None).tolist() for c in keep}
    features = []
    for i, geometry in enumerate(texts.tolist()):
        row = {c: props[c][i] for c in keep}
        features.append(
            '{"type":"Feature","properties":'
            + json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            + ',"geometry":'
            + (geometry or "null")
            + ',"id":'
            + json.dumps(row.get("code"), ensure_ascii=False)
            + "}"
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _label_points(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    points = gdf.geometry.representative_point()
    return pd.DataFrame(
        {
            "code": gdf["code"].to_numpy(),
            "name": gdf["name"].to_numpy() if "name" in gdf else gdf["code"].to_numpy(),
            "lon": points.x.round(5).to_numpy(),
            "lat": points.y.round(5).to_numpy(),
        }
    )


#: Columns of the programme tables a store lacks (they become empty tables).
_EMPTY_COLUMNS = {
    "crosswalk": (
        "code_2019 name_2019 district_code district code_2020 name_2020 code_2025 name_2025"
    ).split(),
    "agencies": "name abbreviation kind source_url".split(),
    "assignments": (
        "assignment_id sponsor_name sponsor_kind commune district_code period_start_year "
        "period_end_year activities_summary source_url source_date code_2019 code_2020 "
        "code_2025"
    ).split(),
    "assignments_aggregate": "assignment_id sponsor_name".split(),
    "projects": (
        "project_id kind title commune district_code year year_start year_end "
        "ntm_criterion sponsor_name agency cost_vnd source_url status location_precision "
        "code_2019 code_2020 code_2025 lon lat"
    ).split(),
    "projects_aggregate": "project_id title".split(),
    "commune_status": (
        "status_id commune status_kind year decision source_url notes district_code "
        "code_2019 code_2020 code_2025"
    ).split(),
    "official_counts": (
        "period status_kind district_name district_code count decision source_url source_date notes"
    ).split(),
}


#: Seconds a worker may answer from the bundle it has before it asks the store for its version
#: again (one small query: PostGIS on a connection kept for it, GeoPackage a ``stat`` of the file).
CHECK_INTERVAL_S = 0.25


class BundleHolder:
    """The current :class:`Bundle` of a store, for a long-running process (a server worker).

    The bundle is loaded once. After that, a :meth:`get` that comes more than ``interval``
    seconds after the last look asks the store for its :meth:`~Store.version`; if it has grown
    (an import, an undo, a rebuild, made by this worker or any other), that call reads the
    tables that changed and hands out the new bundle before it returns, and calls that arrive
    meanwhile wait for it. So every :meth:`get` returns the store as it was at most
    ``interval`` seconds before the call: a change made through one worker is seen by the next
    request to any other worker after ``interval`` plus the time to reload, never after a
    polling period. A server worker also calls :meth:`watch`, so that the reload is usually
    done before a request asks. A bundle is never changed in place: readers that took the old
    one keep a consistent view until they are done with it.

    Examples
    --------
    >>> holder = BundleHolder.fixed("a bundle")
    >>> holder.get()
    'a bundle'
    """

    def __init__(
        self,
        store: Store | Path | str | None,
        bundle: Bundle | None = None,
        interval: float = CHECK_INTERVAL_S,
    ) -> None:
        self.store = open_store(store) if store is not None else None
        self.interval = interval
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._version: int | None = None
        self._stamps: dict[str, int] = {}
        self._bundle = bundle
        self._watcher: threading.Thread | None = None
        if bundle is None:
            self._bundle = self._load()
        elif self.store is not None:
            self._version = self.store.version()
            self._stamps = self.store.table_versions()

    @classmethod
    def fixed(cls, bundle: Bundle) -> BundleHolder:
        """A holder that always hands out this bundle (no store to watch)."""
        holder = cls.__new__(cls)
        holder.store, holder.interval, holder._bundle = None, float("inf"), bundle
        holder._version, holder._checked, holder._stamps = None, 0.0, {}
        holder._lock, holder._watcher = threading.Lock(), None
        return holder

    @property
    def version(self) -> int | None:
        """The store version of the bundle handed out now."""
        return self._version

    def get(self) -> Bundle:
        """The bundle of the store as it was at most ``interval`` seconds before this call."""
        if self.store is None:
            return self._bundle
        asked = time.monotonic()
        if asked - self._checked < self.interval:  # the last look began less than that ago
            return self._bundle
        with self._lock:  # one look at a time; the others wait for its answer
            if self._checked >= asked:  # a look that began after this call was made: new enough
                return self._bundle
            began = time.monotonic()
            try:
                version = self.store.version()
                if version != self._version and version >= 0:
                    self._bundle = self._load()
            except (OSError, ValueError, StoreError):
                pass  # a store being replaced or unreachable: keep the old bundle, retry later
            self._checked = began  # only now: calls arriving during a reload wait for it
            return self._bundle

    def watch(self) -> None:
        """Look at the store every ``interval`` seconds in a background thread of this process,
        so that a change is loaded before the next request asks for it, not by that request.

        A server worker calls this once, after the fork (a thread does not survive a fork). The
        thread ends when the holder is no longer used.
        """
        if self.store is None or (self._watcher is not None and self._watcher.is_alive()):
            return
        self._watcher = threading.Thread(
            target=_watch, args=(weakref.ref(self),), name="ntm-atlas-store-watch", daemon=True
        )
        self._watcher.start()

    def _load(self) -> Bundle:
        """A new bundle: the tables written since the last load are read again, the others and
        everything derived from them (GeoJSON, label points) are taken over."""
        previous = self._bundle
        old = previous.inputs if previous is not None else {}
        for _ in range(5):
            version = self.store.version()
            stamps = self.store.table_versions()
            tables = {
                name: old[name] if name in old and self._stamps.get(name) == stamp else None
                for name, stamp in stamps.items()
            }
            for name, table in tables.items():
                if table is None:
                    tables[name] = self.store.read(name)
            if self.store.table_versions() == stamps:  # no write came in between
                break
        missing = [f"communes_{v}" for v in VINTAGES if f"communes_{v}" not in tables]
        if missing:
            msg = f"{self.store.url} lacks {', '.join(missing)}; rebuild it: ntm-atlas data build"
            raise StoreError(msg)
        bundle = Bundle.from_tables(tables, previous=previous)
        self._version, self._stamps = version, stamps
        _settle_heap()
        return bundle


def _settle_heap() -> None:
    """Keep a newly loaded bundle's objects out of the garbage collector's full passes (it
    lives as long as its store version): a national store's ~275,000 objects were scanned
    again every few filter changes, 0.1 s on one answer in three (issue 10). The objects
    kept before are put back first, so that the previous bundle's cycles are collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _watch(ref: weakref.ref[BundleHolder]) -> None:
    """The loop of :meth:`BundleHolder.watch`: holds the holder only while it looks."""
    while (holder := ref()) is not None:
        interval = holder.interval
        try:
            holder.get()
        except Exception:  # a broken store must not end the watch: requests will report it
            logging.getLogger(__name__).exception("reloading %s failed", holder.store.url)
        del holder
        time.sleep(interval)
