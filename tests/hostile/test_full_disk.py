"""A write that runs out of room leaves the store as it was and says so: exit 3 (valid but
not written, docs/importing.md) with one line naming the free space, never a traceback.

The disk is made "full" for the importing process only, with a file-size limit
(RLIMIT_FSIZE, no root needed): the new copy of the store may not grow past a little more
than the store, so the write fails inside GDAL/SQLite as it does on a full disk (checked by
hand on a 3.4 MB tmpfs: the same message, the same untouched store). GeoPackage only: a
PostGIS store writes in one transaction that the server rolls back."""

from __future__ import annotations

import resource
import subprocess
import sys

from import_samples import PROJECT_HEADER, copy_store, digest, write_csv

from geodata.imports.apply import read_log
from geodata.store import GeoPackageStore


def _projects(n: int) -> list[list[object]]:
    return [
        [i, f"Nhà văn hóa thôn số {i}", "Xuân Lạc", "Chợ Đồn", f"Bản {i}", "2019", "81.000.000"]
        for i in range(1, n + 1)
    ]


def _run_limited(args: list[str], limit: int) -> subprocess.CompletedProcess:
    def limit_file_size() -> None:  # in the child only
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=limit_file_size,
        check=False,
    )


def test_an_import_that_runs_out_of_room_writes_nothing_and_exits_3(store_path, tmp_path):
    store = copy_store(store_path, tmp_path)
    path = write_csv(tmp_path / "p.csv", [PROJECT_HEADER[:7], *_projects(3000)])
    before = digest(store)
    log_before = len(read_log(GeoPackageStore(store)))
    limit = store.stat().st_size + 64 * 1024  # the copy fits; the new rows do not
    run = _run_limited(["import", "projects", str(path), "--store", str(store)], limit)
    assert run.returncode == 3, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr
    error = next(line for line in run.stderr.splitlines() if line.startswith("error:"))
    assert "nothing written" in error and "MB free on its disk" in error
    assert digest(store) == before and len(read_log(GeoPackageStore(store))) == log_before
    assert not list(tmp_path.glob(".writing-*"))  # the half-written copy is gone
    # with room, the same import goes through
    ok = _run_limited(["import", "projects", str(path), "--store", str(store)], 2**40)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert digest(store) != before


def test_a_store_write_that_fails_raises_a_store_write_error(store_path, tmp_path):
    store = copy_store(store_path, tmp_path)
    script = f"""
import pandas as pd
from geodata.errors import StoreWriteError
from geodata.store import GeoPackageStore
store = GeoPackageStore({str(store)!r})
try:
    store.replace_tables({{"bulk": pd.DataFrame({{"x": ["y" * 1000] * 5000}})}})
except StoreWriteError as exc:
    print("refused", exc.errno, exc.strerror)
"""
    limit = store.stat().st_size + 64 * 1024
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        check=False,
    )
    assert run.stdout.startswith("refused"), run.stdout + run.stderr[-2000:]
    assert "writing a new copy of store.gpkg failed" in run.stdout
    assert "bulk" not in GeoPackageStore(store).list_layers()
