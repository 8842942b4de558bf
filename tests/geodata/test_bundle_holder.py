"""How fast a worker's :class:`~geodata.bundle.BundleHolder` follows the store, on both backends.

The holder promises that every ``get()`` returns the store as it was at most ``interval``
seconds before the call. These tests wait that long (a wait that only grows on a busy machine,
which only makes the promise easier to keep) and then check what was handed out; nothing here
measures a duration.
"""

from __future__ import annotations

import threading

import pytest
from store_samples import add_cao_tri_assignment, reopen

from geodata.bundle import CHECK_INTERVAL_S, BundleHolder


def test_a_call_made_after_the_interval_sees_a_write_made_elsewhere(store):
    holder = BundleHolder(reopen(store))  # another worker's view of the store
    assert holder.interval == CHECK_INTERVAL_S <= 0.5
    first = holder.get()
    add_cao_tri_assignment(store)  # written through another handle, as by another worker
    threading.Event().wait(holder.interval)
    second = holder.get()  # this very call looks and reloads before it answers
    assert second is not first
    assert "01903" in set(second.assignments["commune_code"])
    assert holder.version == store.version()


def test_calls_arriving_during_a_reload_wait_for_it(store):
    """Requests that reach a worker while it reloads get the new data, never the old."""
    holder = BundleHolder(reopen(store))
    first = holder.get()
    add_cao_tri_assignment(store)
    threading.Event().wait(holder.interval)
    start = threading.Barrier(4)
    got: list = []

    def request():
        start.wait()
        got.append(holder.get())

    threads = [threading.Thread(target=request) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4
    assert all(b is got[0] for b in got) and got[0] is not first


def test_nothing_changed_means_the_same_bundle_and_no_reload(store):
    holder = BundleHolder(reopen(store), interval=0)  # looks on every call
    first = holder.get()
    assert all(holder.get() is first for _ in range(5))


@pytest.mark.parametrize("store", ["postgis"], indirect=True)
def test_the_version_connection_survives_the_server_ending_it(store):
    """PostGIS: the version is asked on a connection the process keeps; if the server ends it
    (a restart, an administrator), the next question opens a new one instead of failing."""
    import psycopg

    watcher = reopen(store)
    before = watcher.version()
    assert before > 0
    with psycopg.connect(store.dsn, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t"
        ).fetchone()[0]
    assert ended >= 1  # the kept connection was there, and is gone now
    add_cao_tri_assignment(store)
    assert watcher.version() == before + 1


def test_a_watching_holder_loads_a_change_before_a_request_asks(store):
    """What a server worker does (``serving._post_worker_init``): the reload happens in the
    background, so the request that comes next finds the new data ready."""
    import gc
    import time

    holder = BundleHolder(reopen(store))
    first = holder.get()
    holder.watch()
    add_cao_tri_assignment(store)
    wanted = store.version()
    deadline = time.monotonic() + 120  # a liveness cap for a busy machine, not a measure
    while holder.version != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert holder.version == wanted, "the watch never loaded the change"
    assert "01903" in set(holder.get().assignments["commune_code"])
    assert holder.get() is not first
    # The watch ends with the holder (an app that is gone leaves no thread behind).
    watcher = holder._watcher
    del holder
    gc.collect()
    watcher.join(timeout=60)
    assert not watcher.is_alive()


def test_a_loaded_bundle_is_left_out_of_the_collectors_full_passes(store):
    """A bundle lives as long as its store version: its objects are frozen out of the garbage
    collector's passes once loaded (issue 10: a national store's, scanned again every few
    filter changes, were 0.1 s of one answer in three), and a reload lets the previous
    bundle's go."""
    import gc

    gc.unfreeze()
    try:
        holder = BundleHolder(reopen(store))
        before = holder.get()
        loaded = gc.get_freeze_count()
        assert loaded > 10_000
        add_cao_tri_assignment(store)
        holder.interval = 0
        after = holder.get()
        assert after is not before  # reloaded
        del before
        assert gc.get_freeze_count() < 2 * loaded  # the first bundle's objects not kept twice
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
