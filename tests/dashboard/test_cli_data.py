"""``ntm-atlas data build`` and ``data check`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys

from dashboard.cli import main
from geodata.store import GeoPackageStore


def test_data_check_passes_on_the_built_store(store_path, capsys):
    assert main(["data", "check", "--store", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert "no problems" in out and "communes_2019" in out


def test_data_check_fails_on_a_damaged_store(store_path, tmp_path, capsys):
    src = GeoPackageStore(store_path)
    tables = {n: src.read(n) for n in src.list_layers()}
    tables["communes_2025"] = tables["communes_2025"].iloc[:-2]
    damaged = tmp_path / "damaged.gpkg"
    GeoPackageStore(damaged).write_all(tables)
    assert main(["data", "check", "--store", str(damaged)]) == 1
    assert "communes_2025: 35 features, expected 37" in capsys.readouterr().err


def test_data_build_command_from_a_fresh_process(mirror, tmp_path):
    out = tmp_path / "x.gpkg"
    env = {
        "NTM_ATLAS_MIRROR": str(mirror),
        "NTM_ATLAS_CACHE": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "data", "build", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "communes_2019" in run.stdout and "122" in run.stdout
    assert out.is_file()


def test_a_missing_store_is_a_clear_error(tmp_path, capsys):
    assert main(["data", "check", "--store", str(tmp_path / "none.gpkg")]) == 1
    assert "ntm-atlas data build" in capsys.readouterr().err
