"""Dashboard accounts: names, roles (editor, viewer), scrypt-hashed passwords and a session
generation per account (signing out ends every session of the account).

Accounts live in a small SQLite file beside the store (``<store>.users.sqlite``), so that a
rebuild of the store keeps them. Passwords are never stored, only
``scrypt$n$r$p$salt$hash`` (hashlib.scrypt, 16-byte random salt); comparison is constant-time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from geodata.errors import NtmAtlasError

ROLES = ("editor", "viewer")
_N, _R, _P = 2**14, 8, 1


class UserError(NtmAtlasError, ValueError):
    """A bad user name, role or password."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


def users_path(store_path: Path | str) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.stem + ".users.sqlite")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of a password.

    >>> h = hash_password("mật khẩu", salt=b"0" * 16)
    >>> h.startswith("scrypt$16384$8$1$"), verify_password("mật khẩu", h), verify_password("x", h)
    (True, True, False)
    """
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode("utf-8"),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(digest) // 2,
    )
    return hmac.compare_digest(got.hex(), digest)


def _connect(path: Path) -> sqlite3.Connection:
    """The users file, created 0600 (it holds password hashes) and kept so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)
    if path.stat().st_mode & 0o077:
        with contextlib.suppress(PermissionError):  # another user's file: theirs to fix
            os.chmod(path, 0o600)
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
        "password TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP, "
        "session_epoch INTEGER NOT NULL DEFAULT 0)"
    )
    columns = {row[1] for row in con.execute("PRAGMA table_info(users)")}
    if "session_epoch" not in columns:  # a users file of an older version
        with con:
            con.execute("ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0")
    return con


def add_user(
    path: Path | str, name: str, role: str, password: str, *, replace: bool = False
) -> User:
    """Create (or with ``replace`` update) an account."""
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        msg = f"Bad user name {name!r}: 1–64 characters, no spaces"
        raise UserError(msg)
    if role not in ROLES:
        msg = f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}"
        raise UserError(msg)
    if len(password) < 8:
        msg = "The password must have at least 8 characters"
        raise UserError(msg)
    with contextlib_closing(_connect(Path(path))) as con, con:
        exists = con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
        if exists and not replace:
            msg = f"User {name!r} already exists (use --replace to change the role or password)"
            raise UserError(msg)
        con.execute(
            "INSERT OR REPLACE INTO users (name, role, password) VALUES (?, ?, ?)",
            (name, role, hash_password(password)),
        )
    return User(name, role)


def authenticate(path: Path | str, name: str, password: str) -> User | None:
    """The user if the password is right, else None."""
    path = Path(path)
    if not path.is_file():
        return None
    with contextlib_closing(_connect(path)) as con:
        row = con.execute("SELECT role, password FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        hash_password(password)  # same work whether or not the user exists
        return None
    return User(name, row[0]) if verify_password(password, row[1]) else None


def get_user(path: Path | str, name: str) -> User | None:
    path = Path(path)
    if not path.is_file():
        return None
    with contextlib_closing(_connect(path)) as con:
        row = con.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
    return User(name, row[0]) if row else None


def list_users(path: Path | str) -> list[User]:
    path = Path(path)
    if not path.is_file():
        return []
    with contextlib_closing(_connect(path)) as con:
        return [User(n, r) for n, r in con.execute("SELECT name, role FROM users ORDER BY name")]


def contextlib_closing(con: sqlite3.Connection):
    return contextlib.closing(con)


def session_epoch(path: Path | str, name: str) -> int | None:
    """The account's session generation (a session made under another one has ended), or
    None if there is no such account."""
    path = Path(path)
    if not path.is_file():
        return None
    with contextlib_closing(_connect(path)) as con:
        row = con.execute("SELECT session_epoch FROM users WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else None


def end_sessions(path: Path | str, name: str) -> None:
    """End every session of the account (signing out ends them all: a copied cookie stops
    working too)."""
    path = Path(path)
    if not path.is_file():
        return
    with contextlib_closing(_connect(path)) as con, con:
        con.execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE name = ?", (name,))
