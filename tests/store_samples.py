"""Test helpers that change a copy of the real store the way an import or a rebuild does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from geodata.store import GeoPackageStore


def copy_of(store_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.gpkg"
    shutil.copy(store_path, path)
    return path


def add_cao_tri_assignment(path: Path) -> None:
    """Replace the store file (atomically) with one holding an extra assignment to Xã Cao Trĩ
    (01903, Ba Bể; 01912 in 2020 and 2025), a commune with no sponsor recorded in the seed."""
    store = GeoPackageStore(path)
    tables = {name: store.read(name) for name in store.list_layers()}
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
