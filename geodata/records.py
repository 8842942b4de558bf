"""The programme records of a bundle as arrays keyed to one vintage's communes.

Every filter change asks the same few tables the same questions: which rows fall in the chosen
districts, years, sponsors and kinds, and how many of them each commune has. A pandas
operation costs ~0.1 ms whatever the size of the table, and these tables have tens to
thousands of rows, so the time went to the number of operations, not to the data. :func:`of`
does once per bundle and vintage what does not depend on the filters — each row's commune
(its position in the vintage's commune table), numeric years, integer codes of names and
kinds, the criteria each project serves — and keeps it in the bundle
(:meth:`geodata.bundle.Bundle.derived`); a set of filters is then a few numpy operations over
whole columns (:mod:`geodata.coverage`), and counts per commune are ``np.bincount``.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from geodata.bundle import Bundle
>>> communes = gpd.GeoDataFrame(
...     {"code": ["00001", "00002"], "name": ["Xã A", "Xã B"]},
...     geometry=[box(105.0, 22.0, 105.1, 22.1), box(105.1, 22.0, 105.2, 22.1)],
...     crs="EPSG:4326")
>>> projects = pd.DataFrame({"code_2019": ["00002", "00002", None], "kind": ["road"] * 3,
...     "year_start": [2019, None, 2020], "ntm_criterion": ["2; 17", None, "2"]})
>>> r = of(Bundle.from_tables({"communes_2019": communes, "projects": projects}), 2019)
>>> r.projects.position.tolist(), criteria_match(r.projects, [17]).tolist()
([1, 1, -1], [True, False, False])
>>> count_by(r.projects.position, r.projects.position >= 0, r.n).tolist()
[0, 2]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geodata.bundle import Bundle
from geodata.vocabulary import CommuneStatusKind, ProjectStatus, check_vintage


@dataclass(frozen=True)
class Coded:
    """A column as integer codes into its distinct values (``-1``: missing), so that "is one of
    these" is an integer ``np.isin`` and "per value" an ``np.bincount``."""

    codes: np.ndarray
    values: pd.Index

    @classmethod
    def of(cls, column: Iterable) -> Coded:
        codes, uniques = pd.factorize(pd.Series(column, dtype=object))
        return cls(codes, pd.Index(uniques, dtype=object))

    def isin(self, wanted: Iterable) -> np.ndarray:
        """Rows whose value is one of ``wanted`` (never a missing one)."""
        found = self.values.get_indexer(list(wanted))
        return np.isin(self.codes, found[found >= 0])

    def value(self, code: int) -> object:
        return self.values[code]


@dataclass(frozen=True)
class Rows:
    """One programme table's rows (in table order) keyed to the vintage's communes.

    ``position``: the row's commune in the vintage's commune table (``-1``: none there);
    ``start``/``end``: its years as floats, each missing one taken from the other (NaN: undated),
    as the year filters read them; ``start_as_written``/``end_as_written``: the years as the
    table gives them (NaN when not given); ``source``: codes into :attr:`Records.sources`.
    """

    position: np.ndarray
    start: np.ndarray
    end: np.ndarray
    source: np.ndarray
    start_as_written: np.ndarray
    end_as_written: np.ndarray


@dataclass(frozen=True)
class AssignmentRows(Rows):
    sponsor: Coded  # sponsor_name
    kind: Coded  # sponsor_kind


@dataclass(frozen=True)
class ProjectRows(Rows):
    agency: Coded  # the resolved agency (the sponsor filters read it)
    agency_kind: Coded  # the agency's kind
    kind: Coded
    status: Coded  # "unknown" where none is recorded
    criteria: np.ndarray  # bool, one column per criterion number (see criteria_match)
    cost: np.ndarray  # float, NaN when unknown


@dataclass(frozen=True)
class StatusRows(Rows):
    ntm: np.ndarray  # bool: an NTM recognition


