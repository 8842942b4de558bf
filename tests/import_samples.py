"""Helpers for the import tests: real files written with csv and openpyxl, and store copies."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

from geodata.imports.reader import encode_cp1258

ASSIGNMENT_HEADER = [
    "STT",
    "Cơ quan, đơn vị giúp đỡ",
    "Xã được giúp đỡ",
    "Huyện/Thành phố",
    "Thời gian",
]
PROJECT_HEADER = [
    "STT",
    "Tên công trình",
    "Xã",
    "Huyện",
    "Thôn/bản",
    "Năm",
    "Kinh phí (đồng)",
    "Kinh độ",
    "Vĩ độ",
    "Đơn vị hỗ trợ",
]


def write_csv(
    path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    if encoding == "cp1258":
        path.write_bytes(encode_cp1258(text))
    else:
        path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], merges: list[str] = (), title: str = "Sheet1"
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        first = ws[rng.split(":")[0]].value
        ws.merge_cells(rng)
        ws[rng.split(":")[0]] = first
    wb.save(path)
    return path


def copy_store(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "store.gpkg"
    shutil.copyfile(src, dst)
    return dst


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
