"""The programme tables (agencies, assignments, projects, commune status) built from the cited
seed facts in ``geodata/seed``: names resolved to GSO codes, codes carried to every vintage
through the crosswalk, and aggregate rows (no commune) kept apart from the map tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

from geodata.errors import DataValidationError
from geodata.names import Candidate, NameIndex, compact, loose_key
from geodata.vocabulary import IdPrefix

if TYPE_CHECKING:
    from geodata.bundle import Bundle

# The seed facts cite the project's origin article by this label; this is its address.
SEED_ARTICLE_URL = (
    "https://backan.gov.vn/Pages/hoc-tap-va-lam-theo-tam-guong-dao-duc-ho-chi-minh-180/"
    "bac-kan-thuc-hien-chi-thi-05-ta-ffb971b2fb8a0793.aspx"
)


def read_seed(name: str) -> pd.DataFrame:
    """One seed table (``agencies``, ``sponsor_assignments``, ``projects``, ``commune_status``,
    ``crosswalk``) as text columns, empty cells as missing."""
    path = resources.files("geodata").joinpath("seed", f"{name}.csv")
    with path.open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df = df.replace({"": None})
    if "source_url" in df:
        df["source_url"] = df["source_url"].replace({"seed article": SEED_ARTICLE_URL})
    if name != "translations":
        df = _in_vietnamese(df, name)
    return df


#: Free-text columns that the seed writes in English and ``seed/translations.csv`` translates.
TRANSLATED_COLUMNS = {
    "projects": ("title", "quantity_notes"),
    "commune_status": ("notes",),
    "sponsor_assignments": ("activities_summary",),
}


def _in_vietnamese(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The seed table with its free-text columns in Vietnamese (``seed/translations.csv``) and
    the source's English wording kept in ``<column>_en``. A text without a translation (it is
    already Vietnamese) is kept in both."""
    columns = [c for c in TRANSLATED_COLUMNS.get(table, ()) if c in df]
    if not columns:
        return df
    tr = read_seed("translations")
    df = df.copy()
    for col in columns:
        pairs = tr.loc[(tr["table"] == table) & (tr["column"] == col)]
        lookup = dict(zip(pairs["en"], pairs["vi"], strict=True))
        df[f"{col}_en"] = df[col]
        df[col] = df[col].map(lambda v, lk=lookup: lk.get(v, v) if isinstance(v, str) else v)
    return df


def in_language(df: pd.DataFrame, column: str, lang: str) -> pd.Series:
    """A free-text column in a language: ``<column>_en`` in English where it is filled, the
    column itself (Vietnamese) otherwise.

    >>> df = pd.DataFrame({"title": ["Cầu", "Chợ"], "title_en": ["Bridge", None]})
    >>> in_language(df, "title", "en").tolist(), in_language(df, "title", "vi").tolist()
    (['Bridge', 'Chợ'], ['Cầu', 'Chợ'])
    """
    base = df[column] if column in df else pd.Series(None, index=df.index, dtype=object)
    english = f"{column}_en"
    if lang != "en" or english not in df:
        return base
    return df[english].where(df[english].notna() & (df[english] != ""), base)


@dataclass(frozen=True)
class Gazetteer:
    """Commune name indexes of the 2019 and 2020 lists, plus the crosswalk, for resolving names.

    ``units`` maps a vintage to a table with ``code``, ``name``, ``district_code``,
    ``district_name``; ``crosswalk`` has ``code_2019``, ``code_2020``, ``code_2025``.
    """

    units: dict[int, pd.DataFrame]
    crosswalk: pd.DataFrame

    def resolve(self, commune: str, district: str | None, year: int | None) -> tuple[int, str]:
        """(vintage, code) of a commune name as written in a source of the given year.

        The list in force that year is tried first, then the other one.
        """
        order = (2020, 2019) if (year or 0) >= 2020 else (2019, 2020)
        tried = []
        for vintage in order:
            units = self.units[vintage]
            district_code = _district_code(units, district)
            index = _index(units)
            match = index.resolve(commune, parent=district_code)
            if match.accepted:
                return vintage, match.code
            tried.append((vintage, match))
        hints = "; ".join(
            f"{v}: {m.how}"
            + (
                f" (did you mean {', '.join(c.name for c in m.suggestions)}?)"
                if m.suggestions
                else ""
            )
            for v, m in tried
        )
        msg = f"Commune {commune!r} in district {district!r} not found in the GSO lists ({hints})"
        raise DataValidationError(msg)

    def codes_in_all_vintages(self, vintage: int, code: str) -> dict[str, str]:
        """The unit's code in 2019, 2020 and 2025.

        A 2020 unit keeps the code of the 2019 unit that absorbed the others, so its 2019 code is
        the same code.
        """
        cw = self.crosswalk
        if vintage == 2019:
            row = cw.loc[cw["code_2019"] == code].iloc[0]
            return {"code_2019": code, "code_2020": row["code_2020"], "code_2025": row["code_2025"]}
        row = cw.loc[cw["code_2020"] == code].iloc[0]
        return {"code_2019": code, "code_2020": code, "code_2025": row["code_2025"]}


