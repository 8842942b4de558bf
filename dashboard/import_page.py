"""The Import page: editors upload a spreadsheet, see the report, pick suggestions, confirm.

Plain Flask routes on the Dash server (server-rendered HTML, no callbacks): the page works
without JavaScript, and every write is a POST carrying the session's CSRF token.

- ``GET/POST /login``, ``POST /logout``: accounts from ``ntm-atlas users add`` (scrypt hashes
  kept by the store); the session is renewed on sign-in. Sessions are signed cookies with
  ``NTM_ATLAS_SECRET_KEY`` or the store's own secret, so every worker accepts every session.
- ``GET /import``: upload form and change log (editors only; a viewer gets 403, a visitor is
  sent to sign in).
- ``POST /import/upload`` → the report; ``POST /import/choose`` accepts one suggestion for a
  row and re-checks; ``POST /import/confirm`` writes (all or nothing, or only valid rows when
  asked); ``POST /import/undo`` undoes the latest import.

Uploaded files wait in ``<store folder>/.ntm-atlas-uploads/<token>/`` (a PostGIS store:
``<cache>/uploads/<token>/``; token bound to the user) until confirmed. Call
:func:`register_import_page` once from ``create_app``. The pages are Jinja2 templates
(``dashboard/templates``, every value escaped) with their CSS in ``assets/import-page.css``.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import flask
import jinja2

from dashboard.i18n import ASSETS_DIR, translator
from dashboard.import_cli import result_text
from dashboard.security import (
    begin_session,
    end_session,
    local_target,
    login_throttle,
    signed_in,
    wait_text,
)
from geodata.imports.messages import field_label
from geodata.settings import Settings
from geodata.vocabulary import LANGS, VINTAGES, ImportKind

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_REPORT_ROWS = 2000  # rows with problems shown on the page; the JSON report has them all
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # secrets.token_urlsafe(16)
UPLOAD_TTL_S = 24 * 3600
KINDS = ImportKind.values()
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


def _t(key: str, lang: str, **kw: Any) -> str:
    """Words of this module from the project's one translation table (``importpage.*`` keys)."""
    return translator(lang)(f"importpage.{key}", **kw)


# --------------------------------------------------------------------------------------------
# Registration, sessions, CSRF
# --------------------------------------------------------------------------------------------


def register_import_page(app: Any, settings: Settings) -> None:
    """Add the sign-in and Import routes to a Dash app (or a bare Flask app)."""
    server: flask.Flask = getattr(app, "server", app)
    if not server.secret_key:
        server.secret_key = _secret(settings)
    pages = _Pages(settings)  # cookie flags, limits, headers: dashboard.security.secure_app
    for rule, endpoint, view, methods in (
        ("/login", "ntm_login", pages.login, ["GET", "POST"]),
        ("/logout", "ntm_logout", pages.logout, ["POST"]),
        ("/import", "ntm_import", pages.index, ["GET"]),
        ("/import/template/<kind>", "ntm_template", pages.template, ["GET"]),
        ("/import/upload", "ntm_upload", pages.upload, ["POST"]),
        ("/import/choose", "ntm_choose", pages.choose, ["POST"]),
        ("/import/confirm", "ntm_confirm", pages.confirm, ["POST"]),
        ("/import/undo", "ntm_undo", pages.undo, ["POST"]),
        ("/import/report.json", "ntm_report_json", pages.report_json, ["GET"]),
        (CSS_ROUTE, "ntm_import_css", _css, ["GET"]),
    ):
        server.add_url_rule(rule, endpoint, view, methods=methods)


#: The pages' stylesheet (``assets/import-page.css``), served by the pages themselves so that
#: they work on a bare Flask app too; the Dash app leaves the file out of its own page.
CSS_ROUTE = "/import/style.css"
CSS_FILE = "import-page.css"


