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

What each filter means for each measure is written down in ``docs/filters.md``: a commune
that the commune filters leave out is "outside the filters" (never "no sponsor recorded"); the
sponsor filters split the coverage measure into "helped by the chosen sponsors", "helped by
others" and "none recorded"; project filters make the communes with such a project stand out
(``match``). :func:`describe_filters` says in words what is counted.

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

from geodata import programme, records
from geodata.bundle import Bundle
from geodata.vocabulary import (
    VINTAGES,
    ProjectKind,
    check_vintage,
)

#: Coverage classes of :func:`commune_measures`, in legend order: "sponsored" when no sponsor
#: filter is set; "chosen" (helped by the chosen sponsors) and "others" (helped only by sponsors
#: that were not chosen) when one is; then the two "none recorded" classes.
COVERAGE_CLASSES = ("sponsored", "chosen", "others", "difficult_none", "none")
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

    @property
    def chooses_sponsors(self) -> bool:
        """A sponsor or a sponsor kind is chosen ("who" filters)."""
        return bool(self.sponsors or self.sponsor_kinds)

    @property
    def chooses_projects(self) -> bool:
        """A project kind, criterion or status is chosen ("what" filters, projects only)."""
        return bool(self.project_kinds or self.criteria or self.statuses)

    @property
    def chooses_years(self) -> bool:
        return self.year_from is not None or self.year_to is not None

    @property
    def highlights(self) -> str | None:
        """What the map outlines as "matching": ``"projects"`` (communes with a project that
        passes every filter) when a what filter is set, ``"sponsors"`` (communes helped by the
        chosen sponsors) when only a who filter is set, else None.

        >>> Filters(project_kinds=("bridge",)).highlights, Filters(sponsors=("A",)).highlights
        ('projects', 'sponsors')
        >>> Filters(districts=("064",)).highlights is None
        True
        """
        if self.chooses_projects:
            return "projects"
        if self.chooses_sponsors:
            return "sponsors"
        return None

    def __deepcopy__(self, memo: dict) -> Filters:
        """Itself: filters are immutable (a frozen dataclass of tuples, numbers and flags).

        A measures table carries its filters in ``attrs`` and pandas deep-copies ``attrs``
        into every column or slice taken from it; copying the filters each time was a tenth
        of a filter change's server time."""
        return self


# ------------------------------------------------------------------------------- helpers
def _code_col(vintage: int) -> str:
    return f"code_{check_vintage(vintage)}"


def difficult_codes(bundle: Bundle, vintage: int, filters: Filters | None = None) -> frozenset[str]:
    """Codes of the vintage's units that hold a commune of the official difficult class of the
    period the filters' years fall in (:func:`geodata.programme.period_of`): Programme 135
    extremely difficult for 2016–2020, region III (861/QĐ-TTg) for 2021–2025. A merged unit is
    difficult when any of its parts is. Computed once per bundle, period and vintage.
    """
    f = filters or Filters()
    vintage = check_vintage(vintage)
    period = programme.period_of(vintage, f.year_from, f.year_to)
    return bundle.derived(
        ("difficult", period, vintage),
        lambda: programme.difficult_units(bundle, period, vintage),
    )


def _difficult_mask(bundle: Bundle, vintage: int, filters: Filters) -> np.ndarray:
    """Boolean per commune of the vintage (store order): difficult in the filters' period."""
    period = programme.period_of(vintage, filters.year_from, filters.year_to)
    codes = records.of(bundle, vintage).codes

    def build() -> np.ndarray:
        return pd.Index(codes).isin(difficult_codes(bundle, vintage, filters))

    return bundle.derived(("difficult_mask", period, vintage), build)


def _in_view(bundle: Bundle, vintage: int, filters: Filters) -> np.ndarray:
    """Boolean per commune of the vintage (store order): the commune filters keep it. A 2025
    unit is in a district when any of its 2019 parts was."""
    r = records.of(bundle, vintage)
    keep = np.ones(r.n, dtype=bool)
    if filters.districts:
        position, district = r.districts
        chosen = np.zeros(r.n, dtype=bool)
        chosen[position[district.isin(filters.districts)]] = True
        keep &= chosen
    if filters.difficult_only:
        keep &= _difficult_mask(bundle, vintage, filters)
    return keep


