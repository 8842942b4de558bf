"""Coverage analysis: who helps which commune, filtered, measured and re-aggregated.

Pure functions on a :class:`~geodata.bundle.Bundle`; every one returns new objects and none
draws anything. The dashboard's callbacks and the exports call the same functions, so the map on
screen, the PNG and the tables agree.

Filters work at two levels:

* commune filters (``districts``, ``difficult_only``) decide which communes are *in view*;
* record filters (``sponsors``, ``sponsor_kinds``, ``project_kinds``, ``criteria``, years,
  ``statuses``) decide which assignments and projects count.

Records are re-aggregated to the chosen boundary vintage through their ``code_<vintage>``
column (the crosswalk was applied when the store was built).

The data is incomplete: a commune without an assignment is "no sponsor recorded", never "no
sponsor". :func:`completeness` says how many records, from how many sources and for which years
stand behind every figure; show it wherever you show a count.

Examples
--------
>>> f = Filters(districts=("064",), year_from=2019, year_to=2020)
>>> f.is_default
False
>>> Filters().is_default
True
>>> Filters.from_dict(f.to_dict()) == f
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from geodata import programme
from geodata.bundle import Bundle
from geodata.vocabulary import (
    VINTAGES,
    CommuneStatusKind,
    ProjectKind,
    ProjectStatus,
    check_vintage,
)

#: The 19 criteria of the 2016–2020 national set (Decision 1980/QĐ-TTg).
CRITERIA = tuple(range(1, 20))


@dataclass(frozen=True)
class Filters:
    """What the reader selected. Empty tuples and ``None`` mean "no restriction".

    Attributes
    ----------
    districts : tuple of str
        District GSO codes (3 digits, the 2015–2025 districts).
    sponsors : tuple of str
        Agency names as in the ``agencies`` table (an assignment's ``sponsor_name``, a
        project's ``agency``).
    sponsor_kinds : tuple of str
        :class:`~geodata.vocabulary.SponsorKind` values.
    project_kinds : tuple of str
        :class:`~geodata.vocabulary.ProjectKind` values (projects only).
    criteria : tuple of int
        NTM criterion numbers 1–19 (projects only; a project counts if it serves any).
    year_from, year_to : int or None
        Inclusive year range; a record counts if its period overlaps it.
    include_undated : bool
        Whether records with no year at all count when a year range is set.
    statuses : tuple of str
        Project statuses (:class:`~geodata.vocabulary.ProjectStatus`); ``unknown`` selects
        projects without one.
    difficult_only : bool
        Keep only difficult communes: the official class of the period of the chosen years
        (Programme 135 extremely difficult for 2016–2020, region III for 2021–2025).
    """

    districts: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    sponsor_kinds: tuple[str, ...] = ()
    project_kinds: tuple[str, ...] = ()
    criteria: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    include_undated: bool = True
    statuses: tuple[str, ...] = ()
    difficult_only: bool = False

    @property
    def is_default(self) -> bool:
        return self == Filters()

    def to_dict(self) -> dict[str, Any]:
        """Plain values (lists, ints, bools), e.g. for a URL or JSON."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        """Filters from plain values; unknown keys are ignored, ``None`` lists become empty."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in ("year_from", "year_to"):
                kwargs[f.name] = None if value in (None, "") else int(value)
            elif f.name in ("include_undated", "difficult_only"):
                kwargs[f.name] = bool(value)
            elif f.name == "criteria":
                kwargs[f.name] = tuple(int(v) for v in (value or ()))
            else:
                kwargs[f.name] = tuple(str(v) for v in (value or ()))
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Filters:
        return replace(self, **changes)


# ------------------------------------------------------------------------------- helpers
def _code_col(vintage: int) -> str:
    return f"code_{check_vintage(vintage)}"


def _overlaps(start: pd.Series, end: pd.Series, f: Filters) -> pd.Series:
    """Rows whose [start, end] overlaps the filter's year range (undated per the filter)."""
    start = pd.to_numeric(start, errors="coerce")
    end = pd.to_numeric(end, errors="coerce")
    start = start.fillna(end)
    end = end.fillna(start)
    undated = start.isna()
    keep = pd.Series(True, index=start.index)
    if f.year_from is not None:
        keep &= end >= f.year_from
    if f.year_to is not None:
        keep &= start <= f.year_to
    keep = keep.fillna(False).astype(bool)
    if f.year_from is not None or f.year_to is not None:
        keep |= undated & f.include_undated
    return keep


def _criteria_sets(text: pd.Series) -> pd.Series:
    def parse(value: object) -> frozenset[int]:
        if not isinstance(value, str):
            return frozenset()
        out = set()
        for part in value.replace(",", ";").split(";"):
            part = part.strip()
            if part.isdigit():
                out.add(int(part))
        return frozenset(out)

    return text.map(parse)


def difficult_codes(bundle: Bundle, vintage: int, filters: Filters | None = None) -> frozenset[str]:
    """Codes of the vintage's units that hold a commune of the official difficult class of the
    period the filters' years fall in (:func:`geodata.programme.period_of`): Programme 135
    extremely difficult for 2016–2020, region III (861/QĐ-TTg) for 2021–2025. A merged unit is
    difficult when any of its parts is.
    """
    f = filters or Filters()
    period = programme.period_of(vintage, f.year_from, f.year_to)
    return programme.difficult_units(bundle, period, vintage)


def communes_in_view(bundle: Bundle, vintage: int, filters: Filters) -> pd.Series:
    """Boolean Series (index = commune code) of the vintage's communes that the commune filters
    keep. A 2025 unit is in a district when any of its 2019 parts was."""
    vintage = check_vintage(vintage)
    communes = bundle.communes(vintage)
    codes = communes["code"]
    keep = pd.Series(True, index=codes.to_numpy())
    if filters.districts:
        if vintage == 2025 or communes["district_code"].isna().all():
            cw = bundle.crosswalk
            parts = cw.loc[cw["district_code"].isin(filters.districts), _code_col(vintage)]
            keep &= keep.index.isin(set(parts))
        else:
            keep &= communes["district_code"].isin(filters.districts).to_numpy()
    if filters.difficult_only:
        keep &= keep.index.isin(difficult_codes(bundle, vintage, filters))
    return keep


def _agency_kinds(bundle: Bundle) -> dict[str, str]:
    ag = bundle.agencies
    return dict(zip(ag["name"], ag["kind"], strict=True))


# ------------------------------------------------------------------------------- filters
def filter_assignments(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Assignments (sponsor → commune) that pass every filter, for communes in view.

    Project filters (kind, criterion, status) do not apply to assignments.
    """
    df = bundle.assignments
    code = _code_col(vintage)
    keep = df[code].isin(_in_view_codes(bundle, vintage, filters))
    if filters.sponsors:
        keep &= df["sponsor_name"].isin(filters.sponsors)
    if filters.sponsor_kinds:
        keep &= df["sponsor_kind"].isin(filters.sponsor_kinds)
    keep &= _overlaps(df["period_start_year"], df["period_end_year"], filters)
    return df.loc[keep.to_numpy()].copy()


def filter_projects(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Projects that pass every filter, for communes in view.

    The sponsor filters match the project's resolved ``agency`` (its free-text
    ``sponsor_name`` often names several bodies); projects with no resolved agency drop out
    as soon as a sponsor or sponsor kind is chosen.
    """
    df = bundle.projects
    code = _code_col(vintage)
    keep = df[code].isin(_in_view_codes(bundle, vintage, filters))
    if filters.sponsors:
        keep &= df["agency"].isin(filters.sponsors)
    if filters.sponsor_kinds:
        kinds = df["agency"].map(_agency_kinds(bundle))
        keep &= kinds.isin(filters.sponsor_kinds)
    if filters.project_kinds:
        keep &= df["kind"].isin(filters.project_kinds)
    if filters.criteria:
        wanted = frozenset(filters.criteria)
        keep &= _criteria_sets(df["ntm_criterion"]).map(lambda s: bool(s & wanted))
    if filters.statuses:
        status = df["status"].where(df["status"].notna(), ProjectStatus.UNKNOWN)
        keep &= status.isin(filters.statuses)
    keep &= _overlaps(df["year_start"], df["year_end"], filters)
    return df.loc[keep.fillna(False).astype(bool).to_numpy()].copy()


def filter_status(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Commune status records of communes in view (year filters apply; undated kept)."""
    df = bundle.status
    keep = df[_code_col(vintage)].isin(_in_view_codes(bundle, vintage, filters))
    keep &= _overlaps(df["year"], df["year"], filters.replace(include_undated=True))
    return df.loc[keep.to_numpy()].copy()


def _in_view_codes(bundle: Bundle, vintage: int, filters: Filters) -> set[str]:
    view = communes_in_view(bundle, vintage, filters)
    return set(view.index[view.to_numpy()])


# ------------------------------------------------------------------------------- measures
#: Columns of :func:`commune_measures`.
MEASURE_COLUMNS = (
    "code",
    "name",
    "kind",
    "district_code",
    "district_name",
    "area_km2",
    "in_view",
    "difficult",
    "n_sponsors",
    "sponsors",
    "n_assignments",
    "n_projects",
    "support_vnd",
    "n_costed",
    "ntm_year",
    "coverage",
    "n_sources",
)


def commune_measures(bundle: Bundle, vintage: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per commune of the vintage (all of them, in store order) with every measure.

    Columns: ``code``, ``name``, ``kind``, ``district_code``, ``district_name``, ``area_km2``;
    ``in_view`` (the commune filters keep it); ``difficult``; ``n_sponsors`` (distinct
    sponsors of the filtered assignments) and ``sponsors`` ("; "-joined names);
    ``n_assignments``; ``n_projects``; ``support_vnd`` (sum of the filtered projects' known
    costs, NaN when none is known) and ``n_costed`` (how many projects have a cost);
    ``ntm_year`` (earliest NTM recognition among the unit's parts, ``<NA>`` if none recorded);
    ``coverage`` (``sponsored``: a sponsor recorded, ``difficult_none``: a difficult commune
    with none recorded, ``none``: none recorded); ``n_sources`` (distinct source URLs behind
    the row).

    Communes out of view keep their row with zero counts, so the map can grey them out.
    """
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    code = _code_col(vintage)
    communes = bundle.communes(vintage)
    out = pd.DataFrame(
        {
            c: communes[c].to_numpy() if c in communes else None
            for c in ("code", "name", "kind", "district_code", "district_name", "area_km2")
        }
    )
    index = pd.Index(out["code"])
    view = communes_in_view(bundle, vintage, filters)
    out["in_view"] = view.reindex(index).fillna(False).to_numpy(dtype=bool)
    out["difficult"] = index.isin(difficult_codes(bundle, vintage, filters))

    asg = filter_assignments(bundle, vintage, filters)
    prj = filter_projects(bundle, vintage, filters)
    sta = filter_status(bundle, vintage, filters)

    by = asg.groupby(code)
    out["n_sponsors"] = by["sponsor_name"].nunique().reindex(index).fillna(0).astype(int).to_numpy()
    names = by["sponsor_name"].agg(lambda s: "; ".join(sorted(set(s))))
    out["sponsors"] = names.reindex(index).fillna("").to_numpy()
    out["n_assignments"] = by.size().reindex(index).fillna(0).astype(int).to_numpy()

    pby = prj.groupby(code)
    out["n_projects"] = pby.size().reindex(index).fillna(0).astype(int).to_numpy()
    cost = pd.to_numeric(prj["cost_vnd"], errors="coerce")
    support = cost.groupby(prj[code]).sum(min_count=1)
    out["support_vnd"] = support.reindex(index).astype(float).to_numpy()
    out["n_costed"] = (
        cost.notna().groupby(prj[code]).sum().reindex(index).fillna(0).astype(int).to_numpy()
    )

    ntm = sta.loc[sta["status_kind"] == CommuneStatusKind.NTM_ACHIEVED]
    years = pd.to_numeric(ntm["year"], errors="coerce").groupby(ntm[code]).min()
    out["ntm_year"] = pd.array(years.reindex(index).to_numpy(), dtype="Int64")

    cov = np.where(
        out["n_sponsors"] > 0, "sponsored", np.where(out["difficult"], "difficult_none", "none")
    )
    out["coverage"] = cov
    sources = pd.concat(
        [asg[[code, "source_url"]], prj[[code, "source_url"]], sta[[code, "source_url"]]]
    ).dropna()
    out["n_sources"] = (
        sources.groupby(code)["source_url"]
        .nunique()
        .reindex(index)
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    # Out-of-view communes count nothing.
    for col in ("n_sponsors", "n_assignments", "n_projects", "n_costed", "n_sources"):
        out.loc[~out["in_view"], col] = 0
    out.loc[~out["in_view"], "sponsors"] = ""
    out.loc[~out["in_view"], "support_vnd"] = np.nan
    return out[list(MEASURE_COLUMNS)]


def gap_table(
    bundle: Bundle,
    vintage: int,
    filters: Filters | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Communes in view with no sponsor recorded for the filters (period, sponsor...), difficult
    ones first, then by district and name. ``measures`` may pass the
    :func:`commune_measures` table of the same vintage and filters, to save computing it again.

    Columns: ``code``, ``name``, ``district_name``, ``difficult``, ``n_projects``, ``ntm_year``.
    """
    m = measures if measures is not None else commune_measures(bundle, vintage, filters)
    gaps = m.loc[m["in_view"] & (m["n_sponsors"] == 0)]
    gaps = gaps.sort_values(["difficult", "district_name", "name"], ascending=[False, True, True])
    cols = ["code", "name", "district_name", "difficult", "n_projects", "ntm_year"]
    return gaps[cols].reset_index(drop=True)


def sponsor_load(bundle: Bundle, vintage: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per agency: how many communes of the vintage it sponsors under the filters.

    Columns: ``sponsor``, ``kind``, ``n_communes``, ``communes`` ("; "-joined names at the
    vintage), ``n_assignments``, ``periods`` (e.g. "2019–2020; undated"), ``n_projects``,
    ``support_vnd``, ``load`` ("none", "one", "several"). Sorted by load, most first.
    Agencies with no commune recorded are kept (the planners' "sponsors with no commune").
    """
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    code = _code_col(vintage)
    agencies = bundle.agencies
    if filters.sponsors:
        agencies = agencies.loc[agencies["name"].isin(filters.sponsors)]
    if filters.sponsor_kinds:
        agencies = agencies.loc[agencies["kind"].isin(filters.sponsor_kinds)]
    asg = filter_assignments(bundle, vintage, filters)
    prj = pd.DataFrame(
        filter_projects(bundle, vintage, filters).drop(columns="geometry", errors="ignore")
    )
    communes = bundle.communes(vintage)
    names = dict(zip(communes["code"], communes["name"], strict=True))

    a_by = asg.groupby("sponsor_name")
    codes = a_by[code].agg(lambda s: sorted(set(s.dropna())))
    periods = a_by[["period_start_year", "period_end_year"]].apply(_periods)
    n_asg = a_by.size()
    p_by = prj.groupby("agency")
    n_prj = p_by.size()
    cost = (
        pd.to_numeric(prj["cost_vnd"], errors="coerce")
        .astype(float)
        .groupby(prj["agency"])
        .sum(min_count=1)
    )

    rows = []
    for name, kind in zip(agencies["name"], agencies["kind"], strict=True):
        mine = codes.get(name, [])
        n = len(mine)
        rows.append(
            {
                "sponsor": name,
                "kind": kind,
                "n_communes": n,
                "communes": "; ".join(names.get(c, c) for c in mine),
                "n_assignments": int(n_asg.get(name, 0)),
                "periods": periods.get(name, ""),
                "n_projects": int(n_prj.get(name, 0)),
                "support_vnd": float(cost.get(name, np.nan)),
                "load": "none" if n == 0 else ("one" if n == 1 else "several"),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "sponsor",
            "kind",
            "n_communes",
            "communes",
            "n_assignments",
            "periods",
            "n_projects",
            "support_vnd",
            "load",
        ],
    )
    return out.sort_values(["n_communes", "sponsor"], ascending=[False, True]).reset_index(
        drop=True
    )


def _periods(assignments: pd.DataFrame) -> str:
    parts = []
    for start, end in zip(
        assignments["period_start_year"], assignments["period_end_year"], strict=True
    ):
        if pd.isna(start) and pd.isna(end):
            parts.append("?")
        else:
            s = int(start) if pd.notna(start) else int(end)
            e = int(end) if pd.notna(end) else s
            parts.append(str(s) if s == e else f"{s}–{e}")
    return "; ".join(dict.fromkeys(parts))


# ------------------------------------------------------------------------------- overview
def completeness(
    assignments: pd.DataFrame, projects: pd.DataFrame, status: pd.DataFrame | None = None
) -> dict[str, Any]:
    """How much data stands behind a figure.

    Returns ``n_assignments``, ``n_projects``, ``n_status``, ``n_sources`` (distinct source
    URLs), ``year_min``/``year_max`` (over dated records), ``n_undated`` (records with no year).
    """
    status = status if status is not None else pd.DataFrame(columns=["year", "source_url"])
    starts = pd.concat(
        [
            pd.to_numeric(assignments["period_start_year"], errors="coerce").fillna(
                pd.to_numeric(assignments["period_end_year"], errors="coerce")
            ),
            pd.to_numeric(projects["year_start"], errors="coerce"),
            pd.to_numeric(status["year"], errors="coerce"),
        ]
    )
    ends = pd.concat(
        [
            pd.to_numeric(assignments["period_end_year"], errors="coerce").fillna(
                pd.to_numeric(assignments["period_start_year"], errors="coerce")
            ),
            pd.to_numeric(projects["year_end"], errors="coerce"),
            pd.to_numeric(status["year"], errors="coerce"),
        ]
    )
    urls = pd.concat([assignments["source_url"], projects["source_url"], status["source_url"]])
    return {
        "n_assignments": len(assignments),
        "n_projects": len(projects),
        "n_status": len(status),
        "n_sources": int(urls.dropna().nunique()),
        "year_min": int(starts.min()) if starts.notna().any() else None,
        "year_max": int(ends.max()) if ends.notna().any() else None,
        "n_undated": int(starts.isna().sum()),
    }


def overview(
    bundle: Bundle,
    vintage: int,
    filters: Filters | None = None,
    measures: pd.DataFrame | None = None,
    load: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The leadership cards and charts, as plain numbers.

    Returns
    -------
    dict
        ``vintage``; ``n_communes`` (in view) and ``n_sponsored``; ``n_difficult`` and
        ``n_difficult_sponsored``; ``support_vnd`` (sum of known costs) with ``n_costed`` of
        ``n_projects``; ``projects_by_kind`` {kind: n} in ``ProjectKind`` order;
        ``by_sponsor`` (DataFrame ``sponsor``, ``n_communes``, ``n_projects``); ``by_year``
        (DataFrame ``year``, ``n_assignments``, ``n_projects``, by start year);
        ``completeness`` (see :func:`completeness`); ``n_aggregate`` (province-wide rows that
        name no commune and are never on the map).

    ``measures`` and ``load`` may pass :func:`commune_measures` and :func:`sponsor_load` of the
    same vintage and filters, to save computing them again.
    """
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    m = measures if measures is not None else commune_measures(bundle, vintage, filters)
    view = m.loc[m["in_view"]]
    asg = filter_assignments(bundle, vintage, filters)
    prj = filter_projects(bundle, vintage, filters)
    sta = filter_status(bundle, vintage, filters)
    cost = pd.to_numeric(prj["cost_vnd"], errors="coerce")
    kinds = prj["kind"].value_counts()

    spons = load if load is not None else sponsor_load(bundle, vintage, filters)
    spons = spons.loc[(spons["n_communes"] > 0) | (spons["n_projects"] > 0)]
    by_sponsor = spons[["sponsor", "n_communes", "n_projects"]].reset_index(drop=True)

    a_year = pd.to_numeric(asg["period_start_year"], errors="coerce").dropna().astype(int)
    p_year = pd.to_numeric(prj["year_start"], errors="coerce").dropna().astype(int)
    years = sorted(set(a_year) | set(p_year))
    by_year = pd.DataFrame(
        {
            "year": years,
            "n_assignments": [int((a_year == y).sum()) for y in years],
            "n_projects": [int((p_year == y).sum()) for y in years],
        }
    )
    n_agg = len(bundle.tables.get("assignments_aggregate", ())) + len(
        bundle.tables.get("projects_aggregate", ())
    )
    return {
        "vintage": vintage,
        "n_communes": len(view),
        "n_sponsored": int((view["n_sponsors"] > 0).sum()),
        "n_difficult": int(view["difficult"].sum()),
        "n_difficult_sponsored": int((view["difficult"] & (view["n_sponsors"] > 0)).sum()),
        "support_vnd": float(cost.sum()) if cost.notna().any() else 0.0,
        "n_costed": int(cost.notna().sum()),
        "n_projects": len(prj),
        "projects_by_kind": {k: int(kinds.get(k, 0)) for k in ProjectKind if kinds.get(k, 0)},
        "by_sponsor": by_sponsor,
        "by_year": by_year,
        "completeness": completeness(asg, prj, sta),
        "n_aggregate": n_agg,
    }


# ------------------------------------------------------------------------------- details
def commune_details(
    bundle: Bundle, vintage: int, code: str, filters: Filters | None = None
) -> dict[str, Any] | None:
    """Everything the side panel shows about one unit of the vintage, or None if unknown.

    Keys: ``code``, ``name``, ``kind``, ``district_name``, ``area_km2``, ``vintage``;
    ``became`` {2020: name, 2025: name} (what its 2019 parts became) and ``parts_2019`` (names
    of the 2019 units it covers); ``difficult``; ``assignments``, ``projects``, ``status``
    (DataFrames, filtered); ``sources`` (sorted distinct URLs). Filters apply to the records
    but not to the commune itself, so a commune out of view still shows what is recorded.
    """
    vintage = check_vintage(vintage)
    communes = bundle.communes(vintage)
    hit = communes.loc[communes["code"] == code]
    if hit.empty:
        return None
    row = hit.iloc[0]
    col = _code_col(vintage)
    cw = bundle.crosswalk
    parts = cw.loc[cw[col] == code]
    became: dict[int, list[str]] = {}
    for v in VINTAGES:
        if v <= vintage:
            continue
        became[v] = sorted(set(parts[f"name_{v}"].dropna()))
    f = (filters or Filters()).replace(districts=(), difficult_only=False)
    asg = filter_assignments(bundle, vintage, f)
    prj = filter_projects(bundle, vintage, f)
    sta = filter_status(bundle, vintage, f)
    asg, prj, sta = (t.loc[t[col] == code] for t in (asg, prj, sta))
    urls = pd.concat([asg["source_url"], prj["source_url"], sta["source_url"]]).dropna()
    return {
        "code": code,
        "name": row["name"],
        "kind": row.get("kind"),
        "district_name": row.get("district_name"),
        "area_km2": float(row["area_km2"]) if pd.notna(row.get("area_km2")) else None,
        "vintage": vintage,
        "became": became,
        "parts_2019": sorted(set(parts["name_2019"].dropna())),
        "difficult": code in difficult_codes(bundle, vintage, filters),
        "assignments": asg.reset_index(drop=True),
        "projects": prj.reset_index(drop=True),
        "status": sta.reset_index(drop=True),
        "sources": sorted(set(urls)),
    }


def project_details(bundle: Bundle, project_id: str) -> dict[str, Any] | None:
    """One project's row as a dict (no geometry), or None."""
    df = bundle.projects
    hit = df.loc[df["project_id"] == project_id]
    if hit.empty:
        return None
    row = hit.iloc[0].drop(labels=["geometry"], errors="ignore")
    return {k: (None if _isna(v) else v) for k, v in row.items()}


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def sponsor_options(bundle: Bundle) -> list[str]:
    """Agency names that appear as a sponsor of an assignment or the agency of a project first,
    then the others, each group sorted."""
    used = set(bundle.assignments["sponsor_name"].dropna()) | set(
        bundle.projects["agency"].dropna()
    )
    names = list(bundle.agencies["name"].dropna())
    return sorted(n for n in names if n in used) + sorted(n for n in names if n not in used)


def year_bounds(bundle: Bundle) -> tuple[int, int]:
    """Smallest and largest year named by an assignment, project or status record."""
    c = completeness(bundle.assignments, bundle.projects, bundle.status)
    return (c["year_min"] or 2015, c["year_max"] or 2025)
