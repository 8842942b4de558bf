"""Test helpers that change a store the way an import or a rebuild does, and compare stores."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.postgis import PostGISStore
from geodata.store import GeoPackageStore, Store


def reopen(store: Store) -> Store:
    """Another handle on the same store, as another process or worker would open it."""
    if isinstance(store, PostGISStore):
        return PostGISStore(store.dsn)
    return GeoPackageStore(store.path)


def location(store: Store) -> str:
    """What to pass as ``--store`` on the command line."""
    return store.dsn if isinstance(store, PostGISStore) else str(store.path)


def assert_same_tables(got: dict, want: dict, tolerance: float = 0.0) -> None:
    """Same tables, rows, columns and values; geometries equal within ``tolerance``."""
    assert list(got) == list(want) or sorted(got) == sorted(want), (sorted(got), sorted(want))
    for name, expected in want.items():
        actual = got[name]
        assert len(actual) == len(expected), name
        assert list(actual.columns) == list(expected.columns), name
        if isinstance(expected, gpd.GeoDataFrame):
            assert isinstance(actual, gpd.GeoDataFrame), name
            assert actual.crs == expected.crs, name
            same = actual.geometry.geom_equals_exact(expected.geometry, tolerance)
            both_empty = actual.geometry.isna() & expected.geometry.isna()
            assert (same | both_empty).all(), name
        pd.testing.assert_frame_equal(
            pd.DataFrame(actual).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(expected).drop(columns="geometry", errors="ignore"),
            obj=name,
        )


def add_cao_tri_assignment(store: Store) -> None:
    """Rewrite the store (all or nothing, as a rebuild does) with an extra assignment to Xã Cao
    Trĩ (01903, Ba Bể; 01912 in 2020 and 2025), a commune with no sponsor recorded in the seed."""
    tables = store.read_all()
    extra = (
        tables["assignments"]
        .iloc[:1]
        .assign(
            assignment_id="A9999",
            commune_code="01903",
            commune="Xã Cao Trĩ",
            code_2019="01903",
            code_2020="01912",
            code_2025="01912",
            district_code="061",
        )
    )
    tables["assignments"] = pd.concat([tables["assignments"], extra], ignore_index=True)
    store.write_all(tables)
