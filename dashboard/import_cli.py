"""``ntm-atlas import …`` and ``ntm-atlas users …``: the command-line face of geodata.imports.

Exit codes: 0 ok, 1 validation errors (nothing written), 2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.i18n import translator
from geodata.settings import Settings
from geodata.vocabulary import VINTAGES, ImportKind

if TYPE_CHECKING:
    from geodata.imports.apply import ApplyResult

KIND_CHOICES = ImportKind.values()


def _t(key: str, lang: str, **kw: object) -> str:
    """Words of this module from the project's one translation table (``importcli.*`` keys)."""
    return translator(lang)(f"importcli.{key}", **kw)


def result_text(result: ApplyResult, lang: str) -> str:
    """What an import changed, in words (the CLI and the Import page say the same)."""
    key = "import.result.written" if result.written else "import.result.nochange"
    return translator(lang)(
        key,
        id=result.import_id,
        added=result.added,
        changed=result.changed,
        removed=result.removed,
        unchanged=result.unchanged,
    )


#: Help of every command's ``--store`` option but an import's.
STORE_HELP = "GeoPackage path or postgresql:// URL"


def register_import_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``import`` and ``users`` to the ``ntm-atlas`` command line."""
    imp = subparsers.add_parser(
        "import", help="import spreadsheets (assignments, projects, agencies)"
    )
    actions = imp.add_subparsers(metavar="KIND")
    for kind in KIND_CHOICES:
        _add_import_command(actions, kind)
    _add_template_command(actions)
    _add_undo_command(actions)
    _add_log_command(actions)
    users = subparsers.add_parser("users", help="dashboard accounts").add_subparsers(
        metavar="ACTION"
    )
    _add_users_add_command(users)
    _add_users_list_command(users)
    _add_users_sign_out_command(users)


def _add_import_command(actions: argparse._SubParsersAction, kind: str) -> None:
    """``import KIND FILE``: validate a spreadsheet, then write it (or only report)."""
    p = actions.add_parser(kind, help=f"validate and import a {kind} file (.xlsx, .csv, .txt)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--store",
        help="GeoPackage path or postgresql:// URL (default: NTM_ATLAS_DATABASE_URL, "
        "else NTM_ATLAS_DATA or a user data dir)",
    )
    p.add_argument("--sheet", help="sheet name or number (default: the first sheet)")
    p.add_argument(
        "--vintage",
        type=int,
        choices=VINTAGES,
        help="resolve every commune against this list of units",
    )
    p.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    p.add_argument("--report", type=Path, metavar="REPORT.json", help="write the report as JSON")
    p.add_argument(
        "--accept-suggestions",
        action="store_true",
        help="take the closest official name for approximate commune names",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows even if other rows have errors",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="the file is the data set's new version: remove rows no longer in it",
    )
    p.add_argument("--dataset", help="name of the data set (default: the file name)")
    p.add_argument("--user", help="who is importing (default: the login name)")
    p.add_argument(
        "--lang", choices=("en", "vi"), default=_default_lang(), help="language of the output"
    )
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to wait for another import (default 30)",
    )
    p.set_defaults(run=_import, kind=kind)


def _add_template_command(actions: argparse._SubParsersAction) -> None:
    """``import template KIND``: an .xlsx with the expected columns."""
    tpl = actions.add_parser("template", help="write an .xlsx template with the expected columns")
    tpl.add_argument("template_kind", choices=KIND_CHOICES, metavar="KIND")
    tpl.add_argument("--out", type=Path, help="file to write (default: ntm-atlas-KIND.xlsx)")
    tpl.add_argument("--store", help="store to take commune drop-downs from (if it exists)")
    tpl.set_defaults(run=_template)


def _add_undo_command(actions: argparse._SubParsersAction) -> None:
    """``import undo``: the latest import undone."""
    undo = actions.add_parser("undo", help="undo the latest import")
    undo.add_argument("--store", help=STORE_HELP)
    undo.add_argument("--user")
    undo.set_defaults(run=_undo)


def _add_log_command(actions: argparse._SubParsersAction) -> None:
    """``import log``: the change log."""
    log = actions.add_parser("log", help="show the change log")
    log.add_argument("--store", help=STORE_HELP)
    log.set_defaults(run=_log)


def _add_users_add_command(users: argparse._SubParsersAction) -> None:
    """``users add NAME --role``: create or change a dashboard account."""
    add = users.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=("editor", "viewer"), required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--replace", action="store_true", help="change an existing account")
    add.add_argument("--store", help=STORE_HELP)
    add.set_defaults(run=_users_add)


def _add_users_list_command(users: argparse._SubParsersAction) -> None:
    """``users list``: the accounts and their roles."""
    lst = users.add_parser("list", help="list accounts")
    lst.add_argument("--store", help=STORE_HELP)
    lst.set_defaults(run=_users_list)


def _add_users_sign_out_command(users: argparse._SubParsersAction) -> None:
    """``users sign-out NAME``: end every session of an account."""
    out = users.add_parser(
        "sign-out", help="end every session of an account (a lost laptop, a copied cookie)"
    )
    out.add_argument("name")
    out.add_argument("--store", help=STORE_HELP)
    out.set_defaults(run=_users_sign_out)


#: Exit code of an import that was valid but could not be written (the store is busy with
#: another writer, or the disk is full); nothing was written, try again.
EXIT_NOT_WRITTEN = 3


def _default_lang() -> str:
    return "vi" if os.environ.get("LANG", "").lower().startswith("vi") else "en"


def _store(args: argparse.Namespace, settings: Settings):
    """The store named by ``--store``, else by the settings (a :class:`geodata.store.Store`)."""
    from geodata.store import open_store

    return open_store(args.store or settings.store)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.errors import StoreError
    from geodata.imports import UnreadableFileError, check_file, import_report

    lang = args.lang
    store = _store(args, settings)
    try:
        report = check_file(
            args.file,
            args.kind,
            store,
            sheet=args.sheet,
            vintage=args.vintage,
            accept_suggestions=args.accept_suggestions,
        )
    except (UnreadableFileError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(report, lang)
    if args.report:
        args.report.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=1, default=str),
            encoding="utf-8",
        )
        print(_t("report", lang, path=args.report))
    if not report.ok and not args.skip_invalid:
        print(_t("blocked", lang), file=sys.stderr)
        return 1
    if args.dry_run:
        print(_t("dry", lang))
        return 0
    try:
        result = import_report(
            report,
            store,
            file=args.file,
            dataset=args.dataset,
            user=args.user,
            skip_invalid=args.skip_invalid,
            timeout=args.wait,
            replace=args.replace,
        )
    except OSError as exc:  # the store is busy (another writer) or the disk is full
        print(f"error: nothing written: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_NOT_WRITTEN
    print(result_text(result, lang))
    return 0


def print_report(report, lang: str = "en", out=None) -> None:
    """The report for a person: file, columns, counts, then problems grouped by reason."""
    out = out or sys.stdout
    s = report.summary
    fmt = (
        s["format"]
        + (f", {s['encoding']}" if s.get("encoding") else "")
        + (f", sheet «{s['sheet']}»" if s.get("sheet") else "")
    )
    print(
        f"{_t('file', lang)}: {s['file']} ({fmt}); {_t('header', lang)} {s['header_row']}", file=out
    )
    cols = ", ".join(f"{f} ← «{h}»" for f, h in s["columns"].items() if f != "row_no")
    print(f"{_t('columns', lang)}: {cols}", file=out)
    if s.get("ignored_columns"):
        print(
            f"{_t('ignored', lang)}: {', '.join(f'«{c}»' for c in s['ignored_columns'])}", file=out
        )
    counts = report.counts()
    print(
        f"{_t('result', lang)}: "
        + ", ".join(f"{counts[k]} {_t(k, lang)}" for k in ("ok", "warning", "error", "skipped")),
        file=out,
    )
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in report.rows:
        for p in row.problems:
            groups[(p.severity, p.reason)].append((row.row, p))
    counted = report.reasons  # every problem, also those the report did not keep in full
    for sev in ("error", "warning", "skipped"):
        items = [(k, v) for k, v in groups.items() if k[0] == sev]
        if not items:
            continue
        total = sum(counted.get(k, len(v)) for k, v in items)
        print(f"\n{_t('sev_' + sev, lang)} ({total}):", file=out)
        for (_, reason), problems in sorted(items, key=lambda kv: -counted.get(kv[0], 0)):
            from geodata.imports.messages import reason_text

            head = reason_text(reason, lang, value="…")
            n = counted.get((sev, reason), len(problems))
            print(f"  {head} — {n} {_t('rows', lang)}", file=out)
            for number, p in problems[:50]:
                where = f"{_t('row', lang)} {number}" + (
                    f", {_t('col', lang)} «{p.column}»" if p.column else ""
                )
                line = f"    {where}: {p.text(lang)}"
                if p.suggestions:
                    line += f" → {_t('suggest', lang)}: " + "; ".join(
                        f"{x['code']} {x['name']}"
                        + (f" ({x['district']})" if x.get("district") else "")
                        for x in p.suggestions
                    )
                print(line, file=out)
            if n > min(len(problems), 50):  # not listed (or not kept by the report)
                print(f"    … +{n - min(len(problems), 50)}", file=out)


def _template(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.imports.context import ImportContext
    from geodata.imports.template import write_template

    store = _store(args, settings)
    ctx = ImportContext.from_store(store) if store.exists() else None
    out = args.out or Path(f"ntm-atlas-{args.template_kind}.xlsx")
    write_template(args.template_kind, out, ctx)
    print(f"Template written to {out}")
    return 0


def _undo(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.imports import undo_last

    entry = undo_last(_store(args, settings), user=args.user)
    if entry is None:
        print("Nothing to undo.")
        return 0
    print(
        f"Undid import {entry['import_id']} ({entry['kind']}, {entry['file_name']}, "
        f"{entry['at']}, by {entry['user']}) as {entry['undone_by']}."
    )
    return 0


def _log(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.imports import read_log

    log = read_log(_store(args, settings))
    if log.empty:
        print("No imports yet.")
        return 0
    for r in log.itertuples():
        extra = f" undoes {r.undoes}" if isinstance(r.undoes, str) else ""
        extra += f" (undone by {r.undone_by})" if isinstance(r.undone_by, str) else ""
        print(
            f"{r.import_id} {r.at} {r.user:10s} {r.action:6s} {r.kind:11s} {r.file_name} "
            f"+{r.added} ~{r.changed} -{r.removed}{extra}"
        )
    return 0


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.users import UserError, add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return 2
    try:
        store = _store(args, settings)
        user = add_user(store, args.name, args.role, password, replace=args.replace)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"User {user.name} ({user.role}) saved in {store.url}")
    return 0


def _users_list(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.users import list_users

    for user in list_users(_store(args, settings)):
        print(f"{user.name}\t{user.role}")
    return 0


def _users_sign_out(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.users import end_sessions, get_user

    store = _store(args, settings)
    if get_user(store, args.name) is None:
        print(f"error: no account {args.name!r} in {store.url}", file=sys.stderr)
        return 2
    end_sessions(store, args.name)
    print(f"Every session of {args.name} has ended; they sign in again.")
    return 0
