"""Python's cyclic garbage collector during a large check.

Checking a file makes objects that live until the report is dropped (a result per row, the
records' keys): every full collection walks all of them and every other object of the process,
and with 200,000 rows the full collections took 13 % of the check (3.6 of 28 s of CPU).
While a file is checked, full collections wait; young objects are still collected as usual.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

#: Full collections while a file is checked: after this many collections of the middle
#: generation instead of 10 (Python's default).
FULL_AFTER = 1000

_lock = threading.Lock()
_users = 0
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """Delay full collections inside the ``with`` (process-wide, so nested and concurrent
    checks share one setting: the last to leave restores Python's).

    >>> before = gc.get_threshold()
    >>> with young_collections_only():
    ...     gc.get_threshold()[2] == FULL_AFTER
    True
    >>> gc.get_threshold() == before
    True
    """
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], max(_saved[2], FULL_AFTER))
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.set_threshold(*_saved)
