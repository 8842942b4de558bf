"""The programme tables (agencies, assignments, projects, commune status) built from the cited
seed facts in ``geodata/seed``: names resolved to GSO codes, codes carried to every vintage
through the crosswalk, and aggregate rows (no commune) kept apart from the map tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from geodata.errors import DataValidationError
from geodata.names import Candidate, NameIndex, compact, loose_key
from geodata.vocabulary import IdPrefix

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
    return df


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
