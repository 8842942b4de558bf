"""Settings: one frozen object, built once from the environment and passed around.

Nothing here runs at import time; call :func:`Settings.from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

STORE_FILENAME = "ntm-atlas.gpkg"


@dataclass(frozen=True)
class Settings:
    """Where the store lives, where upstream files come from, how the server runs.

    Examples
    --------
    >>> s = Settings.from_env({"NTM_ATLAS_DATA": "/srv/atlas", "NTM_ATLAS_MIRROR": "/m"})
    >>> s.store_path.as_posix(), s.mirror.as_posix()
    ('/srv/atlas/ntm-atlas.gpkg', '/m')
    >>> Settings.from_env({"NTM_ATLAS_DATA": "/tmp/x.gpkg"}).store
    '/tmp/x.gpkg'
    >>> Settings.from_env({"NTM_ATLAS_DATABASE_URL": "postgresql:///atlas"}).store
    'postgresql:///atlas'
    """

    store_path: Path
    cache_dir: Path
    mirror: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    #: ``postgresql://…`` of a PostGIS store; when set it is the store (``store_path`` is not).
    database_url: str = ""
    #: The key that signs session cookies; empty: a secret kept by the store.
    secret_key: str = ""
    #: Reverse proxies in front of the server whose ``X-Forwarded-*`` headers are trusted.
    proxy_hops: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``NTM_ATLAS_DATA``, ``NTM_ATLAS_DATABASE_URL``, ``NTM_ATLAS_SECRET_KEY``,
        ``NTM_ATLAS_PROXY_HOPS``, ``NTM_ATLAS_MIRROR``, ``NTM_ATLAS_CACHE``, ``NTM_ATLAS_HOST``,
        ``NTM_ATLAS_PORT`` and ``NTM_ATLAS_DEBUG``; unset ones take platform defaults."""
        env = os.environ if environ is None else environ
        data = env.get("NTM_ATLAS_DATA")
        if data:
            data_path = Path(data).expanduser()
            store = data_path if data_path.suffix == ".gpkg" else data_path / STORE_FILENAME
        else:
            store = _platform_dir("user_data_dir") / STORE_FILENAME
        cache = env.get("NTM_ATLAS_CACHE")
        cache_dir = Path(cache).expanduser() if cache else _platform_dir("user_cache_dir")
        mirror = env.get("NTM_ATLAS_MIRROR")
        return cls(
            store_path=store,
            cache_dir=cache_dir,
            mirror=Path(mirror).expanduser().resolve() if mirror else None,
            host=env.get("NTM_ATLAS_HOST", "127.0.0.1"),
            port=int(env.get("NTM_ATLAS_PORT", "8050")),
            debug=env.get("NTM_ATLAS_DEBUG", "") not in ("", "0", "false"),
            database_url=env.get("NTM_ATLAS_DATABASE_URL", ""),
            secret_key=env.get("NTM_ATLAS_SECRET_KEY", ""),
            proxy_hops=int(env.get("NTM_ATLAS_PROXY_HOPS") or 0),
        )

    @property
    def store(self) -> str:
        """Where the store is: the database URL if one is set, else the GeoPackage path (open it
        with :func:`geodata.store.open_store`)."""
        return self.database_url or str(self.store_path)

    def with_store(self, location: Path | str) -> Settings:
        """A copy of these settings that points at another store (a file or a database URL)."""
        text = str(location)
        if text.startswith(("postgresql://", "postgres://")):
            return replace(self, database_url=text)
        return replace(self, store_path=Path(location), database_url="")


def _platform_dir(kind: str) -> Path:
    import platformdirs

    return Path(getattr(platformdirs, kind)("ntm-atlas", appauthor=False))
