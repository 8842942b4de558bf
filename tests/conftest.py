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


@pytest.fixture(scope="session")
def bundle(store_path: Path):
    """The built store read once for the whole session (a :class:`geodata.bundle.Bundle`);
    tests read it and never change it (a test that needs other data loads its own)."""
    from geodata.bundle import Bundle

    return Bundle.load(store_path)


# ------------------------------------------------------------------------------------------
# Both backends: every test that touches the store takes one of these fixtures and runs twice,
# on a GeoPackage file and on a PostGIS database (tests/postgres.py).
# ------------------------------------------------------------------------------------------

BACKENDS = ("gpkg", "postgis")


@pytest.fixture(scope="session")
def pg_databases():
    """The PostgreSQL server of the tests (NTM_ATLAS_TEST_DATABASE_URL, else a private one)."""
    import contextlib

    from postgres import Databases, private_server

    url = os.environ.get("NTM_ATLAS_TEST_DATABASE_URL")
    with contextlib.nullcontext(url) if url else private_server() as admin:
        databases = Databases(admin)
        yield databases
        databases.drop_all()


@pytest.fixture(scope="session")
def postgis_empty(pg_databases) -> str:
    """Name of an empty database with PostGIS (a template: CREATE EXTENSION takes seconds)."""
    from postgres import name_of

    return name_of(pg_databases.create())


@pytest.fixture(scope="session")
def postgis_template(pg_databases, postgis_empty: str, store_path: Path) -> str:
    """Name of a database holding a copy of the built store (copied, never opened, by tests)."""
    from postgres import name_of

    from geodata.postgis import PostGISStore
    from geodata.store import GeoPackageStore, copy_store

    url = pg_databases.create(postgis_empty)
    copy_store(GeoPackageStore(store_path), PostGISStore(url))
    return name_of(url)


def _new_store(request, tmp_path: Path, *, built: bool):
    from geodata.postgis import PostGISStore
    from geodata.store import GeoPackageStore

    if request.param == "gpkg":
        path = tmp_path / "store.gpkg"
        if built:
            import shutil

            shutil.copyfile(request.getfixturevalue("store_path"), path)
        return GeoPackageStore(path), None
    databases = request.getfixturevalue("pg_databases")
    template = request.getfixturevalue("postgis_template" if built else "postgis_empty")
    url = databases.create(template)
    return PostGISStore(url), lambda: databases.drop(url)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path: Path):
    """A writable copy of the built store, on each backend."""
    made, drop = _new_store(request, tmp_path, built=True)
    yield made
    if drop:
        drop()


@pytest.fixture(params=BACKENDS)
def empty_store(request, tmp_path: Path):
    """A store with nothing in it yet (no file; an empty database), on each backend."""
    made, drop = _new_store(request, tmp_path, built=False)
    yield made
    if drop:
        drop()


@pytest.fixture(scope="module", params=BACKENDS)
def module_store(request, tmp_path_factory: pytest.TempPathFactory):
    """A writable copy of the built store shared by a module's tests, on each backend: for a
    module fixture that writes once (an import) and tests that then only read."""
    made, drop = _new_store(request, tmp_path_factory.mktemp("module-store"), built=True)
    yield made
    if drop:
        drop()


@pytest.fixture(scope="module", params=BACKENDS)
def built_store(request, tmp_path_factory: pytest.TempPathFactory):
    """The built store on each backend, shared by a module's tests: read it, never write."""
    made, drop = _new_store(request, tmp_path_factory.mktemp("built"), built=True)
    yield made
    if drop:
        drop()
