"""One view of the data: a bundle seen through one boundary vintage and one set of filters.

:class:`View` is what the dashboard's first paint, its callbacks and the exports read: every
table it offers is computed once, on first use, and kept (``functools.cached_property``), so
one filter change filters the projects once however many panels show them. It is frozen and
never mutated; a new state is a new view.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> communes = gpd.GeoDataFrame(
...     {"code": ["00001"], "name": ["Xã A"], "kind": ["xã"], "district_code": ["001"],
...      "district_name": ["Huyện X"], "area_km2": [1.0]},
...     geometry=[box(105.0, 22.0, 105.1, 22.1)], crs="EPSG:4326")
>>> view = View(Bundle.from_tables({"communes_2019": communes}), 2019)
>>> view.measures["coverage"].tolist(), view.overview["n_communes"]
(['none'], 1)
>>> view.measures is view.measures  # computed once
True
>>> View.of(view.bundle, 2019) is View.of(view.bundle, 2019, Filters())  # kept per bundle
True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from geodata import coverage
from geodata.bundle import Bundle
from geodata.coverage import Filters
from geodata.vocabulary import check_vintage

#: Views kept per bundle by :meth:`View.of` (the most recently asked for).
KEPT_VIEWS = 32
#: Values kept per bundle by :meth:`View.derived` (a national store's paint of a view is a few
#: MB: its 10,736 communes, up to 100,000 point ids).
KEPT_DERIVED = 8


@dataclass(frozen=True)
class View:
    """The bundle through one vintage and one set of filters (see the module docstring)."""

    bundle: Bundle
    vintage: int
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vintage", check_vintage(self.vintage))

    @classmethod
    def of(cls, bundle: Bundle, vintage: int, filters: Filters | None = None) -> View:
        """The view of a vintage and filters, the same object (with everything it computed
        already) while it is among the :data:`KEPT_VIEWS` views last asked of the bundle.

        A switch of the measure, the language or the map layers shows the same records, and
        so does the detail panel after the view callback of the same change: they reuse the
        view instead of computing it again. A view depends on nothing but the bundle and its
        arguments, so sharing it between requests and threads is safe.
        """
        filters = filters or Filters()
        key = (check_vintage(vintage), filters)
        kept = bundle.derived(("views", cls), _Recent)
        return kept.get(key, lambda: cls(bundle, key[0], filters))

    @classmethod
    def forget(cls, bundle: Bundle) -> None:
        """Drop the views :meth:`of` keeps for the bundle (``benchmarks.server_cpu`` measures
        views computed afresh, as for states nobody asked for before)."""
        bundle.derived(("views", cls), _Recent).clear()

    @cached_property
    def measures(self) -> pd.DataFrame:
        """One row per commune with every measure (:func:`coverage.commune_measures`)."""
        return coverage.commune_measures(self.bundle, self.vintage, self.filters)

    @cached_property
    def assignments(self) -> pd.DataFrame:
        return coverage.filter_assignments(self.bundle, self.vintage, self.filters)

    @cached_property
    def projects(self) -> pd.DataFrame:
        return coverage.filter_projects(self.bundle, self.vintage, self.filters)

    @cached_property
    def status(self) -> pd.DataFrame:
        return coverage.filter_status(self.bundle, self.vintage, self.filters)

    @cached_property
    def load(self) -> pd.DataFrame:
        """Communes per sponsor (:func:`coverage.sponsor_load`)."""
        return coverage.sponsor_load(self.bundle, self.vintage, self.filters)

    @cached_property
    def overview(self) -> dict[str, Any]:
        """Card figures, charts and completeness (:func:`coverage.overview`)."""
        return coverage.overview(
            self.bundle, self.vintage, self.filters, measures=self.measures, load=self.load
        )

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Communes in view with no sponsor recorded (:func:`coverage.gap_table`)."""
        return coverage.gap_table(self.bundle, self.vintage, self.filters, measures=self.measures)

    @cached_property
    def communes(self):
        """The vintage's communes (geometry included)."""
        return self.bundle.communes(self.vintage)

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.bundle.bbox(self.vintage)

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """What ``build()`` returns for this view and ``key``, kept among the
        :data:`KEPT_DERIVED` last made of the bundle: what a caller makes of this view alone
        (map.js's paint of its communes and points) is not made again for a state asked for
        again (the whole province or country after a district: ~0.2 s of a national store's
        answer)."""
        kept = self.bundle.derived(("derived", View), lambda: _Recent(KEPT_DERIVED))
        return kept.get((self.vintage, self.filters, key), build)

    def commune(self, code: str) -> dict[str, Any] | None:
        """What the side panel shows about one unit (:func:`coverage.commune_details`)."""
        return coverage.commune_details(self.bundle, self.vintage, code, self.filters)

    def project(self, project_id: str) -> dict[str, Any] | None:
        """One project's record (:func:`coverage.project_details`)."""
        return coverage.project_details(self.bundle, project_id)


class _Recent:
    """The last :data:`KEPT_VIEWS` values by key, least recently used out (thread-safe)."""

    def __init__(self, size: int = KEPT_VIEWS) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            value = self._items[key] = make()
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
