"""Housekeeping of the store's files: temporary stores left by killed writers, file modes.

Every writer (import, undo, build) holds the store's lock while it writes a temporary store
(``.writing-*.gpkg`` or ``.building-*.gpkg`` beside it) and renames it over the store. A writer
killed mid-write (``kill -9``, a full disk, a power cut) leaves its temporary file and SQLite's
journal behind; the next writer, holding the lock, removes them. The store keeps the file mode
it had (a temporary file is created 0600, which would lock out a dashboard running as another
user); the users file, which holds password hashes, is 0600.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

TEMP_PATTERNS = (".writing-*.gpkg*", ".building-*.gpkg*")
NEW_STORE_MODE = 0o644


def remove_orphans(folder: Path, keep: Path | None = None) -> list[Path]:
    """Remove temporary stores (and their journals) of writers that died; call while holding
    the store's lock. Returns what was removed."""
    removed = []
    for pattern in TEMP_PATTERNS:
        for path in Path(folder).glob(pattern):
            if keep is not None and path.name.startswith(keep.name):
                continue
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


def mode_for(store: Path) -> int:
    """The mode a new version of ``store`` gets: the one it has, or 0644 for a first store."""
    try:
        return stat.S_IMODE(os.stat(store).st_mode)
    except FileNotFoundError:
        return NEW_STORE_MODE


def private(path: Path) -> None:
    """Readable and writable by its owner only (0600)."""
    os.chmod(path, 0o600)