@dataclass(frozen=True)
class Records:
    """Assignments, projects and status records of a bundle keyed to one vintage's communes."""

    vintage: int
    codes: np.ndarray  # the vintage's commune codes, in store order
    names: np.ndarray
    districts: tuple[np.ndarray, Coded]  # (commune position, 2015–2025 district code) pairs
    sources: pd.Index
    assignments: AssignmentRows
    projects: ProjectRows
    status: StatusRows

    @property
    def n(self) -> int:
        return len(self.codes)


def of(bundle: Bundle, vintage: int) -> Records:
    """The bundle's records keyed to ``vintage`` (computed once per bundle and vintage)."""
    vintage = check_vintage(vintage)
    return bundle.derived(("records", vintage), lambda: _build(bundle, vintage))


def _build(bundle: Bundle, vintage: int) -> Records:
    communes = bundle.communes(vintage)
    codes = communes["code"].to_numpy()
    where = pd.Index(codes)
    col = f"code_{vintage}"
    asg, prj, sta = bundle.assignments, bundle.projects, bundle.status
    source, sources = pd.factorize(
        pd.concat([_col(t, "source_url") for t in (asg, prj, sta)], ignore_index=True)
    )
    cut = np.cumsum([len(asg), len(prj)])
    a_src, p_src, s_src = np.split(source, cut)
    return Records(
        vintage=vintage,
        codes=codes,
        names=communes["name"].to_numpy(),
        districts=_district_pairs(bundle, communes, where, col),
        sources=pd.Index(sources),
        assignments=_assignments(asg, where, col, a_src),
        projects=_projects(bundle, prj, where, col, p_src),
        status=_status(sta, where, col, s_src),
    )


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an empty one (all missing) when a table made by hand lacks it."""
    return df[name] if name in df else pd.Series(None, index=df.index, dtype=object)


def _position(where: pd.Index, codes: pd.Series) -> np.ndarray:
    return where.get_indexer(codes) if len(codes) else np.zeros(0, dtype=np.intp)


def _years(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()


def _filled(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each missing year taken from the other end of the period."""
    return np.where(np.isnan(start), end, start), np.where(np.isnan(end), start, end)


def _district_pairs(
    bundle: Bundle, communes: pd.DataFrame, where: pd.Index, col: str
) -> tuple[np.ndarray, Coded]:
    """Which 2015–2025 districts each unit lies in: its own ``district_code``, or for the 2025
    units (and any vintage without one) the districts of its 2019 parts (crosswalk)."""
    own = communes["district_code"] if "district_code" in communes else None
    if own is None or own.isna().all() or col == "code_2025":
        cw = bundle.crosswalk
        pos = _position(where, cw[col])
        keep = pos >= 0
        return pos[keep], Coded.of(cw["district_code"].to_numpy()[keep])
    return np.arange(len(communes)), Coded.of(own.to_numpy())


def _dated(
    df: pd.DataFrame, where: pd.Index, col: str, source: np.ndarray, start: str, end: str
) -> dict[str, np.ndarray]:
    """The :class:`Rows` fields of a table whose period runs from column ``start`` to ``end``,
    and its years as written (``start_as_written``, ``end_as_written``)."""
    first, last = _years(_col(df, start)), _years(_col(df, end))
    filled_start, filled_end = _filled(first, last)
    return {
        "position": _position(where, _col(df, col)),
        "start": filled_start,
        "end": filled_end,
        "source": source,
        "start_as_written": first,
        "end_as_written": last,
    }


def _assignments(df: pd.DataFrame, where: pd.Index, col: str, source: np.ndarray):
    return AssignmentRows(
        **_dated(df, where, col, source, "period_start_year", "period_end_year"),
        sponsor=Coded.of(_col(df, "sponsor_name")),
        kind=Coded.of(_col(df, "sponsor_kind")),
    )


