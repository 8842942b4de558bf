"""The ``ntm-atlas`` command line: ``data build``, ``data check``, ``data copy``, ``serve``.

A store is a GeoPackage path or a ``postgresql://`` URL wherever one is asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from dashboard.export_cli import register_export_commands
from dashboard.import_cli import register_import_commands
from geodata.errors import NtmAtlasError
from geodata.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    settings = Settings.from_env()
    try:
        return int(args.run(args, settings) or 0)
    except NtmAtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ntm-atlas", description="NTM Atlas: who helps which commune (Bắc Kạn)."
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    data = sub.add_parser("data", help="build and check the data store").add_subparsers(
        metavar="ACTION"
    )
    build = data.add_parser("build", help="build the store from the upstream files")
    where = build.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        type=Path,
        help="GeoPackage file (default: NTM_ATLAS_DATABASE_URL, else NTM_ATLAS_DATA "
        "or a user data dir)",
    )
    where.add_argument(
        "--to", metavar="URL", help="a PostGIS database (postgresql://…) or a .gpkg path"
    )
    build.set_defaults(run=_data_build)
    check = data.add_parser("check", help="re-read the store and report problems (exit 1 if any)")
    check.add_argument(
        "--store", help="GeoPackage path or postgresql:// URL (default: as for build)"
    )
    check.set_defaults(run=_data_check)
    copy = data.add_parser(
        "copy",
        help="copy a whole store (layers, tables, imports, change log, accounts) between "
        "GeoPackage and PostGIS",
    )
    copy.add_argument("source", metavar="FROM", help="GeoPackage path or postgresql:// URL")
    copy.add_argument("target", metavar="TO", help="GeoPackage path or postgresql:// URL")
    copy.set_defaults(run=_data_copy)

    serve = sub.add_parser("serve", help="run the dashboard (builds the store first if missing)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8050)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: one per core, at least 2; NTM_ATLAS_WORKERS)",
    )
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    serve.add_argument(
        "--debug",
        action="store_true",
        help="Flask's development server with Dash's debug tools (one process) instead of gunicorn",
    )
    serve.set_defaults(run=_serve)
    register_export_commands(sub)
    register_import_commands(sub)
    return parser


def _data_build(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.build import build_store
    from geodata.store import open_store

    target = open_store(args.to or args.out or settings.store)
    started = time.perf_counter()
    result = build_store(settings, target)
    seconds = time.perf_counter() - started
    counts = result.report["counts"]
    print(f"Built {target.url} in {seconds:.1f} s")
    for name, n in counts.items():
        print(f"  {name:24s} {n:5d}")
    print(f"  province outline IoU vs dvhcvn: {result.report['province_iou_vs_dvhcvn']}")
    for name in ("gadm_raw", "communes_2019", "communes_2019_web", "communes_2025"):
        print(f"  {name}: {json.dumps(result.report[name])}")
    return 0


def _data_check(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.check import check_store
    from geodata.store import open_store

    store = open_store(args.store or settings.store)
    report = check_store(store)
    for name, n in report.counts.items():
        print(f"  {name:24s} {n:5d}")
    if report.ok:
        print(f"{store.url}: no problems")
        return 0
    print(f"{store.url}: {len(report.problems)} problem(s)", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _data_copy(args: argparse.Namespace, settings: Settings) -> int:
    from geodata.store import copy_store, open_store

    source, target = open_store(args.source), open_store(args.target)
    started = time.perf_counter()
    counts = copy_store(source, target)
    seconds = time.perf_counter() - started
    print(f"Copied {source.url} → {target.url} in {seconds:.1f} s")
    for name, n in counts.items():
        print(f"  {name:24s} {n:5d}")
    print(f"  {'accounts':24s} {len(target.users().all()):5d}")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from dashboard.app import create_app
    from geodata.build import build_store

    settings = replace(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
        debug=args.debug or settings.debug,
    )
    from geodata.store import open_store

    store = open_store(settings.store)
    if not store.exists():
        print(f"No store at {store.url}: building it first…")
        build_store(settings, store)
    if settings.debug:
        app = create_app(settings)
        app.run(host=settings.host, port=settings.port, debug=True)
        return 0
    from dashboard.serving import ServeOptions, serve

    default = ServeOptions.default()
    workers = args.workers or int(os.environ.get("NTM_ATLAS_WORKERS") or default.workers)
    if workers < 1 or args.threads < 1:
        print("error: --workers and --threads must be at least 1", file=sys.stderr)
        return 2
    print(
        f"NTM Atlas on http://{settings.host}:{settings.port}/"
        f" (gunicorn, {workers} workers × {args.threads} threads)",
        flush=True,
    )
    serve(settings, ServeOptions(workers=workers, threads=args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
