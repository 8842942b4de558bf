"""The load test: many concurrent clients firing the real district-change request.

The requests are the ones the browser sent for the district changes (captured by the browser
run of ``python -m benchmarks``), replayed by ``clients`` asyncio clients on loopback for a
bounded time; each client sends one request, waits for the whole answer, and sends the next
(``Connection: close``).

On its own, ``uv run python -m benchmarks.load --store F [--distinct]`` starts
``ntm-atlas serve --workers 2`` on the store and fires the view callback's request of the
district changes, built from the app's callback map (``benchmarks.server_cpu``): the eight
district changes over and over (after the first round the response cache answers them), or
with ``--distinct`` a different state for every request (districts × boundaries × measure ×
language: every answer is computed; the response cache and the kept views miss).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse


async def _one(host: str, port: int, path: str, body: bytes, timeout: float) -> tuple[int, int]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Accept-Encoding: gzip\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        writer.write(head + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, len(data)


async def _run(url: str, bodies: list[bytes], clients: int, seconds: float, warmup: float):
    """Each client sends one untimed request (and the clients wait ``warmup`` seconds more),
    then all fire for ``seconds``; every request started in that window is kept."""
    parsed = urlparse(url)
    host, port = parsed.hostname, parsed.port
    path = "/_dash-update-component"

    async def once(k: int) -> tuple[float, float, str | None]:
        body = bodies[k % len(bodies)]
        t0 = time.perf_counter()
        try:
            status, _n = await _one(host, port, path, body, timeout=120)
            err = None if status == 200 else f"HTTP {status}"
        except (OSError, TimeoutError, ValueError, IndexError) as exc:
            err = type(exc).__name__
        return t0, time.perf_counter(), err

    await asyncio.gather(*(once(i) for i in range(clients)))
    await asyncio.sleep(warmup)
    samples: list[tuple[bool, float, str | None]] = []
    stop = time.perf_counter() + seconds

    async def client(i: int) -> None:
        k = i
        while time.perf_counter() < stop:
            t0, t1, err = await once(k)
            k += clients
            samples.append((t1 <= stop, t1 - t0, err))

    await asyncio.gather(*(client(i) for i in range(clients)))
    return samples


def rss_of_tree(pid: int) -> dict[str, float]:
    """Resident and proportional set size (MiB) of a process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}


def load_test(
    url: str, bodies: list[str], clients: int = 50, seconds: float = 20.0, warmup: float = 3.0
) -> dict:
    """Requests per second, latency percentiles and errors of the change request under load."""
    payload = [b.encode() for b in bodies]
    load0 = os.getloadavg()
    samples = asyncio.run(_run(url, payload, clients, seconds, warmup))
    lat = sorted(s for _in, s, err in samples if err is None)
    errors = [err for _in, _s, err in samples if err is not None]
    done_in_window = sum(1 for inside, _s, err in samples if inside and err is None)

    def pct(q: float) -> float | None:
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else None

    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(lat),
        "req_per_s": done_in_window / seconds,
        "median_s": statistics.median(lat) if lat else None,
        "p95_s": pct(0.95),
        "max_s": lat[-1] if lat else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "loadavg_before": load0,
        "distinct_bodies": len(set(json.dumps(b) for b in bodies)),
    }


# ----------------------------------------------------------------------------- on its own
def change_bodies(store: Path, tmp: Path, distinct: bool, count: int = 4000) -> list[str]:
    """View-callback requests of district changes from the default page: the eight districts,
    or with ``distinct`` ``count`` different states (each a change from the default page)."""
    from benchmarks.server_cpu import change_requests, make_app, view_request
    from dashboard import state as st
    from geodata import coverage
    from layers import styles

    app, bundle = make_app(store, tmp)
    default = st.default_state(coverage.year_bounds(bundle))
    districts = sorted(bundle.tables["districts"]["code"])
    if distinct:
        # The districts vary fastest: a state's view is not kept any more when it comes back.
        chosen = [
            c for k in range(1, len(districts) + 1) for c in itertools.combinations(districts, k)
        ]
        combos = itertools.product(("vi", "en"), styles.MEASURES, (2019, 2020, 2025), chosen)
        states = [
            {**default, "d": list(d), "v": v, "m": m, "lang": lang}
            for lang, m, v, d in itertools.islice(combos, count)
        ]
    else:
        states = [{**default, "d": [d]} for d in districts]
    return [json.dumps(view_request(change_requests(app, default, s))) for s in states]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n")[0]
    )
    p.add_argument("--store", type=Path, required=True, help="a built store")
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--seconds", type=float, default=20.0, help="measured seconds (default 20)")
    p.add_argument("--workers", type=int, default=2, help="`serve --workers N` (default 2)")
    p.add_argument("--distinct", action="store_true", help="a new state for every request")
    p.add_argument("--label", default="load", help="name of the results file")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = p.parse_args(argv)
    args.database = None
    from benchmarks.__main__ import _load, write_result

    with tempfile.TemporaryDirectory(prefix="ntm-load-") as tmpdir:
        tmp = Path(tmpdir)
        bodies = change_bodies(args.store, tmp, args.distinct)
        result = _load(args.store, tmp, args, bodies)
    result |= {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "label": args.label}
    print(
        f"{args.clients} clients, {args.workers} workers, {result['distinct_bodies']} distinct"
        f" requests: {result['req_per_s']:.1f} req/s, median {result['median_s']:.2f} s,"
        f" p95 {result['p95_s']:.2f} s, max {result['max_s']:.2f} s, errors {result['errors']},"
        f" RSS {result['rss']['rss_mib']:.0f} MiB (PSS {result['rss']['pss_mib']:.0f}),"
        f" load average {result['loadavg_before'][0]:.1f}"
    )
    print(f"written: {write_result(result, args.out, args.label)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
