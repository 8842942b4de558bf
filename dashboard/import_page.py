# ruff: noqa: E501  (HTML templates and bilingual messages read best unwrapped)
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
``<cache>/uploads/<token>/``; token bound to the user) until confirmed. Call :func:`register_import_page` once from ``create_app``.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

import flask
from markupsafe import Markup, escape

from dashboard.i18n import translator
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
from geodata.vocabulary import ImportKind

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
    ):
        server.add_url_rule(rule, endpoint, view, methods=methods)


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
    if lang in ("vi", "en"):
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
        error = ""
        status = 200
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
                status = 429
                error = f'<p class="msg error" id="login-wait">{escape(_t("wait_login", lang, wait=wait_text(wait)))}</p>'
            else:
                throttle.failed(name, address)
                status = 401
                error = f'<p class="msg error">{escape(_t("bad_login", lang))}</p>'
        next_url = escape(local_target(flask.request.values.get("next")))
        body = f"""
<form method="post" action="/login" class="card narrow" id="login-form">
  {error}
  <input type="hidden" name="csrf" value="{_csrf()}"><input type="hidden" name="next" value="{next_url}">
  <label>{escape(_t("user", lang))}<input name="user" id="login-user" autocomplete="username" required></label>
  <label>{escape(_t("password", lang))}<input name="password" id="login-password" type="password" autocomplete="current-password" required></label>
  <button type="submit" id="login-submit">{escape(_t("login", lang))}</button>
  <p class="small" id="login-help">{escape(_t("no_account", lang))}<br>
    <code>{escape(_t("account_cmd", lang))}</code></p>
</form>"""
        return _page(_t("login", lang), body, None, lang, status=status)

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
            body = f'<p class="msg error" id="viewer-refused">{escape(_t("viewer", lang))}</p>'
            return None, _page(_t("title", lang), body, user, lang, status=403)
        if for_post:
            _check_csrf()
        return user, None

    # ---------------------------------------------------------------- pages
    def index(self, message: str = ""):
        user, refusal = self._editor(for_post=False)
        if refusal is not None:
            return refusal
        lang = _lang()
        kinds = "".join(f'<option value="{k}">{escape(_t(k, lang))}</option>' for k in KINDS)
        templates = " · ".join(
            f'<a href="/import/template/{k}">{escape(_t(k, lang))}</a>' for k in KINDS
        )
        body = f"""
{message}
<form method="post" action="/import/upload" enctype="multipart/form-data" class="card" id="upload-form">
  <input type="hidden" name="csrf" value="{_csrf()}">
  <label>{escape(_t("kind", lang))} <select name="kind" id="upload-kind">{kinds}</select></label>
  <label>{escape(_t("file", lang))} <input type="file" name="file" id="upload-file" accept="{",".join(SUFFIXES)}" required></label>
  <label>{escape(_t("vintage", lang))} <select name="vintage"><option value="">{escape(_t("auto", lang))}</option>
    <option>2019</option><option>2020</option><option>2025</option></select></label>
  <label class="check"><input type="checkbox" name="accept_suggestions" value="1"> {escape(_t("accept", lang))}</label>
  <button type="submit" id="upload-submit">{escape(_t("check", lang))}</button>
  <p class="small">{escape(_t("template", lang))}: {templates}</p>
</form>
{self._log_html(lang)}"""
        return _page(_t("title", lang), body, user, lang)

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
            "vintage": int(vintage) if vintage in ("2019", "2020", "2025") else None,
            "accept": flask.request.form.get("accept_suggestions") == "1",
            "overrides": {},
            "created": time.time(),
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return self._report_page(folder.name, meta, user, lang)

    def choose(self):
        user, refusal = self._editor(for_post=True)
        if refusal is not None:
            return refusal
        lang = _lang()
        token, meta = self._pending(user)
        if meta is None:
            return self.index(_msg(_t("expired", lang), "error"))
        row, code = flask.request.form.get("row", ""), flask.request.form.get("code", "")
        if not re.fullmatch(r"[0-9]{1,7}", row) or not re.fullmatch(r"[0-9]{5}", code):
            flask.abort(400, description="row and code must be numbers")  # "²".isdigit()
        meta["overrides"][row] = code
        (self.uploads / token / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return self._report_page(token, meta, user, lang)

    def confirm(self):
        user, refusal = self._editor(for_post=True)
        if refusal is not None:
            return refusal
        lang = _lang()
        token, meta = self._pending(user)
        if meta is None:
            return self.index(_msg(_t("expired", lang), "error"))
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

    def _report_page(self, token: str, meta: dict, user, lang: str, message: str = ""):
        from geodata.imports import UnreadableFileError

        try:
            report = self._check(meta)
        except UnreadableFileError as exc:
            shutil.rmtree(self.uploads / token, ignore_errors=True)
            return self.index(_msg(_t("unreadable", lang, error=exc), "error"))
        body = message + _report_html(report, token, meta, lang)
        return _page(f"{_t('report', lang)}: {meta['name']}", body, user, lang)

    def _log_html(self, lang: str) -> str:
        from geodata.imports import read_log

        log = read_log(self.store)
        rows = []
        for r in log.iloc[::-1].itertuples():
            undone = f" ↩ {escape(r.undone_by)}" if isinstance(r.undone_by, str) else ""
            what = f"{escape(r.action)} {escape(r.undoes) if isinstance(r.undoes, str) else ''}"
            rows.append(
                f"<tr><td>{escape(r.import_id)}{undone}</td><td>{escape(r.at)}</td><td>{escape(r.user)}</td>"
                f"<td>{what}</td><td>{escape(r.kind)}</td><td>{escape(r.file_name)}</td>"
                f"<td>+{r.added} ~{r.changed} −{r.removed}</td></tr>"
            )
        head = "<th>ID</th>" + "".join(
            f"<th>{escape(_t(k, lang))}</th>" for k in ("when", "who", "action", "kind")
        )
        table = (
            f'<table id="change-log"><tr>{head}<th>{escape(_t("file", lang).split(" (")[0])}</th>'
            f"<th>{escape(_t('rows_changed', lang))}</th></tr>{''.join(rows)}</table>"
        )
        undo = (
            f'<form method="post" action="/import/undo" id="undo-form"><input type="hidden" name="csrf" '
            f'value="{_csrf()}"><button type="submit">{escape(_t("undo", lang))}</button></form>'
        )
        return f'<section class="card"><h2>{escape(_t("log", lang))}</h2>{table}{undo if rows else ""}</section>'


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return keep or "upload"


def _msg(text: str, kind: str, element_id: str = "message") -> str:
    return f'<p class="msg {kind}" id="{element_id}">{escape(text)}</p>'


def _report_html(report, token: str, meta: dict, lang: str) -> str:
    s = report.summary
    counts = report.counts()
    summary = " · ".join(
        f'<span class="{k}">{counts[k]} {escape(_t(k, lang))}</span>' for k in counts
    )
    fmt = f"{s['format']}{', ' + s['encoding'] if s.get('encoding') else ''}"
    columns = ", ".join(
        f"«{escape(h)}» → {escape(field_label(f, lang))}"
        for f, h in s["columns"].items()
        if f != "row_no"
    )
    csrf = _csrf()
    rows_html = []
    shown = [r for r in report.rows if r.problems][:MAX_REPORT_ROWS]
    for row in shown:
        problems = row.problems
        for i, p in enumerate(problems):
            first = i == 0
            cells = [
                f'<td rowspan="{len(problems)}">{row.row}</td>' if first else "",
                f'<td rowspan="{len(problems)}" class="status">{escape(_t(row.status, lang))}</td>'
                if first
                else "",
                f'<td rowspan="{len(problems)}">{escape(row.commune_code or "")}</td>'
                if first
                else "",
            ]
            if p is None:
                cells.append("<td></td><td></td><td></td><td></td>")
            else:
                sugg = []
                for sg in p.suggestions:
                    label = f"{sg['code']} {sg['name']}" + (
                        f" ({sg['district']})" if sg.get("district") else ""
                    )
                    if p.field in ("commune", "commune_code") and len(str(sg["code"])) == 5:
                        sugg.append(
                            f'<form method="post" action="/import/choose" class="inline">'
                            f'<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="token" value="{escape(token)}">'
                            f'<input type="hidden" name="row" value="{row.row}"><input type="hidden" name="code" value="{escape(sg["code"])}">'
                            f'<button type="submit" class="suggestion" data-row="{row.row}" data-code="{escape(sg["code"])}">{escape(label)}</button></form>'
                        )
                    else:
                        sugg.append(f"<span>{escape(label)}</span>")
                cells.append(
                    f"<td>{escape(p.column)}</td><td>{escape(p.value)}</td>"
                    f'<td class="{p.severity}">{escape(p.text(lang))}</td><td>{"".join(sugg)}</td>'
                )
            rows_html.append(f'<tr class="{row.status}" data-row="{row.row}">{"".join(cells)}</tr>')
    head = "".join(
        f"<th>{escape(_t(k, lang))}</th>"
        for k in ("row", "status", "code", "column", "value", "reason", "suggestions")
    )
    blocked_html = ""
    if not report.ok:
        blocked_html = (
            f'<p class="msg error">{escape(_t("has_errors", lang))}</p>'
            f'<label class="check"><input type="checkbox" name="skip_invalid" value="1" id="skip-invalid"> '
            f"{escape(_t('skip_invalid', lang))}</label>"
        )
    confirm = f"""
<form method="post" action="/import/confirm" class="card" id="confirm-form">
  <input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="token" value="{escape(token)}">
  {blocked_html}
  <label class="check"><input type="checkbox" name="replace" value="1" id="replace"> {escape(_t("replace", lang))}</label>
  <button type="submit" id="confirm-submit">{escape(_t("confirm", lang))}</button>
  <a href="/import">{escape(_t("again", lang))}</a>
</form>"""
    return f"""
<section class="card" id="report-summary" data-ok="{int(report.ok)}">
  <p><b>{escape(meta["name"])}</b> ({escape(fmt)}) — {escape(_t(meta["kind"], lang))}; {escape(_t("header_row", lang))} {s["header_row"]}: {columns}</p>
  <p>{summary}</p>
</section>
<p class="small">{escape(_t("only_problems", lang, shown=len(shown), ok=counts["ok"]))}
  <a href="/import/report.json?token={escape(token)}" id="report-json">report.json</a></p>
<table id="report">{Markup("<tr>" + head + "</tr>")}{"".join(rows_html)}</table>
{confirm}"""


_CSS = """
body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;margin:0;color:#1d2a33;background:#f5f7f8}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;background:#0b5d4b;color:#fff}
header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}
header .grow{flex:1} main{padding:1rem;max-width:1200px;margin:auto}
.card{background:#fff;border:1px solid #d5dde2;border-radius:6px;padding:1rem;margin:0 0 1rem}
.narrow{max-width:360px} label{display:block;margin:.4rem 0} label.check{display:flex;gap:.4rem}
input,select,button{font:inherit;margin-left:.3rem} button{padding:.3rem .8rem}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1rem;font-size:.9rem}
th,td{border:1px solid #d5dde2;padding:.25rem .4rem;text-align:left;vertical-align:top}
tr.error td{background:#fdecea} tr.warning td{background:#fff8e1} tr.skipped td{color:#6b7780}
td.error{color:#a4161a;font-weight:600} .msg{padding:.5rem .8rem;border-radius:4px}
.msg.error{background:#fdecea;color:#a4161a} .msg.ok{background:#e6f4ea;color:#0b5d4b}
form.inline{display:inline} button.suggestion{margin:.1rem;border:1px solid #0b5d4b;background:#e6f4ea;border-radius:3px}
span.error{color:#a4161a} span.warning{color:#8a6d00} .small{font-size:.85rem}
"""


def _page(title: str, body: str, user, lang: str, status: int = 200) -> flask.Response:
    other = "en" if lang == "vi" else "vi"
    who = ""
    if user is not None:
        who = (
            f'<span id="signed-in">{escape(user.name)} ({escape(user.role)})</span>'
            f'<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{_csrf()}">'
            f'<button type="submit">{escape(_t("logout", lang))}</button></form>'
        )
    html = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(title)} – NTM Atlas</title><style>{_CSS}</style></head>
<body><header><b>NTM Atlas</b><a href="/">{escape(_t("back", lang))}</a><span class="grow"></span>
<a href="?lang={other}">{other.upper()}</a>{who}</header>
<main><h1>{escape(title)}</h1>{body}</main></body></html>"""
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response