def _projects(bundle: Bundle, df: pd.DataFrame, where: pd.Index, col: str, source: np.ndarray):
    ag = bundle.agencies
    kind_of = dict(zip(ag["name"], ag["kind"], strict=True))
    status = _col(df, "status")
    return ProjectRows(
        **_dated(df, where, col, source, "year_start", "year_end"),
        agency=Coded.of(_col(df, "agency")),
        agency_kind=Coded.of(_col(df, "agency").map(kind_of)),
        kind=Coded.of(_col(df, "kind")),
        status=Coded.of(status.where(status.notna(), ProjectStatus.UNKNOWN.value)),
        criteria=_criteria(_col(df, "ntm_criterion")),
        cost=_years(_col(df, "cost_vnd")),
    )


#: Criterion numbers a project's text may name: 1–19 (2016–2020), a few more in later sets;
#: a larger number is not a criterion (a year typed in the wrong column) and matches none.
MAX_CRITERION = 99


def _criteria(text: pd.Series) -> np.ndarray:
    """One boolean column per criterion number (0 unused): the numbers a project's text names
    ("2; 17", "2, 17")."""
    out = np.zeros((len(text), MAX_CRITERION + 1), dtype=bool)
    for i, value in enumerate(text):
        out[i, sorted(_numbers(value))] = True
    return out


def criteria_match(rows: ProjectRows, wanted: Iterable[int]) -> np.ndarray:
    """Projects that serve any of the ``wanted`` criterion numbers."""
    columns = [c for c in wanted if 0 < c <= MAX_CRITERION]
    return rows.criteria[:, columns].any(axis=1)


def _numbers(value: object) -> set[int]:
    if not isinstance(value, str):
        return set()
    parts = (p.strip() for p in value.replace(",", ";").split(";"))
    return {n for n in (int(p) for p in parts if p.isdigit()) if n <= MAX_CRITERION}


def _status(df: pd.DataFrame, where: pd.Index, col: str, source: np.ndarray) -> StatusRows:
    return StatusRows(
        **_dated(df, where, col, source, "year", "year"),
        ntm=(_col(df, "status_kind") == CommuneStatusKind.NTM_ACHIEVED).to_numpy(dtype=bool),
    )


# ------------------------------------------------------------------------------- answers
def overlaps(
    rows: Rows, year_from: int | None, year_to: int | None, include_undated: bool
) -> np.ndarray:
    """Rows whose [start, end] overlaps the year range; undated rows count when
    ``include_undated`` (and always when no year is chosen)."""
    keep = np.ones(len(rows.start), dtype=bool)
    if year_from is not None:
        keep &= rows.end >= year_from
    if year_to is not None:
        keep &= rows.start <= year_to
    if (year_from is not None or year_to is not None) and include_undated:
        keep |= np.isnan(rows.start)
    return keep


def in_communes(rows: Rows, communes: np.ndarray) -> np.ndarray:
    """Rows of a commune whose entry in the boolean ``communes`` (one per commune) is True."""
    return np.append(communes, False)[rows.position]


def count_by(position: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """How many kept rows each of ``n`` communes (or groups) has."""
    return np.bincount(position[keep], minlength=n)


def distinct_by(position: np.ndarray, codes: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """How many distinct codes (``-1``: missing, not counted) the kept rows of each of ``n``
    communes (or groups) have."""
    keep = keep & (codes >= 0) & (position >= 0)
    width = int(codes.max()) + 1 if len(codes) else 1
    pairs = np.unique(position[keep].astype(np.int64) * width + codes[keep])
    return np.bincount(pairs // width, minlength=n)


def sum_by(position: np.ndarray, values: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """Sum of the known (non-NaN) values of each of ``n`` communes' kept rows; NaN where none
    is known."""
    known = keep & ~np.isnan(values)
    total = np.bincount(position[known], weights=values[known], minlength=n)
    return np.where(count_by(position, known, n) > 0, total, np.nan)