def _district_code(units: pd.DataFrame, district: str | None) -> str | None:
    if not district:
        return None
    index = NameIndex(
        Candidate(r.district_code, r.district_name, None)
        for r in units[["district_code", "district_name"]].drop_duplicates().itertuples()
    )
    match = index.resolve(district)
    if not match.accepted:
        msg = f"District {district!r} not found ({match.how})"
        raise DataValidationError(msg)
    return match.code


def _index(units: pd.DataFrame) -> NameIndex:
    return NameIndex(Candidate(r.code, r.name, r.district_code) for r in units.itertuples())


_YEAR = re.compile(r"(19|20)\d\d")


def year_range(text: str | None) -> tuple[int | None, int | None]:
    """First and last year named in a text such as ``"2016-2018"``.

    >>> year_range("2016-2018"), year_range("2021"), year_range(None)
    ((2016, 2018), (2021, 2021), (None, None))
    """
    if not text:
        return None, None
    years = [int(m.group(0)) for m in _YEAR.finditer(text)]
    return (min(years), max(years)) if years else (None, None)


def _reference_year(*texts: str | None) -> int | None:
    for text in texts:
        start, _ = year_range(text)
        if start:
            return start
    return None


def _with_codes(df: pd.DataFrame, gaz: Gazetteer, year_columns: tuple[str, ...]) -> pd.DataFrame:
    """Add ``vintage``, ``commune_code``, official ``commune``, ``district_code`` and the codes
    in every vintage to rows that name a commune; every failure is collected and reported."""
    problems = []
    extra = []
    for i, row in enumerate(df.itertuples(index=False), start=2):
        year = _reference_year(*(getattr(row, c) for c in year_columns))
        try:
            vintage, code = gaz.resolve(row.commune_name, row.district_name, year)
        except DataValidationError as exc:
            problems.append(f"row {i}: {exc}")
            extra.append({})
            continue
        unit = gaz.units[vintage].set_index("code").loc[code]
        extra.append(
            {
                "vintage": vintage,
                "commune_code": code,
                "commune": unit["name"],
                "district_code": unit["district_code"],
                **gaz.codes_in_all_vintages(vintage, code),
            }
        )
    if problems:
        msg = "Seed rows name communes that cannot be resolved:\n  " + "\n  ".join(problems)
        raise DataValidationError(msg, tuple(problems))
    out = pd.concat([df.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    return out.rename(columns={"commune_name": "commune_as_written"})


def build_assignments(gaz: Gazetteer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assignments naming a commune, aggregate assignments without one)."""
    raw = canonical_sponsors(read_seed("sponsor_assignments"), read_seed("agencies")["name"])
    raw.insert(0, "assignment_id", [IdPrefix.ASSIGNMENT.make(i) for i in range(1, len(raw) + 1)])
    has_commune = raw["commune_name"].notna()
    rows = _with_codes(raw.loc[has_commune], gaz, ("period_start_year", "source_date"))
    for col in ("period_start_year", "period_end_year"):
        rows[col] = pd.to_numeric(rows[col]).astype("Int64")
    return rows, raw.loc[~has_commune].reset_index(drop=True)


def build_projects(gaz: Gazetteer, agencies: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects in a commune, without geometry yet; aggregate rows without a commune)."""
    raw = read_seed("projects")
    raw.insert(0, "project_id", [IdPrefix.PROJECT.make(i) for i in range(1, len(raw) + 1)])
    has_commune = raw["commune_name"].notna()
    rows = _with_codes(raw.loc[has_commune], gaz, ("year", "source_date"))
    rows = rows.rename(columns={"project_kind": "kind", "village_name": "village"})
    years = rows["year"].map(year_range)
    rows["year_start"] = pd.array([y[0] for y in years], dtype="Int64")
    rows["year_end"] = pd.array([y[1] for y in years], dtype="Int64")
    rows["cost_vnd"] = pd.to_numeric(rows["cost_vnd"]).astype("Int64")
    rows["agency"] = rows["sponsor_name"].map(lambda s: match_agency(s, agencies["name"]))
    # The sources report what was done, rarely whether it is finished: unknown, not invented.
    rows["status"] = None
    rows["location_precision"] = "commune"
    return rows, raw.loc[~has_commune].reset_index(drop=True)


def build_status(gaz: Gazetteer) -> pd.DataFrame:
    """Commune status facts (NTM recognition, Programme 135, ...) with codes."""
    raw = read_seed("commune_status")
    raw.insert(0, "status_id", [IdPrefix.STATUS.make(i) for i in range(1, len(raw) + 1)])
    rows = _with_codes(raw, gaz, ("year", "source_date"))
    rows["year"] = pd.to_numeric(rows["year"]).astype("Int64")
    return rows


def build_agencies(assignments: pd.DataFrame) -> pd.DataFrame:
    """The seed agencies plus any sponsor of an assignment that the agency list lacks."""
    agencies = read_seed("agencies").rename(columns={"example_source_url": "source_url"})
    return with_all_sponsors(agencies, assignments)


def with_all_sponsors(agencies: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """``agencies`` plus a row for every sponsor named by an assignment but not listed (seed
    or imported), with the assignment's sponsor kind, so that no sponsor is left out of a list.

    >>> ag = pd.DataFrame({"name": ["Sở A"], "kind": ["department"]})
    >>> asg = pd.DataFrame({"sponsor_name": ["Sở A", "Hội B", "Hội B"],
    ...                     "sponsor_kind": ["department", "mass_org", None],
    ...                     "source_url": ["u1", "u2", "u3"]})
    >>> with_all_sponsors(ag, asg)[["name", "kind"]].to_numpy().tolist()
    [['Sở A', 'department'], ['Hội B', 'mass_org']]
    """
    if "sponsor_name" not in assignments or assignments.empty:
        return agencies
    known = set(agencies["name"])
    extra = assignments.loc[
        assignments["sponsor_name"].notna() & ~assignments["sponsor_name"].isin(known)
    ].drop_duplicates("sponsor_name")
    if extra.empty:
        return agencies
    added = pd.DataFrame(
        {
            "name": extra["sponsor_name"].to_numpy(),
            "abbreviation": None,
            "kind": extra["sponsor_kind"].fillna("other").to_numpy()
            if "sponsor_kind" in extra
            else "other",
            "role_in_dataset": "sponsor named in an assignment",
            "source_url": extra["source_url"].to_numpy() if "source_url" in extra else None,
        }
    )
    return pd.concat([agencies, added], ignore_index=True)


def sponsor_key(name: str) -> str:
    """The key that makes two spellings of one sponsor the same: no parenthesised qualifier,
    no "tỉnh Bắc Kạn", no case, diacritics or spaces.

    >>> sponsor_key("Sở Y tế tỉnh Bắc Kạn (Đảng bộ Sở Y tế)") == sponsor_key("SỞ Y TẾ")
    True
    """
    return compact(loose_key(re.sub(r"\s*\(.*\)", "", name).replace(" tỉnh Bắc Kạn", "")))


def canonical_sponsors(assignments: pd.DataFrame, agency_names: Iterable[str]) -> pd.DataFrame:
    """Assignments whose ``sponsor_name`` is the agency it names (one canonical form, like a
    commune's official name); the text as written is kept in ``sponsor_as_written``. A name
    that matches no agency stays as written.

    >>> asg = pd.DataFrame({"sponsor_name": ["Sở Y tế tỉnh Bắc Kạn (Đảng bộ Sở Y tế)", "Hội B"]})
    >>> canonical_sponsors(asg, ["Sở Y tế tỉnh Bắc Kạn"])["sponsor_name"].tolist()
    ['Sở Y tế tỉnh Bắc Kạn', 'Hội B']
    """
    if "sponsor_name" not in assignments or assignments.empty:
        return assignments
    by_key = {sponsor_key(n): n for n in agency_names if isinstance(n, str)}
    written = assignments["sponsor_name"]
    out = assignments.copy()
    if "sponsor_as_written" not in out:
        out["sponsor_as_written"] = written
    out["sponsor_name"] = written.map(
        lambda n: by_key.get(sponsor_key(n), n) if isinstance(n, str) else n
    )
    return out


def match_agency(text: str | None, names: pd.Series) -> str | None:
    """The agency a free-text sponsor field starts with, if any (e.g. "Sở Công Thương (chỉ
    đạo); ..." → "Sở Công Thương tỉnh Bắc Kạn").

    >>> match_agency("Sở Công Thương; Công ty X", pd.Series(["Sở Công Thương tỉnh Bắc Kạn"]))
    'Sở Công Thương tỉnh Bắc Kạn'
    """
    if not text:
        return None
    key = compact(loose_key(text))
    best = None
    for name in names:
        short = sponsor_key(name)
        if short and key.startswith(short) and (best is None or len(short) > best[0]):
            best = (len(short), name)
    return best[1] if best else None


# ------------------------------------------------------------------ difficult communes
#: The programme periods and the official "difficult" class of each: the Programme 135
#: extremely difficult communes (204/QĐ-TTg, 900/QĐ-TTg) for 2016–2020, the region III communes
#: (xã khu vực III, 861/QĐ-TTg) for 2021–2025.
PERIODS = ("2016-2020", "2021-2025")
DIFFICULT_CLASS = {"2016-2020": "program135_extremely_difficult", "2021-2025": "region_III"}
#: The period each boundary vintage belongs to when no year is chosen.
VINTAGE_PERIOD = {2019: "2016-2020", 2020: "2021-2025", 2025: "2021-2025"}
#: Words of a status row's notes that mark it as inferred, not named by its source.
INFERRED_MARK = "not named in the source"


def period_of(vintage: int, year_from: int | None = None, year_to: int | None = None) -> str:
    """The programme period whose official list says which communes are difficult.

    The period that holds the last chosen year (the list in force at the end of the range), or,
    with no year chosen, the period of the boundary vintage.

    >>> period_of(2019), period_of(2020), period_of(2025)
    ('2016-2020', '2021-2025', '2021-2025')
    >>> period_of(2019, 2021, 2023), period_of(2020, None, 2018), period_of(2019, 2019, None)
    ('2021-2025', '2016-2020', '2016-2020')
    >>> period_of(2019, 2010, 2014), period_of(2019, 2026, 2030)
    ('2016-2020', '2021-2025')
    """
    year = year_to if year_to is not None else year_from
    if year is None:
        return VINTAGE_PERIOD[int(vintage)]
    return PERIODS[0] if int(year) <= 2020 else PERIODS[1]


def _check_period(period: str) -> str:
    if period not in DIFFICULT_CLASS:
        msg = f"Unknown programme period {period!r}; choose one of {', '.join(PERIODS)}"
        raise ValueError(msg)
    return period


def _native_codes(status: pd.DataFrame) -> pd.DataFrame:
    """``vintage`` (the list the row's name was resolved in) and ``code`` (its code there)."""
    native = pd.to_numeric(status.get("vintage"), errors="coerce") if "vintage" in status else None
    if native is None:
        native = pd.Series(2019, index=status.index)
    native = native.fillna(2019).astype(int)
    code = [
        status.at[i, f"code_{v}"] if f"code_{v}" in status else None
        for i, v in zip(status.index, native, strict=True)
    ]
    return pd.DataFrame({"vintage": native.to_numpy(), "code": code}, index=status.index)


def difficult_rows(status: pd.DataFrame, period: str) -> pd.DataFrame:
    """The status rows of the period's official difficult class (one per source fact)."""
    kind = DIFFICULT_CLASS[_check_period(period)]
    if status.empty or "status_kind" not in status:
        return status.iloc[0:0]
    return status.loc[status["status_kind"] == kind]


def difficult_units(bundle: Bundle, period: str, vintage: int) -> frozenset[str]:
    """Codes of the vintage's units that hold a commune of the period's official difficult
    class (:data:`DIFFICULT_CLASS`).

    A row is carried through the crosswalk from the list it was named in: a unit that absorbed a
    difficult commune is difficult, and so is every part of a difficult commune that was split.
    """
    rows = difficult_rows(bundle.status, period)
    if rows.empty:
        return frozenset()
    native = _native_codes(rows).dropna()
    cw = bundle.crosswalk
    target = f"code_{int(vintage)}"
    out: set[str] = set()
    for v, group in native.groupby("vintage"):
        parts = cw.loc[cw[f"code_{v}"].isin(set(group["code"])), target]
        out |= set(parts.dropna())
    return frozenset(out)


@dataclass(frozen=True)
class DifficultCompleteness:
    """How much of a period's official difficult list the data holds.

    ``known``: distinct communes of the class named in the data (in the list they were named
    in), ``inferred`` of them not named by their source but deduced (the notes say how);
    ``total``: the official count of the class (``None`` when no official count is recorded);
    ``decision`` and ``source_url`` of the official count (or of the rows when there is none).
    """

    period: str
    status_kind: str
    known: int
    inferred: int
    total: int | None
    decision: str | None
    source_url: str | None

    @property
    def complete(self) -> bool:
        return self.total is not None and self.known >= self.total


def difficult_completeness(
    bundle: Bundle, period: str, districts: tuple[str, ...] = ()
) -> DifficultCompleteness:
    """The period's difficult list: how many communes the data names against the official
    count, for the whole province or for some districts (3-digit codes).

    With the seed data: 39 of 67 region III communes for 2021–2025 (10 inferred, Pác Nặm).
    """
    kind = DIFFICULT_CLASS[_check_period(period)]
    rows = difficult_rows(bundle.status, period)
    if districts and "district_code" in rows:
        rows = rows.loc[rows["district_code"].isin(districts)]
    native = _native_codes(rows)
    notes = rows["notes_en"] if "notes_en" in rows else rows.get("notes")
    if notes is None:
        notes = pd.Series("", index=rows.index)
    keyed = native.assign(inferred=notes)
    keyed["inferred"] = keyed["inferred"].fillna("").str.contains(INFERRED_MARK, regex=False)
    keyed = keyed.dropna(subset=["code"])
    # A commune named by one source and inferred by another counts as named.
    per_unit = keyed.groupby(["vintage", "code"])["inferred"].all()
    counts = bundle.tables.get("official_counts")
    total = decision = url = None
    if counts is not None and not counts.empty:
        sel = counts.loc[(counts["period"] == period) & (counts["status_kind"] == kind)]
        if districts and "district_code" in sel:
            sel = sel.loc[sel["district_code"].isin(districts)]
        if not sel.empty:
            total = int(pd.to_numeric(sel["count"]).sum())
            decision = sel["decision"].dropna().iloc[0] if sel["decision"].notna().any() else None
            url = sel["source_url"].dropna().iloc[0] if sel["source_url"].notna().any() else None
    if decision is None and not rows.empty and "decision" in rows:
        named = rows["decision"].dropna()
        decision = named.iloc[0] if not named.empty else None
    return DifficultCompleteness(
        period=period,
        status_kind=kind,
        known=len(per_unit),
        inferred=int(per_unit.sum()),
        total=total,
        decision=decision,
        source_url=url,
    )


def build_official_counts(gaz: Gazetteer) -> pd.DataFrame:
    """Official counts of a class per district (e.g. 861/QĐ-TTg's region III / II / I), with
    the district's code; they are not per commune, so they say how complete the lists are."""
    raw = read_seed("official_counts")
    units = gaz.units[2020]
    raw["district_code"] = [_district_code(units, d) for d in raw["district_name"]]
    raw["count"] = pd.to_numeric(raw["count"]).astype("Int64")
    return raw
