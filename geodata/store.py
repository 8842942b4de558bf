"""The store: one GeoPackage holding every layer and table, written whole or not at all.

The dashboard and the exports only read it. The interface (``list_layers``, ``read``,
``write_all``) is what a PostGIS store will implement too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata import store_files
from geodata.errors import StoreBusyError, StoreError

Table = pd.DataFrame | gpd.GeoDataFrame


class GeoPackageStore:
    """A GeoPackage file of named layers (with geometry) and tables (without)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file()

    def list_layers(self) -> list[str]:
        """Names of every layer and table in the store."""
        self._require()
        return [str(name) for name, _ in pyogrio.list_layers(self.path)]

    def read(self, name: str) -> Table:
        """One layer (GeoDataFrame) or table (DataFrame) by name."""
        layers = self.list_layers()
        if name not in layers:
            msg = f"{self.path} has no layer {name!r}; it has: {', '.join(sorted(layers))}"
            raise StoreError(msg)
        df = pyogrio.read_dataframe(self.path, layer=name, use_arrow=False)
        if "fid" in df.columns:
            df = df.drop(columns="fid")
        return df

    def write_all(self, tables: Mapping[str, Table]) -> None:
        """Replace the store with these tables, atomically: a reader sees the old file or the new
        one, never a half-written one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        store_files.remove_orphans(self.path.parent)
        fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=self.path.parent, prefix=".building-")
        os.close(fd)
        os.unlink(tmp)
        try:
            for name, df in tables.items():
                _write(Path(tmp), name, df)
            os.chmod(tmp, store_files.mode_for(self.path))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def replace_tables(self, tables: Mapping[str, Table]) -> None:
        """Replace some tables and keep the others, all or nothing (copy, rewrite, rename)."""
        self._require()
        store_files.remove_orphans(self.path.parent)
        fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=self.path.parent, prefix=".writing-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copyfile(self.path, tmp)
            for name, df in tables.items():
                _write(tmp, name, df)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, store_files.mode_for(self.path))
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the store's write lock (``<store>.lock``); wait up to ``timeout`` seconds.

        Writers (imports, undo, rebuilds) take it so that they never interleave.
        """
        path = self.path.with_name(self.path.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        msg = (
                            f"{self.path} is being changed by another import or build "
                            f"(waited {timeout:.0f} s); try again"
                        )
                        raise StoreBusyError(msg) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _require(self) -> None:
        if not self.exists():
            msg = f"No store at {self.path}. Build it with: ntm-atlas data build --out {self.path}"
            raise StoreError(msg)


def _write(path: Path, name: str, df: Table) -> None:
    if isinstance(df, gpd.GeoDataFrame):
        df.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    else:
        pyogrio.write_dataframe(pd.DataFrame(df), path, layer=name, driver="GPKG")
