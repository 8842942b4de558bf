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
    >>> Settings.from_env({"NTM_ATLAS_DATA": "/tmp/x.gpkg"}).store_path.as_posix()
    '/tmp/x.gpkg'
    """

    store_path: Path
    cache_dir: Path
    mirror: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``NTM_ATLAS_DATA``, ``NTM_ATLAS_MIRROR``, ``NTM_ATLAS_CACHE``, ``NTM_ATLAS_HOST``,
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
        )

    def with_store(self, path: Path | str) -> Settings:
        """A copy of these settings that points at another store file."""
        return replace(self, store_path=Path(path))


def _platform_dir(kind: str) -> Path:
    import platformdirs

    return Path(getattr(platformdirs, kind)("ntm-atlas", appauthor=False))
