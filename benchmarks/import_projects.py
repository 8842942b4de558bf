"""Rows per second when importing a 10,000-row projects spreadsheet.

    NTM_ATLAS_MIRROR=../shared/geodata/mirror uv run python benchmarks/import_projects.py [--rows N]

Builds a store from the mirror in a temporary folder (or uses ``--store``, copied first), writes
a realistic projects file (.xlsx and .csv: names in every spelling family, district given,
periods, Vietnamese amounts, a third with coordinates) and times reading, resolving and
validating, then writing the import into the store.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

HEADER = [
    "STT",
    "Tên công trình",
    "Huyện",
    "Xã",
    "Thôn/bản",
    "Năm",
    "Kinh phí",
    "Kinh độ",
    "Vĩ độ",
    "Đơn vị hỗ trợ",
    "Tình trạng",
]
TITLES = [
    "Cầu treo",
    "Nhà văn hóa thôn",
    "Lò đốt rác mini",
    "Đường bê tông",
    "Trạm biến áp",
    "Nhà đại đoàn kết",
    "Lớp tập huấn",
    "Chợ",
    "Điểm trường",
    "Bể nước sạch",
]
SPONSORS = [
    "Sở Công Thương",
    "Sở Tài chính",
    "Sở Giao thông vận tải",
    "Hội Nông dân tỉnh",
    "Công ty Điện lực Bắc Kạn",
    "Bộ Chỉ huy Quân sự tỉnh",
]


def unaccented(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.replace("đ", "d").replace("Đ", "D")


def spell(name: str, rng: random.Random) -> str:
    bare = name.split(" ", 1)[1] if name.startswith(("Xã ", "Phường ")) else name
    bare = bare.replace("Thị trấn ", "")
    forms = [
        name,
        bare,
        bare.upper(),
        unicodedata.normalize("NFD", bare),
        unaccented(bare),
        bare.replace("oà", "òa").replace("uỷ", "ủy"),
    ]
    return rng.choice(forms)


def make_rows(store_path: Path, n: int, seed: int = 1) -> list[list[object]]:
    from geodata.store import GeoPackageStore

    rng = random.Random(seed)
    communes = GeoPackageStore(store_path).read("communes_2019")
    points = {r.code: r.geometry.representative_point() for r in communes.itertuples()}
    rows = []
    for i in range(1, n + 1):
        c = communes.iloc[rng.randrange(len(communes))]
        year = rng.choice(["2016", "2017", "2018", "2019", "2016-2018", "2017 - 2019"])
        cost = rng.choice(["", "81.000.000", "81 triệu", "1,2 tỷ", "350000000", "gần 50 triệu"])
        lon = lat = ""
        if rng.random() < 0.33:
            p = points[c.code]
            lon, lat = round(p.x, 6), round(p.y, 6)
        rows.append(
            [
                i,
                f"{rng.choice(TITLES)} số {i}",
                c.district_name,
                spell(c["name"], rng),
                f"Bản {rng.randrange(1, 30)}",
                year,
                cost,
                lon,
                lat,
                rng.choice(SPONSORS),
                rng.choice(["Hoàn thành", "Đang thi công", ""]),
            ]
        )
    return rows


def write_files(store: Path, n: int, folder: Path) -> tuple[Path, Path]:
    """The generated rows as a .csv and an .xlsx (a title row above the header)."""
    import csv

    from openpyxl import Workbook

    rows = make_rows(store, n)
    csv_path = folder / "projects.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    xlsx_path = folder / "projects.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["BÁO CÁO CÔNG TRÌNH HỖ TRỢ XÂY DỰNG NÔNG THÔN MỚI"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(xlsx_path)
    return csv_path, xlsx_path


def _store_copy(source: Path | None, tmp: Path) -> Path:
    store = tmp / "bench.gpkg"
    if source:
        shutil.copyfile(source, store)
    else:
        from geodata.build import build_store
        from geodata.settings import Settings

        build_store(Settings.from_env().with_store(store))
    return store


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--store", type=Path, help="an existing store (copied, never modified)")
    args = parser.parse_args()

    from geodata.imports import ImportContext, check_file, import_report
    from geodata.store import GeoPackageStore

    with tempfile.TemporaryDirectory() as tmp:
        store = _store_copy(args.store, Path(tmp))
        csv_path, xlsx_path = write_files(store, args.rows, Path(tmp))
        t_ctx, ctx = _timed(ImportContext.from_store, GeoPackageStore(store))
        results = {
            p.suffix: _timed(check_file, p, "projects", ctx=ctx) for p in (csv_path, xlsx_path)
        }
        report = results[".xlsx"][1]
        write = {"file": xlsx_path, "skip_invalid": True}
        t_write, applied = _timed(import_report, report, store, **write)
        t_again, _ = _timed(import_report, report, store, **write)

        n = args.rows
        print(f"rows: {n}; reference data loaded in {t_ctx:.2f} s")
        for suffix, (seconds, rep) in results.items():
            rate = n / seconds
            print(
                f"read + resolve + validate {suffix:5s}: {seconds:6.2f} s  = {rate:8.0f} rows/s  "
                f"{rep.counts()}"
            )
        print(
            f"write import into the store: {t_write:6.2f} s  = {n / t_write:8.0f} rows/s  "
            f"(+{applied.added}, placed and surveyed points)"
        )
        print(f"re-import (no change)      : {t_again:6.2f} s")
        total = results[".xlsx"][0] + t_write
        print(f"end to end .xlsx (read, resolve, validate, write): {n / total:.0f} rows/s")


if __name__ == "__main__":
    main()
