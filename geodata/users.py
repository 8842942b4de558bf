"""Dashboard accounts: names, roles (editor, viewer) and scrypt-hashed passwords.

The store keeps the accounts (:meth:`geodata.store.Store.users`): a GeoPackage store in a small
SQLite file beside it (``<store>.users.sqlite``), so that a rebuild keeps them; a PostGIS store
in its ``atlas_admin.users`` table, which every worker reads. Passwords are never stored, only
``scrypt$n$r$p$salt$hash`` (hashlib.scrypt, 16-byte random salt); comparison is constant-time.

Sessions end at sign-out: each account has a ``session_epoch`` that the store keeps; a session
records the epoch it was made under (:func:`session_epoch`), sign-out bumps it
(:func:`end_sessions`, so every session of the account ends, a copied cookie included), and a
session is signed in only while the epochs agree (:func:`session_user`). Changing an account's
role or password ends its sessions too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from geodata.errors import NtmAtlasError
from geodata.store import Store, open_store

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
    """Where a GeoPackage store at ``store_path`` keeps its accounts."""
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


def add_user(
    store: Store | Path | str, name: str, role: str, password: str, *, replace: bool = False
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
    rows = open_store(store).users()
    if rows.get(name) is not None and not replace:
        msg = f"User {name!r} already exists (use --replace to change the role or password)"
        raise UserError(msg)
    rows.put(name, role, hash_password(password))
    return User(name, role)


def authenticate(store: Store | Path | str, name: str, password: str) -> User | None:
    """The user if the password is right, else None."""
    row = open_store(store).users().get(name)
    if row is None:
        hash_password(password)  # same work whether or not the user exists
        return None
    return User(name, row["role"]) if verify_password(password, row["password"]) else None


def get_user(store: Store | Path | str, name: str) -> User | None:
    row = open_store(store).users().get(name)
    return User(name, row["role"]) if row else None


def list_users(store: Store | Path | str) -> list[User]:
    return [User(r["name"], r["role"]) for r in open_store(store).users().all()]


def session_epoch(store: Store | Path | str, name: str) -> int | None:
    """The account's current session epoch (None if there is no such account)."""
    row = open_store(store).users().get(name)
    return int(row["session_epoch"]) if row else None


def session_user(store: Store | Path | str, name: str | None, epoch: object) -> User | None:
    """The account a session names, if it still exists and the session was made under its
    current epoch (else the session has ended: signed out, or the account changed)."""
    if not name or not isinstance(name, str) or isinstance(epoch, bool):
        return None
    row = open_store(store).users().get(name)
    if row is None or not isinstance(epoch, int) or int(row["session_epoch"]) != epoch:
        return None
    return User(name, row["role"])


def end_sessions(store: Store | Path | str, name: str) -> None:
    """End every session of the account (sign-out): sessions made before no longer count."""
    open_store(store).users().end_sessions(name)
