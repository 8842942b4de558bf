"""The GeoPackage store: round trip, and nothing half-written on failure."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import Point

from geodata.errors import StoreError
from geodata.store import GeoPackageStore


def tables(n):
    return {
        "points": gpd.GeoDataFrame(
            {"code": [f"{i:05d}" for i in range(n)]},
            geometry=[Point(105, 22 + i / 100) for i in range(n)],
            crs=4326,
        ),
        "notes": pd.DataFrame({"key": ["a"], "value": ["Xuân Lạc"]}),
    }


def test_round_trip(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.write_all(tables(3))
    assert sorted(store.list_layers()) == ["notes", "points"]
    assert list(store.read("points")["code"]) == ["00000", "00001", "00002"]
    assert store.read("notes")["value"].item() == "Xuân Lạc"


def test_a_failed_write_leaves_the_old_store_untouched(tmp_path):
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.write_all(tables(3))
    before = store.path.read_bytes()
    bad = {**tables(5), "broken": pd.DataFrame({"x": [1 + 2j]})}  # GPKG has no complex type
    with pytest.raises(Exception):  # noqa: B017 - any failure will do
        store.write_all(bad)
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]  # no temp file left behind


def test_missing_store_and_layer_say_what_to_do(tmp_path):
    store = GeoPackageStore(tmp_path / "none.gpkg")
    with pytest.raises(StoreError, match="ntm-atlas data build"):
        store.list_layers()
    store.write_all(tables(1))
    with pytest.raises(StoreError, match="has no layer 'nope'; it has: notes, points"):
        store.read("nope")
