"""The load test: many concurrent clients firing the real district-change request.

The requests are the ones the browser sent for the district changes (captured by the browser
run), replayed by ``clients`` asyncio clients on loopback for a bounded time; each client
sends one request, waits for the whole answer, and sends the next (``Connection: close``).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
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
