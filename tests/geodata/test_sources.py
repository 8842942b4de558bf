"""Upstream files: the mirror is checked against the registry, missing files fail clearly."""

from __future__ import annotations

import shutil

import pytest

from geodata import sources
from geodata.errors import DataValidationError, SourceUnavailableError
from geodata.settings import Settings


def test_registry_covers_the_manifest(mirror):
    import csv

    manifest = {r["file"]: r for r in csv.DictReader((mirror / "MANIFEST.csv").open())}
    for name, src in sources.registry().items():
        assert src.sha256 == manifest[name]["sha256"]


def test_mirrored_file_is_used_and_checked(mirror, tmp_path):
    settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=tmp_path / "c", mirror=mirror)
    assert sources.fetch(sources.GADM, settings) == mirror / sources.GADM


def test_corrupted_mirror_file_is_refused(mirror, tmp_path):
    bad = tmp_path / "mirror"
    bad.mkdir()
    data = (mirror / sources.GIS_BAC_KAN).read_bytes()
    (bad / sources.GIS_BAC_KAN).write_bytes(data[:-10] + b"0000000000")
    settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=tmp_path / "c", mirror=bad)
    with pytest.raises(DataValidationError, match="sha256") as info:
        sources.fetch(sources.GIS_BAC_KAN, settings)
    assert str(bad / sources.GIS_BAC_KAN) in str(info.value)


def test_missing_source_says_which_file_which_url_and_how(tmp_path, monkeypatch):
    # An unreachable URL stands in for having no network; the mirror folder is empty.
    src = sources.registry()[sources.GSO_2019]
    fake = {src.file: sources.Source(**{**src.__dict__, "url": "http://127.0.0.1:9/data.json"})}
    monkeypatch.setattr(sources, "registry", lambda: fake)
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=tmp_path / "c", mirror=empty)
    with pytest.raises(SourceUnavailableError) as info:
        sources.fetch(sources.GSO_2019, settings)
    text = str(info.value)
    assert sources.GSO_2019 in text and "http://127.0.0.1:9/data.json" in text
    assert "NTM_ATLAS_MIRROR" in text


def test_cached_file_is_used_without_the_network(mirror, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(mirror / sources.GSO_2020, cache / sources.GSO_2020)
    src = sources.registry()[sources.GSO_2020]
    fake = {src.file: sources.Source(**{**src.__dict__, "url": "http://127.0.0.1:9/x.json"})}
    monkeypatch.setattr(sources, "registry", lambda: fake)
    settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=cache, mirror=None)
    assert sources.fetch(sources.GSO_2020, settings) == cache / sources.GSO_2020


def test_unknown_file_lists_the_known_ones(tmp_path):
    settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=tmp_path)
    with pytest.raises(KeyError, match=r"dvhcvn\.gis\.06\.json"):
        sources.fetch("nope.json", settings)


def test_national_gadm_zip_downloaded_over_http_gives_the_same_communes(
    mirror, tmp_path, monkeypatch
):
    """A user without the mirror downloads GADM's national zip; the build filters the province."""
    import functools
    import http.server
    import json
    import threading
    import zipfile

    from geodata.boundaries import read_gadm

    subset = json.loads((mirror / sources.GADM).read_text(encoding="utf-8"))
    others = json.loads(json.dumps(subset["features"][:5]))
    for f in others:  # stand-ins for the other 62 provinces
        f["properties"].update(NAME_1="BắcGiang", GID_1="VNM.3_1")
    national = {**subset, "features": others + subset["features"]}
    served = tmp_path / "www"
    served.mkdir()
    with zipfile.ZipFile(served / "gadm41_VNM_3.json.zip", "w") as zf:
        zf.writestr("gadm41_VNM_3.json", json.dumps(national, ensure_ascii=False))

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=served)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        src = sources.registry()[sources.GADM]
        url = f"http://127.0.0.1:{server.server_address[1]}/gadm41_VNM_3.json.zip"
        fake = {src.file: sources.Source(**{**src.__dict__, "url": url})}
        monkeypatch.setattr(sources, "registry", lambda: fake)
        settings = Settings(store_path=tmp_path / "s.gpkg", cache_dir=tmp_path / "c", mirror=None)
        path = sources.fetch(sources.GADM, settings)
    finally:
        server.shutdown()
    assert path.name == "gadm41_VNM_3.json" and path.is_relative_to(tmp_path / "c")
    from_national = read_gadm(path)
    from_subset = read_gadm(mirror / sources.GADM)
    assert len(from_national) == 122
    assert list(from_national["gadm_id"]) == list(from_subset["gadm_id"])
    assert from_national.geometry.geom_equals(from_subset.geometry).all()
