"""``ntm-atlas data build``, ``data check`` and ``data copy`` as a user runs them, on both
backends (a GeoPackage path or a ``postgresql://`` URL)."""

from __future__ import annotations

import subprocess
import sys

from store_samples import assert_same_tables, location

from dashboard.cli import main
from geodata.postgis import PostGISStore
from geodata.store import GeoPackageStore


def test_data_check_passes_on_the_built_store(built_store, capsys):
    assert main(["data", "check", "--store", location(built_store)]) == 0
    out = capsys.readouterr().out
    assert "no problems" in out and "communes_2019" in out


def test_data_check_fails_on_a_damaged_store(built_store, empty_store, capsys):
    tables = built_store.read_all()
    tables["communes_2025"] = tables["communes_2025"].iloc[:-2]
    empty_store.write_all(tables)
    assert main(["data", "check", "--store", location(empty_store)]) == 1
    assert "communes_2025: 35 features, expected 37" in capsys.readouterr().err


def test_data_build_command_from_a_fresh_process(mirror, empty_store, tmp_path):
    env = {
        "NTM_ATLAS_MIRROR": str(mirror),
        "NTM_ATLAS_CACHE": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
    }
    where = ["--to", location(empty_store)]
    if isinstance(empty_store, GeoPackageStore):
        where = ["--out", location(empty_store)]
    run = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "data", "build", *where],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "communes_2019" in run.stdout and "122" in run.stdout
    assert empty_store.exists() and len(empty_store.read("communes_2019")) == 122


def test_data_copy_moves_a_whole_store_both_ways(store_path, pg_databases, postgis_empty, tmp_path):
    from geodata.users import add_user, authenticate

    source = GeoPackageStore(tmp_path / "office.gpkg")
    main(["data", "copy", str(store_path), str(source.path)])
    add_user(source, "lan", "editor", "mật khẩu dài")
    database = PostGISStore(pg_databases.create(postgis_empty))
    assert main(["data", "copy", str(source.path), database.dsn]) == 0
    back = GeoPackageStore(tmp_path / "back.gpkg")
    assert main(["data", "copy", database.dsn, str(back.path)]) == 0
    assert_same_tables(back.read_all(), source.read_all(), tolerance=1e-9)
    for copy in (database, back):
        assert authenticate(copy, "lan", "mật khẩu dài").role == "editor"


def test_a_missing_store_is_a_clear_error(empty_store, capsys):
    assert main(["data", "check", "--store", location(empty_store)]) == 1
    assert "ntm-atlas data build" in capsys.readouterr().err
