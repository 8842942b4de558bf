"""The store on both backends (GeoPackage, PostGIS): round trip, all or nothing, versions, the
lock, accounts and secrets, and a lossless copy between them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Point
from store_samples import assert_same_tables, reopen

from geodata.errors import StoreBusyError, StoreError
from geodata.postgis import PostGISStore
from geodata.store import GeoPackageStore, Store, copy_store


def tables(n):
    return {
        "points": gpd.GeoDataFrame(
            {
                "code": [f"{i:05d}" for i in range(n)],
                "share": [i / 3 for i in range(n)],
                "year": list(range(2015, 2015 + n)),
                "note": [None if i % 2 else "Xuân Lạc" for i in range(n)],
            },
            geometry=[Point(105 + i / 7, 22 + i / 100) for i in range(n)],
            crs=4326,
        ),
        "notes": pd.DataFrame({"key": ["a", "b"], "value": ["Xuân Lạc", None]}),
    }


def test_round_trip(empty_store):
    assert isinstance(empty_store, Store)
    empty_store.write_all(tables(3))
    assert sorted(empty_store.list_layers()) == ["notes", "points"]
    points = empty_store.read("points")
    assert list(points["code"]) == ["00000", "00001", "00002"]
    assert points.crs.to_epsg() == 4326
    assert points["year"].tolist() == [2015, 2016, 2017]
    assert points["share"].tolist() == [0, 1 / 3, 2 / 3]  # doubles kept exactly
    assert points.geometry.geom_equals_exact(tables(3)["points"].geometry, 0).all()
    assert empty_store.read("notes")["value"].tolist()[0] == "Xuân Lạc"
    assert pd.isna(empty_store.read("notes")["value"].tolist()[1])


def test_a_failed_write_leaves_the_old_store_untouched(empty_store, tmp_path):
    empty_store.write_all(tables(3))
    before, version = empty_store.read_all(), empty_store.version()
    bad = {**tables(5), "broken": "not a table"}  # fails after two tables were written
    with pytest.raises(Exception):  # noqa: B017 - any failure will do
        empty_store.write_all(bad)
    with pytest.raises(Exception):  # noqa: B017
        empty_store.replace_tables(bad)
    assert_same_tables(empty_store.read_all(), before)
    assert empty_store.version() == version
    if isinstance(empty_store, GeoPackageStore):  # no temp file left behind
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store.gpkg"]


def test_missing_store_and_layer_say_what_to_do(empty_store):
    assert not empty_store.exists()
    with pytest.raises(StoreError, match="ntm-atlas data build"):
        empty_store.list_layers()
    empty_store.write_all(tables(1))
    assert empty_store.exists()
    with pytest.raises(StoreError, match="has no layer 'nope'; it has: notes, points"):
        empty_store.read("nope")


def test_every_write_raises_the_version_and_keeps_other_tables(empty_store):
    empty_store.write_all(tables(2))
    first = empty_store.version()
    empty_store.replace_tables({"notes": pd.DataFrame({"key": ["c"], "value": ["Bắc Kạn"]})})
    assert empty_store.version() > first
    assert empty_store.read("notes")["value"].tolist() == ["Bắc Kạn"]
    assert len(empty_store.read("points")) == 2  # kept
    second = empty_store.version()
    empty_store.replace_tables({"extra": pd.DataFrame({"n": [1.5, np.nan]})})  # a new table
    assert empty_store.version() > second
    assert "extra" in empty_store.list_layers()
    empty_store.write_all({"notes": tables(1)["notes"]})  # a rebuild drops what it lacks
    assert empty_store.list_layers() == ["notes"]


def test_a_second_writer_waits_for_the_lock_then_gives_up(empty_store):
    other = reopen(empty_store)  # as another worker would

    def try_lock() -> str:
        try:
            with other.lock(0.2):
                return "locked"
        except StoreBusyError as exc:
            return str(exc)

    with empty_store.lock():
        with ThreadPoolExecutor(1) as pool:
            assert "another import or build" in pool.submit(try_lock).result()
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(try_lock).result() == "locked"  # free again


def test_accounts_and_the_session_secret_are_kept_by_the_store(empty_store):
    users = empty_store.users()
    assert users.get("lan") is None
    users.put("lan", "editor", "scrypt$x")
    users.put("lan", "viewer", "scrypt$y")  # replaced
    users.put("an", "editor", "scrypt$z")
    assert users.get("lan") == {
        "name": "lan",
        "role": "viewer",
        "password": "scrypt$y",
        "session_epoch": 1,  # replacing an account ends its sessions
    }
    assert [u["name"] for u in users.all()] == ["an", "lan"]
    secret = empty_store.secret()
    assert len(secret) == 32
    assert reopen(empty_store).secret() == secret  # another worker gets the same key


def test_geopackage_to_postgis_to_geopackage_is_lossless(
    store_path, pg_databases, postgis_empty, tmp_path
):
    """The built store, with an account, copied GPKG → PostGIS → GPKG: equal layer by layer."""
    source = GeoPackageStore(tmp_path / "source.gpkg")
    copy_store(GeoPackageStore(store_path), source)
    source.users().put("lan", "editor", "scrypt$hash")
    database = PostGISStore(pg_databases.create(postgis_empty))
    counts = copy_store(source, database)
    back = GeoPackageStore(tmp_path / "back.gpkg")
    copy_store(database, back)
    original = source.read_all()
    assert counts == {name: len(df) for name, df in original.items()}
    assert counts["communes_2019"] == 122
    for copy in (database.read_all(), back.read_all()):
        assert_same_tables(copy, original, tolerance=1e-9)
    assert back.users().get("lan") == source.users().get("lan")
    assert database.users().all() == [{"name": "lan", "role": "editor"}]


def test_postgis_layout_has_primary_keys_spatial_indexes_and_migrations(
    pg_databases, postgis_template
):
    import psycopg

    from geodata.postgis import MIGRATIONS

    url = pg_databases.create(postgis_template)
    with psycopg.connect(url) as con:
        keys = dict(
            con.execute(
                "SELECT tc.table_name, kcu.column_name "
                "FROM information_schema.table_constraints tc "
                "JOIN information_schema.key_column_usage kcu "
                "USING (constraint_name, table_schema) "
                "WHERE tc.table_schema = 'atlas' AND tc.constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
        gist = {
            r[0]
            for r in con.execute(
                "SELECT tablename FROM pg_indexes WHERE schemaname = 'atlas' "
                "AND indexdef LIKE '%USING gist%'"
            )
        }
        srids = set(con.execute("SELECT DISTINCT srid FROM geometry_columns").fetchall())
        migrations = con.execute("SELECT max(version) FROM atlas_admin.migrations").fetchone()
    assert keys["communes_2019"] == "code" and keys["crosswalk"] == "code_2019"
    assert {"communes_2019", "communes_2025_web", "districts", "projects"} <= gist
    assert srids == {(4326,)}
    assert migrations[0] == len(MIGRATIONS)


def test_table_versions_say_which_tables_a_write_replaced(empty_store):
    empty_store.write_all(tables(2))
    first = empty_store.table_versions()
    assert first == {"points": empty_store.version(), "notes": empty_store.version()}
    empty_store.replace_tables({"notes": pd.DataFrame({"key": ["c"], "value": ["x"]})})
    second = empty_store.table_versions()
    assert second["points"] == first["points"]
    assert second["notes"] == empty_store.version() > first["notes"]
