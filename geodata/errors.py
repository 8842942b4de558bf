"""The project's exceptions: one base class, and a kind for each way things go wrong."""

from __future__ import annotations


class NtmAtlasError(Exception):
    """Base class of every error NTM Atlas raises on purpose."""


class DataValidationError(NtmAtlasError, ValueError):
    """Input data is wrong: the message says what, where, and how to fix it."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class SourceUnavailableError(NtmAtlasError, OSError):
    """An upstream file is neither cached, mirrored nor downloadable."""


class StoreError(NtmAtlasError, OSError):
    """The store is missing, unreadable or was built by another version."""


class StoreBusyError(NtmAtlasError, OSError):
    """Another writer holds the store's lock; try again later."""


class StoreWriteError(NtmAtlasError, OSError):
    """A write of the store did not finish (a full disk, a file-size limit, an I/O error); the
    store is as it was. ``strerror`` says why, for a person."""
