"""Housekeeping: temporary stores of killed writers are removed by the next write, the store
keeps its file mode, the users file is 0600; a busy store is exit 3, not 1."""

from __future__ import annotations

import stat

from import_samples import ASSIGNMENT_HEADER, copy_store, write_csv
from store_samples import location

from geodata.imports import check_file, import_report, store_lock
from geodata.store import GeoPackageStore
from geodata.users import add_user, authenticate, users_path

ROWS = [[1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"]]


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_an_import_keeps_the_store_mode_and_removes_orphans(store_path, tmp_path):
    store = copy_store(store_path, tmp_path)
    store.chmod(0o644)
    orphan = tmp_path / ".writing-abc123.gpkg"
    orphan.write_bytes(b"x" * 1000)
    journal = tmp_path / ".writing-abc123.gpkg-journal"
    journal.write_bytes(b"j")
    old_build = tmp_path / ".building-zzz.gpkg"
    old_build.write_bytes(b"b")
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *ROWS])
    import_report(check_file(path, "assignments", store), store, file=path)
    assert mode(store) == 0o644
    assert not orphan.exists() and not journal.exists() and not old_build.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_rebuild_keeps_the_mode_too(store_path, tmp_path):
    store = copy_store(store_path, tmp_path)
    store.chmod(0o640)
    s = GeoPackageStore(store)
    s.write_all({"agencies": s.read("agencies")})
    assert mode(store) == 0o640


def test_the_users_file_is_private(tmp_path):
    store = tmp_path / "store.gpkg"
    add_user(store, "lan", "editor", "mật khẩu dài")
    path = users_path(store)
    assert mode(path) == 0o600
    path.chmod(0o644)  # a file made by an older version
    assert authenticate(store, "lan", "mật khẩu dài") is not None
    assert mode(path) == 0o600


def test_a_busy_store_exits_3_with_a_message(store, tmp_path, capsys):
    """Both backends: a file lock, or PostgreSQL's advisory lock held by another connection."""
    from dashboard.cli import main

    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *ROWS])
    with store_lock(store):
        args = ["import", "assignments", str(path), "--store", location(store), "--wait", "0.2"]
        code = main(args)
    err = capsys.readouterr().err
    assert code == 3 and "another import" in err and "Traceback" not in err
