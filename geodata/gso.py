"""The GSO lists of administrative units (danh mục đơn vị hành chính), as dvhcvn publishes them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

BAC_KAN = "06"

UNIT_COLUMNS = ["code", "name", "kind", "district_code", "district_name", "province_code"]

#: Unit types the GSO lists sometimes write with a capital second word ("Thành Phố Bắc Kạn").
_TYPE_CASE = {"Thành Phố ": "Thành phố ", "Thị Trấn ": "Thị trấn ", "Thị Xã ": "Thị xã "}


def official_case(name: str) -> str:
    """A unit's name with its type written as the official style has it.

    >>> official_case("Thành Phố Bắc Kạn"), official_case("Thị Trấn Bằng Lũng")
    ('Thành phố Bắc Kạn', 'Thị trấn Bằng Lũng')
    >>> official_case("Xã Phố Mới")
    'Xã Phố Mới'
    """
    for wrong, right in _TYPE_CASE.items():
        if name.startswith(wrong):
            return right + name[len(wrong) :]
    return name


def read_units(path: Path, province: str = BAC_KAN) -> pd.DataFrame:
    """Commune-level units of one province from a dvhcvn JSON list.

    Both layouts are accepted: the historical snapshots (a bare list of provinces) and
    ``dvhcvn.json`` (``{"data": [...]}``). ``kind`` is the lower-case unit type
    ("xã", "phường", "thị trấn").
    """
    raw = json.loads(path.read_text(encoding="utf-8"))
    provinces = raw["data"] if isinstance(raw, dict) else raw
    matches = [p for p in provinces if p.get("level1_id") == province]
    if not matches:
        msg = f"{path.name}: no province with level1_id {province!r}"
        raise ValueError(msg)
    rows = []
    for district in matches[0]["level2s"]:
        for unit in district["level3s"]:
            rows.append(
                {
                    "code": unit["level3_id"],
                    "name": official_case(unit["name"]),
                    "kind": unit["type"].lower(),
                    "district_code": district["level2_id"],
                    "district_name": official_case(district["name"]),
                    "province_code": province,
                }
            )
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)