def communes_in_view(bundle: Bundle, vintage: int, filters: Filters) -> pd.Series:
    """Boolean Series (index = commune code) of the vintage's communes that the commune filters
    keep. A 2025 unit is in a district when any of its 2019 parts was."""
    vintage = check_vintage(vintage)
    codes = records.of(bundle, vintage).codes
    return pd.Series(_in_view(bundle, vintage, filters), index=codes)


# ------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class _Selection:
    """Which records one set of filters keeps, as boolean arrays over :mod:`geodata.records`:
    ``in_view`` per commune; ``assignments``, ``projects``, ``status`` per row; ``anyone`` the
    assignments kept when no sponsor is chosen (who helps at all, in the period and place)."""

    records: records.Records
    in_view: np.ndarray
    assignments: np.ndarray
    projects: np.ndarray
    status: np.ndarray
    anyone: np.ndarray


def _select(bundle: Bundle, vintage: int, filters: Filters) -> _Selection:
    r = records.of(bundle, vintage)
    f = filters
    in_view = _in_view(bundle, vintage, f)
    a, p, s = r.assignments, r.projects, r.status
    anyone = records.in_communes(a, in_view) & records.overlaps(
        a, f.year_from, f.year_to, f.include_undated
    )
    asg = anyone.copy()
    if f.sponsors:
        asg &= a.sponsor.isin(f.sponsors)
    if f.sponsor_kinds:
        asg &= a.kind.isin(f.sponsor_kinds)
    prj = records.in_communes(p, in_view) & records.overlaps(
        p, f.year_from, f.year_to, f.include_undated
    )
    if f.sponsors:
        prj &= p.agency.isin(f.sponsors)
    if f.sponsor_kinds:
        prj &= p.agency_kind.isin(f.sponsor_kinds)
    if f.project_kinds:
        prj &= p.kind.isin(f.project_kinds)
    if f.criteria:
        prj &= records.criteria_match(p, f.criteria)
    if f.statuses:
        prj &= p.status.isin(f.statuses)
    sta = records.in_communes(s, in_view) & records.overlaps(s, f.year_from, f.year_to, True)
    return _Selection(r, in_view, asg, prj, sta, anyone)


def filter_assignments(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Assignments (sponsor → commune) that pass every filter, for communes in view.

    Project filters (kind, criterion, status) do not apply to assignments.
    """
    return bundle.assignments.take(np.flatnonzero(_select(bundle, vintage, filters).assignments))


def filter_projects(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Projects that pass every filter, for communes in view.

    The sponsor filters match the project's resolved ``agency`` (its free-text
    ``sponsor_name`` often names several bodies); projects with no resolved agency drop out
    as soon as a sponsor or sponsor kind is chosen.
    """
    return bundle.projects.take(np.flatnonzero(_select(bundle, vintage, filters).projects))


def filter_status(bundle: Bundle, vintage: int, filters: Filters) -> pd.DataFrame:
    """Commune status records of communes in view (year filters apply; undated kept)."""
    return bundle.status.take(np.flatnonzero(_select(bundle, vintage, filters).status))


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
    "n_sponsors_any",
    "match",
)


