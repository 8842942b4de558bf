"""Shared fixtures: settings pointing at the mirror, and one store built per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geodata.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = ROOT.parent / "shared" / "geodata" / "mirror"


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = Path(os.environ.get("NTM_ATLAS_MIRROR", DEFAULT_MIRROR))
    if not (path / "MANIFEST.csv").is_file():
        pytest.fail(f"No upstream mirror at {path}: set NTM_ATLAS_MIRROR to shared/geodata/mirror")
    return path


@pytest.fixture(scope="session")
def settings(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("ntm-atlas")
    return Settings(store_path=base / "ntm-atlas.gpkg", cache_dir=base / "cache", mirror=mirror)


@pytest.fixture(scope="session")
def built(settings: Settings):
    """The real store, built once from the mirror for the whole test session (read-only)."""
    from geodata.build import build_store

    result = build_store(settings)
    return result


@pytest.fixture(scope="session")
def store_path(built, settings: Settings) -> Path:
    return settings.store_path
