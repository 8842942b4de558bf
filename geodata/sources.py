"""Upstream files: the registry, and how each file is obtained.

A file comes from, in this order: the mirror folder named by ``NTM_ATLAS_MIRROR`` (checked
against the registry's sha256), the user cache, or a download through pooch. GADM is published
as a national zip; the mirror holds only the Bắc Kạn subset, which the loaders treat the same way.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from geodata.errors import DataValidationError, SourceUnavailableError
from geodata.settings import Settings

GADM = "gadm41_VNM_3.bac_kan.json"
GSO_2019 = "dvhcvn-historical-data.2020-01-01.data.json"
GSO_2020 = "dvhcvn-historical-data.2020-02-01.data.json"
GIS_BAC_KAN = "dvhcvn.gis.06.json"
GIS_NEIGHBOURS = (
    "dvhcvn.gis.02.json",
    "dvhcvn.gis.04.json",
    "dvhcvn.gis.08.json",
    "dvhcvn.gis.19.json",
    "dvhcvn.gis.20.json",
)
WARDS_2025 = "vietnam-3d-map.wards.19.json"


@dataclass(frozen=True)
class Source:
    """One upstream file.

    ``sha256`` is the hash of the file as the mirror holds it. ``download`` is ``"file"`` when
    the URL serves those very bytes, or ``"zip"`` when it serves an archive holding a larger
    file (GADM's national file) whose hash is not fixed here.
    """

    file: str
    url: str
    sha256: str
    download: str
    licence: str
    attribution: str


def registry() -> dict[str, Source]:
    """Every upstream file the build needs, by file name.

    >>> reg = registry()
    >>> reg["dvhcvn.gis.06.json"].url.endswith("data/gis/06.json")
    True
    """
    text = resources.files("geodata").joinpath("registry.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {row["file"]: Source(**row) for row in rows}


def sha256_of(path: Path | str) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(name: str, settings: Settings) -> Path:
    """Path of a local copy of upstream file ``name``: mirrored, cached or downloaded.

    Raises
    ------
    DataValidationError
        A mirrored file does not have the registry's sha256 (it is refused, not used).
    SourceUnavailableError
        The file is not in the mirror, not cached and cannot be downloaded; the message names the
        file, its URL and the two ways to provide it.
    """
    sources = registry()
    if name not in sources:
        known = ", ".join(sorted(sources))
        msg = f"Unknown upstream file {name!r}; the registry lists: {known}"
        raise KeyError(msg)
    src = sources[name]
    if settings.mirror is not None:
        mirrored = settings.mirror / name
        if mirrored.is_file():
            actual = sha256_of(mirrored)
            if actual != src.sha256:
                msg = (
                    f"Mirrored file {mirrored} is corrupted or not the expected version: sha256 "
                    f"is {actual}, the registry expects {src.sha256}. Replace it with a fresh copy "
                    f"of {src.url} (see MANIFEST.csv), or unset NTM_ATLAS_MIRROR to download it."
                )
                raise DataValidationError(msg)
            return mirrored
    return _download(src, settings.cache_dir)


def _download(src: Source, cache_dir: Path) -> Path:
    import pooch

    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        if src.download == "zip":
            archive = src.url.rsplit("/", 1)[-1]
            members = pooch.retrieve(
                src.url,
                known_hash=None,
                fname=archive,
                path=cache_dir,
                processor=pooch.Unzip(),
                progressbar=False,
            )
            return Path(next(m for m in members if m.endswith(".json")))
        return Path(
            pooch.retrieve(
                src.url,
                known_hash=f"sha256:{src.sha256}",
                fname=src.file,
                path=cache_dir,
                progressbar=False,
            )
        )
    except Exception as exc:  # pooch raises requests/OS/value errors alike
        msg = (
            f"Upstream file {src.file} is not mirrored, not cached and could not be downloaded "
            f"from {src.url} ({type(exc).__name__}: {exc}). Either set NTM_ATLAS_MIRROR to a "
            f"folder that holds {src.file} (as listed in MANIFEST.csv), or download the URL "
            f"yourself into {cache_dir}."
        )
        raise SourceUnavailableError(msg) from exc
