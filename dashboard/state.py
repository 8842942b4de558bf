"""The view state: control values ⇄ URL query string ⇄ :class:`geodata.coverage.Filters`.

Pure functions, so that the callbacks stay thin and the round trip is unit-tested.

Examples
--------
>>> state = default_state((2015, 2024))
>>> encode(state, (2015, 2024))
''
>>> s = {**state, "v": 2025, "d": ["064"], "s": ["Sở Công Thương tỉnh Bắc Kạn"], "sel": "02026"}
>>> q = encode(s, (2015, 2024))
>>> q
'?v=2025&d=064&s=S%E1%BB%9F+C%C3%B4ng+Th%C6%B0%C6%A1ng+t%E1%BB%89nh+B%E1%BA%AFc+K%E1%BA%A1n&sel=02026'
>>> decode(q, (2015, 2024)) == s
True
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from geodata.coverage import Filters
from geodata.vocabulary import DEFAULT_LANG, DEFAULT_VINTAGE, LANGS, VINTAGES, ProjectStatus
from layers import figures, styles

LIST_KEYS = ("layers", "d", "s", "sk", "pk", "c", "st", "u", "dif")
UNDATED_ON = "on"
DIFFICULT_ON = "on"


def default_state(years: tuple[int, int]) -> dict[str, Any]:
    """Control values of a fresh page."""
    return {
        "lang": DEFAULT_LANG.value,
        "v": DEFAULT_VINTAGE,
        "m": styles.DEFAULT_MEASURE,
        "layers": [k for k, on in figures.default_visibility().items() if on],
        "d": [],
        "s": [],
        "sk": [],
        "pk": [],
        "c": [],
        "y": [years[0], years[1]],
        "u": [UNDATED_ON],
        "st": [],
        "dif": [],
        "sel": None,
    }


def encode(state: dict[str, Any], years: tuple[int, int]) -> str:
    """Query string ('?...') of the values that differ from the defaults ('' if none)."""
    default = default_state(years)
    pairs: list[tuple[str, str]] = []
    for key, value in state.items():
        if key not in default or _norm(key, value, years) == _norm(key, default[key], years):
            continue
        if key == "y":
            pairs.append(("y", f"{int(value[0])}-{int(value[1])}"))
        elif key in LIST_KEYS:
            vals = list(value or [])
            pairs.extend((key, str(v)) for v in vals) if vals else pairs.append((key, ""))
        elif value is not None:
            pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else ""


def decode(search: str | None, years: tuple[int, int]) -> dict[str, Any]:
    """Control values from a query string; unknown or invalid values fall back to defaults."""
    state = default_state(years)
    params = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    for key, values in params.items():
        if key not in state:
            continue
        try:
            if key == "lang" and values[0] in LANGS:
                state[key] = values[0]
            elif key == "v" and int(values[0]) in VINTAGES:
                state[key] = int(values[0])
            elif key == "m" and values[0] in styles.MEASURES:
                state[key] = values[0]
            elif key == "y":
                lo, hi = (int(x) for x in values[0].split("-", 1))
                lo, hi = max(min(lo, hi), years[0]), min(max(lo, hi), years[1])
                state[key] = [lo, hi]
            elif key == "c":
                state[key] = [int(v) for v in values if v]
            elif key == "st":  # old links say "ongoing" for "in_progress"
                found = (ProjectStatus.parse(v) for v in values if v)
                state[key] = list(dict.fromkeys(s.value for s in found if s))
            elif key in LIST_KEYS:
                state[key] = [v for v in values if v]
            elif key == "sel":
                state[key] = values[0] or None
        except (ValueError, IndexError):
            continue
    return state


def _norm(key: str, value: Any, years: tuple[int, int]) -> Any:
    if key in LIST_KEYS:
        return sorted(str(v) for v in (value or []))
    if key == "y":
        return [int(value[0]), int(value[1])] if value else list(years)
    return value


def filters_from_values(
    *,
    districts=None,
    sponsors=None,
    sponsor_kinds=None,
    project_kinds=None,
    criteria=None,
    years=None,
    undated=None,
    statuses=None,
    difficult=None,
    year_bounds=(2015, 2025),
) -> Filters:
    """:class:`Filters` from the raw control values (``None`` = untouched control).

    A year range equal to the full slider range means "no year restriction".
    """
    y0, y1 = (years or [None, None])[:2] if years else (None, None)
    if years and int(years[0]) <= year_bounds[0] and int(years[1]) >= year_bounds[1]:
        y0 = y1 = None
    return Filters(
        districts=tuple(districts or ()),
        sponsors=tuple(sponsors or ()),
        sponsor_kinds=tuple(sponsor_kinds or ()),
        project_kinds=tuple(project_kinds or ()),
        criteria=tuple(int(c) for c in (criteria or ())),
        year_from=None if y0 is None else int(y0),
        year_to=None if y1 is None else int(y1),
        include_undated=UNDATED_ON in (undated if undated is not None else [UNDATED_ON]),
        statuses=tuple(statuses or ()),
        difficult_only=DIFFICULT_ON in (difficult or ()),
    )