def _css() -> flask.Response:
    response = flask.send_from_directory(ASSETS_DIR, CSS_FILE, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _secret(settings: Settings) -> bytes:
    """The session key every worker shares: ``NTM_ATLAS_SECRET_KEY``, else the store's own
    (created once, kept by the store)."""
    from geodata.store import open_store

    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    return open_store(settings.store).secret()


def _csrf() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    sent = flask.request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, flask.session.get("csrf", "")):
        flask.abort(403, description="CSRF token missing or wrong")


def _lang() -> str:
    lang = flask.request.values.get("lang")
    if lang in LANGS:
        flask.session["lang"] = lang
    return flask.session.get("lang", "vi")


class _Pages:
    def __init__(self, settings: Settings) -> None:
        from geodata.store import GeoPackageStore, open_store

        self.settings = settings
        self.store = open_store(settings.store)
        self.users = self.store
        if isinstance(self.store, GeoPackageStore):
            self.uploads = self.store.path.parent / ".ntm-atlas-uploads"
        else:
            self.uploads = Path(settings.cache_dir) / "uploads"

    # ---------------------------------------------------------------- accounts
    def current_user(self):
        return signed_in(self.users)  # None once the session ended (sign-out anywhere)

    def login(self):
        from geodata.users import authenticate

        lang = _lang()
        error, error_id, status = "", "login-error", 200
        if flask.request.method == "POST":
            _check_csrf()
            name = flask.request.form.get("user", "")
            address = flask.request.remote_addr or ""
            throttle = login_throttle(self.users)
            wait = throttle.wait(name, address)
            user = None
            if not wait:
                user = authenticate(self.users, name, flask.request.form.get("password", ""))
            if user:
                throttle.succeeded(name, address)
                begin_session(self.users, user)  # a fresh session, under the account's epoch
                flask.session["lang"] = lang
                _csrf()
                return flask.redirect(local_target(flask.request.form.get("next")))
            if wait:
                error, error_id, status = (
                    _t("wait_login", lang, wait=wait_text(wait)),
                    "login-wait",
                    429,
                )
            else:
                throttle.failed(name, address)
                error, status = _t("bad_login", lang), 401
        return _page(
            "login.html",
            _t("login", lang),
            None,
            lang,
            status=status,
            error=error,
            error_id=error_id,
            next_url=local_target(flask.request.values.get("next")),
        )

    def logout(self):
        _check_csrf()
        end_session(self.users)  # every session of the account ends: a copied cookie too
        return flask.redirect("/")

    def _editor(self, *, for_post: bool):
        """The signed-in editor, or a response refusing the request."""
        lang = _lang()
        user = self.current_user()
        if user is None:
            if for_post:
                flask.abort(403, description="sign in first")
            return None, flask.redirect(f"/login?next={flask.request.path}")
        if not user.can_edit:
            return None, _page("refused.html", _t("title", lang), user, lang, status=403)
        if for_post:
            _check_csrf()
        return user, None

    # ---------------------------------------------------------------- pages
    def index(self, message: Message | None = None):
        user, refusal = self._editor(for_post=False)
        if refusal is not None:
            return refusal
        from geodata.imports import read_log

        lang = _lang()
        log = read_log(self.store).iloc[::-1]
        return _page(
            "import.html",
            _t("title", lang),
            user,
            lang,
            message=message,
            kinds=KINDS,
            suffixes=SUFFIXES,
            vintages=VINTAGES,
            log=[_log_row(r) for r in log.itertuples()],
            file_header=_t("file", lang).split(" (")[0],
        )

    def template(self, kind: str):
        _, refusal = self._editor(for_post=False)
        if refusal is not None:
            return refusal
        if kind not in KINDS:
            flask.abort(404)
        from geodata.imports.context import ImportContext
        from geodata.imports.template import write_template

        folder = self._new_folder()
        path = write_template(
            kind,
            folder / f"ntm-atlas-{kind}.xlsx",
            ImportContext.from_store(self.store),
        )
        return flask.send_file(path, as_attachment=True, download_name=path.name)

    def upload(self):
        user, refusal = self._editor(for_post=True)
        if refusal is not None:
            return refusal
        lang = _lang()
        if (flask.request.content_length or 0) > MAX_UPLOAD_BYTES:
            flask.abort(413)
        upload = flask.request.files.get("file")
        kind = flask.request.form.get("kind", "")
        if upload is None or not upload.filename or kind not in KINDS:
            flask.abort(400, description="a file and a kind are required")
        name = Path(upload.filename.replace("\\", "/")).name
        if Path(name).suffix.lower() not in SUFFIXES:
            return self.index(
                _msg(_t("unreadable", lang, error=f"{name}: .xlsx, .csv, .txt"), "error")
            )
        folder = self._new_folder()
        path = folder / _safe_name(name)
        upload.save(path)
        vintage = flask.request.form.get("vintage") or None
        meta = {
            "user": user.name,
            "kind": kind,
            "file": str(path),
            "name": name,
            "vintage": int(vintage) if vintage in {str(v) for v in VINTAGES} else None,
            "accept": flask.request.form.get("accept_suggestions") == "1",
            "overrides": {},
            "created": time.time(),
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return self._report_page(folder.name, meta, user, lang)

    def _on_pending(self, then):
        """``then(user, lang, token, meta)`` for the editor's pending upload named by this
        POST; a refusal, or the Import page saying that the upload expired, otherwise."""
        user, refusal = self._editor(for_post=True)
        if refusal is not None:
            return refusal
        lang = _lang()
        token, meta = self._pending(user)
        if meta is None:
            return self.index(_msg(_t("expired", lang), "error"))
        return then(user, lang, token, meta)

    def choose(self):
        return self._on_pending(self._choose)

    def _choose(self, user, lang: str, token: str, meta: dict):
        row, code = flask.request.form.get("row", ""), flask.request.form.get("code", "")
        if not re.fullmatch(r"[0-9]{1,7}", row) or not re.fullmatch(r"[0-9]{5}", code):
            flask.abort(400, description="row and code must be numbers")  # "²".isdigit()
        meta["overrides"][row] = code
        (self.uploads / token / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return self._report_page(token, meta, user, lang)

    def confirm(self):
        return self._on_pending(self._confirm)

    def _confirm(self, user, lang: str, token: str, meta: dict):
        from geodata.errors import DataValidationError
        from geodata.imports import ImportBusyError, UnreadableFileError, import_report

        skip = flask.request.form.get("skip_invalid") == "1"
        replace = flask.request.form.get("replace") == "1"
        try:
            report = self._check(meta)
            result = import_report(
                report,
                self.store,
                file=meta["file"],
                user=user.name,
                skip_invalid=skip,
                timeout=10,
                replace=replace,
            )
        except ImportBusyError:
            return self._report_page(token, meta, user, lang, _msg(_t("busy", lang), "error"))
        except OSError as exc:  # a full disk: nothing was written
            text = _t("not_written", lang, error=exc.strerror or type(exc).__name__)
            return self._report_page(token, meta, user, lang, _msg(text, "error"))
        except DataValidationError:
            return self._report_page(token, meta, user, lang, _msg(_t("has_errors", lang), "error"))
        except UnreadableFileError as exc:
            return self.index(_msg(_t("unreadable", lang, error=exc), "error"))
        shutil.rmtree(self.uploads / token, ignore_errors=True)
        text = result_text(result, lang)
        if result.written:
            text += " " + _t("reload", lang)
        return self.index(_msg(text, "ok", "import-result"))

    def report_json(self):
        user, refusal = self._editor(for_post=False)
        if refusal is not None:
            return refusal
        token, meta = self._pending(user, flask.request.args.get("token", ""))
        if meta is None:
            flask.abort(404)
        body = json.dumps(self._check(meta).to_dict(), ensure_ascii=False, indent=1, default=str)
        response = flask.Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{token}.json"'
        return response

    def undo(self):
        user, refusal = self._editor(for_post=True)
        if refusal is not None:
            return refusal
        from geodata.imports import undo_last

        lang = _lang()
        entry = undo_last(self.store, user=user.name, timeout=10)
        text = _t("undone", lang, id=entry["import_id"]) if entry else _t("nothing_undo", lang)
        return self.index(_msg(text, "ok", "undo-result"))

    # ---------------------------------------------------------------- helpers
    def _new_folder(self) -> Path:
        self.uploads.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for old in self.uploads.iterdir():  # forget abandoned uploads
            if old.is_dir() and now - old.stat().st_mtime > UPLOAD_TTL_S:
                shutil.rmtree(old, ignore_errors=True)
        folder = self.uploads / secrets.token_urlsafe(16)
        folder.mkdir()
        return folder

    def _pending(self, user, token: str | None = None) -> tuple[str, dict | None]:
        token = flask.request.form.get("token", "") if token is None else token
        folder = self.uploads / token
        if not _TOKEN.fullmatch(token) or not (folder / "meta.json").is_file():
            return token, None
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("user") != user.name:
            flask.abort(403, description="this upload belongs to another user")
        return token, meta

    def _check(self, meta: dict):
        from geodata.imports import check_file

        overrides = {  # an upload stuck by a bad override (an older version) recovers
            int(r): c for r, c in meta["overrides"].items() if re.fullmatch(r"[0-9]{1,7}", r)
        }
        return check_file(
            meta["file"],
            meta["kind"],
            self.store,
            vintage=meta["vintage"],
            accept_suggestions=meta["accept"],
            overrides=overrides,
        )

    def _report_page(self, token: str, meta: dict, user, lang: str, message: Message | None = None):
        from geodata.imports import UnreadableFileError

        try:
            report = self._check(meta)
        except UnreadableFileError as exc:
            shutil.rmtree(self.uploads / token, ignore_errors=True)
            return self.index(_msg(_t("unreadable", lang, error=exc), "error"))
        s = report.summary
        return _page(
            "report.html",
            f"{_t('report', lang)}: {meta['name']}",
            user,
            lang,
            message=message,
            report=report,
            token=token,
            name=meta["name"],
            kind=meta["kind"],
            summary=s,
            file_format=f"{s['format']}{', ' + s['encoding'] if s.get('encoding') else ''}",
            columns=[(h, field_label(f, lang)) for f, h in s["columns"].items() if f != "row_no"],
            counts=report.counts(),
            rows=[r for r in report.rows if r.problems][:MAX_REPORT_ROWS],
            suggestions=_suggestions,
        )


def _log_row(r) -> dict[str, Any]:
    """One change-log row for the template (missing values as None)."""
    return {
        k: (v if isinstance(v, str | int) else None) for k, v in r._asdict().items() if k != "Index"
    }


@dataclass(frozen=True)
class Suggestion:
    """A suggested unit for a problem; ``choosable`` when one click can accept it."""

    code: str
    label: str
    choosable: bool


def _suggestions(problem) -> list[Suggestion]:
    out = []
    for sg in problem.suggestions:
        label = f"{sg['code']} {sg['name']}" + (
            f" ({sg['district']})" if sg.get("district") else ""
        )
        choosable = problem.field in ("commune", "commune_code") and len(str(sg["code"])) == 5
        out.append(Suggestion(str(sg["code"]), label, choosable))
    return out


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return keep or "upload"


@dataclass(frozen=True)
class Message:
    """A line above the page's content: text, ``ok`` or ``error``, and its element id."""

    text: str
    kind: str
    id: str = "message"


def _msg(text: object, kind: str, element_id: str = "message") -> Message:
    return Message(str(text), kind, element_id)


@cache
def _templates() -> jinja2.Environment:
    """The page templates (``dashboard/templates``), every value escaped unless marked safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dashboard", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(
    template: str, title: str, user, lang: str, status: int = 200, **context: Any
) -> flask.Response:
    """A page from a template, in the reader's language, with the session's CSRF token."""
    html = (
        _templates()
        .get_template(template)
        .render(
            title=title,
            user=user,
            lang=lang,
            other_lang="en" if lang == "vi" else "vi",
            t=lambda key, **kw: _t(key, lang, **kw),
            csrf=_csrf(),
            css_url=CSS_ROUTE,
            message=context.pop("message", None),
            **context,
        )
    )
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response