def commune_measures(bundle: Bundle, vintage: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per commune of the vintage (all of them, in store order) with every measure.

    Columns: ``code``, ``name``, ``kind``, ``district_code``, ``district_name``, ``area_km2``;
    ``in_view`` (the commune filters keep it); ``difficult``; ``n_sponsors`` (distinct
    sponsors of the filtered assignments) and ``sponsors`` ("; "-joined names);
    ``n_assignments``; ``n_projects``; ``support_vnd`` (sum of the filtered projects' known
    costs, NaN when none is known) and ``n_costed`` (how many projects have a cost);
    ``ntm_year`` (earliest NTM recognition among the unit's parts, ``<NA>`` if none recorded);
    ``coverage`` (one of :data:`COVERAGE_CLASSES`); ``n_sources`` (distinct source URLs
    behind the row); ``n_sponsors_any`` (distinct sponsors of the assignments in the period and
    the place, whoever they are: the sponsor filters do not apply); ``match`` (the commune has a
    record that passes every filter, see :attr:`Filters.highlights`; False everywhere when no
    sponsor or project filter is set).

    ``coverage`` is "sponsored" / "difficult_none" / "none" without a sponsor filter; with one
    it is "chosen" (an assignment of a chosen sponsor), "others" (assignments of other sponsors
    only), "difficult_none" or "none" (no sponsor at all recorded). Project filters do not
    change it (assignments have no kind); they change ``n_projects``, ``support_vnd`` and
    ``match``.

    Communes out of view keep their row with zero counts and ``coverage`` "none", so the map
    draws them as "outside the filters" (see :func:`layers.styles.classify`). Every count is
    over records of communes in view, so out-of-view rows count nothing by construction. The
    filters are kept in ``table.attrs["filters"]``.
    """
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    sel = _select(bundle, vintage, filters)
    communes = bundle.communes(vintage)
    out = {
        c: communes[c].to_numpy() if c in communes else None
        for c in ("code", "name", "kind", "district_code", "district_name", "area_km2")
    }
    out["in_view"] = sel.in_view
    out["difficult"] = _difficult_mask(bundle, vintage, filters)
    out |= _sponsor_counts(sel)
    out |= _project_counts(sel)
    out["ntm_year"] = _ntm_years(sel)
    out["coverage"] = _coverage_classes(out, filters)
    out["n_sources"] = _source_counts(sel)
    out["match"] = _matches(out, filters)
    result = pd.DataFrame(out, columns=list(MEASURE_COLUMNS))
    result.attrs["filters"] = filters
    return result


def _sponsor_counts(sel: _Selection) -> dict[str, Any]:
    """``n_sponsors``, ``sponsors``, ``n_assignments`` and ``n_sponsors_any`` per commune."""
    a, n = sel.records.assignments, sel.records.n
    return {
        "n_sponsors": records.distinct_by(a.position, a.sponsor.codes, sel.assignments, n),
        "sponsors": _sponsor_names(a, sel.assignments, n),
        "n_assignments": records.count_by(a.position, sel.assignments, n),
        "n_sponsors_any": records.distinct_by(a.position, a.sponsor.codes, sel.anyone, n),
    }


def _sponsor_names(a, keep: np.ndarray, n: int) -> np.ndarray:
    """Each commune's distinct sponsors of the kept assignments, sorted, joined by "; " ("" for
    none): joined only where there are some (a country's 10,736 sets were ~8 ms a change)."""
    out = np.full(n, "", dtype=object)
    keep = keep & (a.sponsor.codes >= 0) & (a.position >= 0)
    pairs = pd.DataFrame(
        {"at": a.position[keep], "name": np.asarray(a.sponsor.values)[a.sponsor.codes[keep]]}
    )
    joined = pairs.drop_duplicates().sort_values("name").groupby("at")["name"].agg("; ".join)
    out[joined.index.to_numpy()] = joined.to_numpy()
    return out


def _project_counts(sel: _Selection) -> dict[str, np.ndarray]:
    """``n_projects``, ``support_vnd`` (known costs summed, NaN when none) and ``n_costed``."""
    p, n = sel.records.projects, sel.records.n
    return {
        "n_projects": records.count_by(p.position, sel.projects, n),
        "support_vnd": records.sum_by(p.position, p.cost, sel.projects, n),
        "n_costed": records.count_by(p.position, sel.projects & ~np.isnan(p.cost), n),
    }


def _ntm_years(sel: _Selection) -> pd.arrays.IntegerArray:
    """The earliest NTM recognition year of each commune's kept status records (``<NA>``)."""
    s, n = sel.records.status, sel.records.n
    keep = sel.status & s.ntm & ~np.isnan(s.start)
    first = np.full(n, np.inf)
    np.minimum.at(first, s.position[keep], s.start[keep])
    return pd.array(np.where(np.isinf(first), np.nan, first), dtype="Int64")


def _coverage_classes(out: dict[str, Any], filters: Filters) -> np.ndarray:
    """One of :data:`COVERAGE_CLASSES` per commune; "none" outside the filters."""
    none = np.where(out["difficult"], "difficult_none", "none")
    if filters.chooses_sponsors:
        helped = np.where(out["n_sponsors_any"] > 0, "others", none)
        cov = np.where(out["n_sponsors"] > 0, "chosen", helped)
    else:
        cov = np.where(out["n_sponsors"] > 0, "sponsored", none)
    return np.where(out["in_view"], cov, "none").astype(object)


def _source_counts(sel: _Selection) -> np.ndarray:
    """Distinct source URLs behind each commune's kept records."""
    r = sel.records
    kept = [
        (rows.position[keep], rows.source[keep])
        for rows, keep in ((r.assignments, sel.assignments), (r.projects, sel.projects))
    ] + [(r.status.position[sel.status], r.status.source[sel.status])]
    position = np.concatenate([k[0] for k in kept])
    source = np.concatenate([k[1] for k in kept])
    return records.distinct_by(position, source, np.ones(len(position), dtype=bool), r.n)


def _matches(out: dict[str, Any], filters: Filters) -> np.ndarray:
    """The communes the map outlines (:attr:`Filters.highlights`)."""
    if filters.highlights == "projects":
        return out["n_projects"] > 0
    if filters.highlights == "sponsors":
        return (out["n_sponsors"] > 0) | (out["n_projects"] > 0)
    return np.zeros(len(out["in_view"]), dtype=bool)


def gap_table(
    bundle: Bundle,
    vintage: int,
    filters: Filters | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Communes in view with no sponsor at all recorded in the period, difficult ones first,
    then by district and name. The sponsor filters do not make gaps: a commune helped by a
    sponsor that was not chosen is not a gap (``docs/filters.md``). ``measures`` may pass the
    :func:`commune_measures` table of the same vintage and filters, to save computing it again.

    Columns: ``code``, ``name``, ``district_name``, ``difficult``, ``n_projects``, ``ntm_year``.
    """
    m = measures if measures is not None else commune_measures(bundle, vintage, filters)
    gaps = m.loc[m["in_view"] & (m["n_sponsors_any"] == 0)]
    gaps = gaps.sort_values(["difficult", "district_name", "name"], ascending=[False, True, True])
    cols = ["code", "name", "district_name", "difficult", "n_projects", "ntm_year"]
    return gaps[cols].reset_index(drop=True)


#: Columns of :func:`sponsor_load`.
LOAD_COLUMNS = (
    "sponsor",
    "kind",
    "n_communes",
    "communes",
    "n_assignments",
    "periods",
    "n_projects",
    "support_vnd",
    "load",
)


def sponsor_load(bundle: Bundle, vintage: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per agency: how many communes of the vintage it sponsors under the filters.

    Columns: ``sponsor``, ``kind``, ``n_communes``, ``communes`` ("; "-joined names at the
    vintage), ``n_assignments``, ``periods`` (e.g. "2019–2020; undated"), ``n_projects``,
    ``support_vnd``, ``load`` ("none", "one", "several"). Sorted by load, most first.
    Agencies with no commune recorded are kept (the planners' "sponsors with no commune").
    """
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    sel = _select(bundle, vintage, filters)
    agencies = bundle.agencies
    keep = np.ones(len(agencies), dtype=bool)
    if filters.sponsors:
        keep &= agencies["name"].isin(filters.sponsors).to_numpy()
    if filters.sponsor_kinds:
        keep &= agencies["kind"].isin(filters.sponsor_kinds).to_numpy()
    names = agencies["name"].to_numpy()[keep]
    kinds = agencies["kind"].to_numpy()[keep]
    by_sponsor = _assignments_by_sponsor(sel)
    n_prj, cost = _projects_by_agency(sel, names)
    rows = []
    for name, kind, n_p, support in zip(names, kinds, n_prj, cost, strict=True):
        communes, n_asg, periods = by_sponsor.get(name, ([], 0, ""))
        n = len(communes)
        load = "none" if n == 0 else ("one" if n == 1 else "several")
        row = (name, kind, n, "; ".join(communes), n_asg, periods, int(n_p), float(support), load)
        rows.append(row)
    rows.sort(key=lambda row: (-row[2], row[0]))
    return pd.DataFrame(rows, columns=list(LOAD_COLUMNS))


def _assignments_by_sponsor(sel: _Selection) -> dict[str, tuple[list[str], int, str]]:
    """Per sponsor name of the kept assignments: the names of its communes (in code order),
    how many assignments, and its periods ("2019–2020; ?", in the order recorded)."""
    r = sel.records
    a = r.assignments
    codes: dict[str, set[int]] = {}
    count: dict[str, int] = {}
    periods: dict[str, dict[str, None]] = {}
    for i in np.flatnonzero(sel.assignments & (a.sponsor.codes >= 0)):
        name = a.sponsor.value(a.sponsor.codes[i])
        codes.setdefault(name, set()).add(a.position[i])
        count[name] = count.get(name, 0) + 1
        text = _period_text(a.start_as_written[i], a.end_as_written[i])
        periods.setdefault(name, {})[text] = None
    out = {}
    for name, positions in codes.items():
        ordered = sorted(positions, key=lambda p: r.codes[p])
        out[name] = ([r.names[p] for p in ordered], count[name], "; ".join(periods[name]))
    return out


def _projects_by_agency(sel: _Selection, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many kept projects each of the agencies ``names`` has, and the sum of their known
    costs (NaN when none is known)."""
    p = sel.records.projects
    k = len(p.agency.values)
    known = sel.projects & (p.agency.codes >= 0)
    # One more group at the end, for the agencies with no kept project (get_indexer's -1).
    n_prj = np.append(records.count_by(p.agency.codes, known, k), 0)
    cost = np.append(records.sum_by(p.agency.codes, p.cost, known, k), np.nan)
    at = p.agency.values.get_indexer(list(names))
    return n_prj[at], cost[at]


def _period_text(start: float, end: float) -> str:
    """One assignment's period as written: "2019", "2019–2020", or "?" when undated."""
    if np.isnan(start) and np.isnan(end):
        return "?"
    s = int(start) if not np.isnan(start) else int(end)
    e = int(end) if not np.isnan(end) else s
    return str(s) if s == e else f"{s}–{e}"


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
        ``vintage``; ``n_communes`` (in view) and ``n_sponsored`` (helped by a sponsor that
        passes the filters: the chosen ones when sponsors are chosen); ``n_others`` (helped
        only by sponsors that were not chosen; 0 without a sponsor filter) and ``n_none`` (no
        sponsor at all recorded); ``n_difficult``, ``n_difficult_sponsored`` and
        ``n_difficult_others``; ``highlights`` (:attr:`Filters.highlights`) and ``n_match``
        (communes in view with a record that passes every filter); ``support_vnd`` (sum of
        known costs) with ``n_costed`` of ``n_projects``; ``projects_by_kind`` {kind: n} in
        ``ProjectKind`` order;
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
    spons = load if load is not None else sponsor_load(bundle, vintage, filters)
    sel = _select(bundle, vintage, filters)
    spons = spons.loc[(spons["n_communes"] > 0) | (spons["n_projects"] > 0)]
    n_agg = len(bundle.tables.get("assignments_aggregate", ())) + len(
        bundle.tables.get("projects_aggregate", ())
    )
    return {
        "vintage": vintage,
        **_commune_counts(m),
        "highlights": filters.highlights,
        **_project_figures(sel),
        "by_sponsor": spons[["sponsor", "n_communes", "n_projects"]].reset_index(drop=True),
        "by_year": _by_year(sel),
        "completeness": _completeness_of(sel),
        "n_aggregate": n_agg,
    }


def _commune_counts(m: pd.DataFrame) -> dict[str, int]:
    """The cards' commune counts, over the communes in view of a :func:`commune_measures`."""
    view = m["in_view"].to_numpy(dtype=bool)
    difficult = m["difficult"].to_numpy(dtype=bool)[view]
    sponsored = m["n_sponsors"].to_numpy()[view] > 0
    others = m["coverage"].to_numpy()[view] == "others"
    return {
        "n_communes": int(view.sum()),
        "n_sponsored": int(sponsored.sum()),
        "n_difficult": int(difficult.sum()),
        "n_difficult_sponsored": int((difficult & sponsored).sum()),
        "n_others": int(others.sum()),
        "n_none": int((m["n_sponsors_any"].to_numpy()[view] == 0).sum()),
        "n_difficult_others": int((difficult & others).sum()),
        "n_match": int(m["match"].to_numpy(dtype=bool)[view].sum()),
    }


def _project_figures(sel: _Selection) -> dict[str, Any]:
    """Support (known costs summed), how many projects are costed, and projects by kind."""
    p = sel.records.projects
    cost = p.cost[sel.projects]
    known = ~np.isnan(cost)
    kinds = p.kind.codes[sel.projects]
    counts = np.bincount(kinds[kinds >= 0], minlength=len(p.kind.values))
    by_kind = dict(zip(p.kind.values, counts.tolist(), strict=True))
    return {
        "support_vnd": float(cost[known].sum()) if known.any() else 0.0,
        "n_costed": int(known.sum()),
        "n_projects": int(sel.projects.sum()),
        "projects_by_kind": {k: by_kind[k] for k in ProjectKind if by_kind.get(k, 0)},
    }


def _by_year(sel: _Selection) -> pd.DataFrame:
    """Kept assignments and projects by the year they start (as written; undated left out)."""
    r = sel.records
    a_year = r.assignments.start_as_written[sel.assignments]
    p_year = r.projects.start_as_written[sel.projects]
    a_year, p_year = a_year[~np.isnan(a_year)].astype(int), p_year[~np.isnan(p_year)].astype(int)
    years = sorted(set(a_year.tolist()) | set(p_year.tolist()))
    return pd.DataFrame(
        {
            "year": years,
            "n_assignments": [int((a_year == y).sum()) for y in years],
            "n_projects": [int((p_year == y).sum()) for y in years],
        }
    )


def _completeness_of(sel: _Selection) -> dict[str, Any]:
    """:func:`completeness` of the kept records, from their arrays."""
    r = sel.records
    a, p, s = r.assignments, r.projects, r.status
    ka, kp, ks = sel.assignments, sel.projects, sel.status
    starts = np.concatenate([a.start[ka], p.start_as_written[kp], s.start[ks]])
    ends = np.concatenate([a.end[ka], p.end_as_written[kp], s.end[ks]])
    source = np.concatenate([a.source[ka], p.source[kp], s.source[ks]])
    dated_starts, dated_ends = starts[~np.isnan(starts)], ends[~np.isnan(ends)]
    return {
        "n_assignments": int(ka.sum()),
        "n_projects": int(kp.sum()),
        "n_status": int(ks.sum()),
        "n_sources": len(np.unique(source[source >= 0])),
        "year_min": int(dated_starts.min()) if len(dated_starts) else None,
        "year_max": int(dated_ends.max()) if len(dated_ends) else None,
        "n_undated": int(np.isnan(starts).sum()),
    }


# ------------------------------------------------------------------------------- in words
def describe_filters(filters: Filters) -> list[tuple[str, tuple[Any, ...]]]:
    """What the filters count, as (part, values) pairs in reading order, for a sentence such as
    "Đang tính: đơn vị Sở Công Thương…; công trình loại Cầu; năm 2019–2020; huyện Chợ Đồn".
    Parts: ``sponsors``, ``sponsor_kinds``, ``project_kinds``, ``criteria``, ``statuses``,
    ``years`` (from, to, include_undated), ``districts``, ``difficult_only``. Empty when
    nothing is chosen (everything recorded counts).

    >>> describe_filters(Filters())
    []
    >>> describe_filters(Filters(project_kinds=("bridge",), year_from=2019, year_to=2020))
    [('project_kinds', ('bridge',)), ('years', (2019, 2020, True))]
    """
    parts: list[tuple[str, tuple[Any, ...]]] = []
    for name in ("sponsors", "sponsor_kinds", "project_kinds", "criteria", "statuses"):
        values = getattr(filters, name)
        if values:
            parts.append((name, tuple(values)))
    if filters.chooses_years:
        parts.append(("years", (filters.year_from, filters.year_to, filters.include_undated)))
    if filters.districts:
        parts.append(("districts", tuple(filters.districts)))
    if filters.difficult_only:
        parts.append(("difficult_only", ()))
    return parts


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
