"""Rows read from a spreadsheet → checked records and a report of every problem.

Each row is resolved and checked on its own (communes by code or by name within the district,
against the list of units in force for the row's period), then the rows are checked against
each other (duplicates). Nothing is raised for bad data: every problem is collected with the
row number a person sees, the column as written, the value, the reason (English and
Vietnamese) and, where possible, suggestions ``[{code, name, district}]``.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import re
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from geodata.imports import parsing
from geodata.imports.columns import header_key
from geodata.imports.context import ImportContext, vintage_in_force
from geodata.imports.limits import DEFAULT, Deadline, Limits, clip
from geodata.imports.messages import reason_text, severity
from geodata.imports.reader import RawRow, RawTable, SkippedRow
from geodata.names import Match
from geodata.programme import match_agency
from geodata.vocabulary import VINTAGES, ProjectKind, ProjectStatus, SponsorKind
from geodata.words import translator

NEAR_COMMUNE_M = 300.0  # boundaries are generalised: a point this close is kept, with a warning
STATUSES = ("ok", "warning", "error", "skipped")


@dataclass
class Problem:
    field: str
    column: str
    value: str
    reason: str  # a code of messages.REASONS
    details: dict[str, Any] = field(default_factory=dict)
    suggestions: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return severity(self.reason)

    def text(self, lang: str = "en") -> str:
        return reason_text(self.reason, lang, value=self.value, **self.details)

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "field": self.field,
            "value": self.value,
            "reason": self.text("en"),
            "reason_vi": self.text("vi"),
            "reason_code": self.reason,
            "severity": self.severity,
            "suggestions": self.suggestions,
        }


class RecordSpool:
    """The records of the rows to store, with their keys, pickled in batches to an unnamed
    temporary file as the rows are checked (gone with the report), so that a file of 200,000
    rows is checked without holding 200,000 records in memory."""

    BATCH = 1000

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        # Closed when the spool is collected (a report kept for the Import page's next step
        # lives on), never left to the file object's own finaliser (a ResourceWarning).
        weakref.finalize(self, self._file.close)
        self._offsets: list[int] = []  # where each written batch starts
        self._batch: list[tuple[dict[str, Any], tuple | None]] = []
        self._loaded: tuple[int, list] = (-1, [])
        self.count = 0

    def add(self, record: dict[str, Any], key: tuple | None) -> int:
        """Keep a record; returns its number."""
        self._batch.append((record, key))
        self.count += 1
        if len(self._batch) == self.BATCH:
            self._file.seek(0, io.SEEK_END)
            self._offsets.append(self._file.tell())
            pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []
        return self.count - 1

    def _load(self, batch: int) -> list:
        if self._loaded[0] != batch:
            self._file.seek(self._offsets[batch])
            self._loaded = (batch, pickle.load(self._file))
        return self._loaded[1]

    def read(self, number: int) -> tuple[dict[str, Any], tuple | None]:
        """Record ``number`` (a copy, with its ``row_hash``) and its key."""
        batch, i = divmod(number, self.BATCH)
        rows = self._batch if batch == len(self._offsets) else self._load(batch)
        record, key = rows[i]
        return _hashed(record), key

    def __iter__(self) -> Iterator[tuple[dict[str, Any], tuple | None]]:
        """Every ``(record, key)`` in the order the rows came (copies, with ``row_hash``)."""
        for batch in range(len(self._offsets)):
            yield from ((_hashed(r), k) for r, k in self._load(batch))
        yield from ((_hashed(r), k) for r, k in self._batch)

    def close(self) -> None:
        self._file.close()


@dataclass(slots=True)
class RowResult:
    """One row's status and problems. The record (the row as it would be stored) and its key
    are kept in the report's :class:`RecordSpool` and read back when asked for."""

    row: int
    status: str
    commune_code: str | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Problems of this row that were counted but not kept (past the first ones of a reason).
    left_out: int = 0
    spool: RecordSpool | None = field(default=None, repr=False)
    at: int = -1

    @property
    def record(self) -> dict[str, Any] | None:
        return self.spool.read(self.at)[0] if self.spool is not None and self.at >= 0 else None

    @property
    def key(self) -> tuple | None:
        return self.spool.read(self.at)[1] if self.spool is not None and self.at >= 0 else None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "row": self.row,
            "status": self.status,
            "commune_code": self.commune_code,
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.left_out:
            out["problems_left_out"] = self.left_out
        return out


@dataclass
class Report:
    """Every row's status, the first problems of each reason in full (the rest counted in
    ``reasons``) and the records to store in a :class:`RecordSpool`."""

    kind: str
    summary: dict[str, Any]
    rows: list[RowResult]
    #: Problems by ``(severity, reason)``, all of them (kept or left out).
    reasons: Counter = field(default_factory=Counter)
    spool: RecordSpool | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not any(r.status == "error" for r in self.rows)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The rows to store: ok and warning rows (errors and skipped rows are left out)."""
        return [record for record, _ in self.stored()]

    def stored(self) -> Iterator[tuple[dict[str, Any], tuple | None]]:
        """``(record, key)`` of every row to store, in row order, read back one at a time."""
        return iter(self.spool) if self.spool is not None else iter(())

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {s: c.get(s, 0) for s in STATUSES}

    def problems_left_out(self) -> int:
        return sum(r.left_out for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        by_reason = [
            {"severity": sev, "reason_code": reason, "problems": n}
            for (sev, reason), n in self.reasons.most_common()
        ]
        return {
            "summary": {
                **self.summary,
                **self.counts(),
                "problems_by_reason": by_reason,
                "problems_left_out": self.problems_left_out(),
            },
            "rows": [r.to_dict() for r in self.rows],
        }


# --------------------------------------------------------------------------------------------
# Commune resolution
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    vintage: int | None
    code: str | None
    problems: tuple[Problem, ...] = ()


class Resolver:
    """Communes by code or by name within the district; results cached per distinct input."""

    def __init__(
        self,
        ctx: ImportContext,
        columns: dict[str, str],
        *,
        vintage: int | None,
        accept_suggestions: bool,
    ) -> None:
        self.ctx = ctx
        self.columns = columns
        self.forced = vintage
        self.accept = accept_suggestions
        self._cache: dict[tuple, Resolution] = {}
        self._districts: dict[str, tuple[str | None, Problem | None]] = {}

    def _col(self, name: str) -> str:
        return self.columns.get(name, name)

    def _labels(self, vintage: int, candidates) -> list[dict[str, str | None]]:
        return [self.ctx.label(vintage, c.code) for c in candidates]

    def district(self, text: str | None) -> tuple[str | None, Problem | None]:
        """The district a text names (remembered per text), or the problem with it."""
        if not text:
            return None, None
        if text not in self._districts:
            self._districts[text] = self._district(text)
        code, problem = self._districts[text]
        return code, (_copy(problem) if problem is not None else None)

    def _district(self, text: str) -> tuple[str | None, Problem | None]:
        match = self.ctx.district_index.resolve(text)
        if match.accepted:
            return match.code, None
        sugg = match.suggestions or self.ctx.district_index.suggest(text)
        return None, Problem(
            "district",
            self._col("district"),
            text,
            "district_unknown",
            suggestions=[{"code": c.code, "name": c.name} for c in sugg],
        )

    def resolve(
        self, name: str | None, code: str | None, district: str | None, preferred: int | None
    ) -> Resolution:
        key = (name, code, district, preferred)
        if key not in self._cache:
            self._cache[key] = self._resolve(name, code, district, preferred)
        return self._cache[key]

    def _order(self, preferred: int | None) -> tuple[int, ...]:
        if self.forced:
            return (self.forced,)
        first = preferred or 2019
        return (first, *(v for v in VINTAGES if v != first))

    def _resolve(self, name, code, district, preferred) -> Resolution:
        problems: list[Problem] = []
        district_code, dproblem = self.district(district)
        if dproblem:
            problems.append(dproblem)
        order = self._order(preferred)
        if code:
            return self._by_code(name, code, district_code, order, problems)
        if not name:
            return Resolution(
                None, None, (Problem("commune", self._col("commune"), "", "commune_missing"),)
            )
        return self._by_name(name, district_code, order, preferred, problems)

    def _by_code(self, name, code, district_code, order, problems) -> Resolution:
        found = self.ctx.find_code(code, order)
        col = self._col("commune_code")
        if found is None:
            sugg = []
            if name:
                sugg = self._labels(order[0], self.ctx.indexes[order[0]].suggest(name))
            problems.append(Problem("commune_code", col, code, "code_unknown", suggestions=sugg))
            return Resolution(None, None, tuple(problems))
        vintage, unit_code = found
        unit = self.ctx.unit(vintage, unit_code)
        if name:
            match = self.ctx.indexes[vintage].resolve(name, parent=None)
            same = match.accepted and match.code == unit_code
            if not same and not self._name_fits(name, unit_code, vintage):
                problems.append(
                    Problem(
                        "commune",
                        self._col("commune"),
                        name,
                        "code_name_mismatch",
                        {"name": unit["name"], "written": name},
                        suggestions=[self.ctx.label(vintage, unit_code)]
                        + (self._labels(vintage, [match]) if match.accepted else []),
                    )
                )
                problems[-1].value = code
        self._check_district(name or code, vintage, unit_code, district_code, problems)
        return Resolution(vintage, unit_code, tuple(problems))

    def _name_fits(self, name: str, code: str, vintage: int) -> bool:
        # the name may be written as in another list (a commune merged into this unit)
        for v in VINTAGES:
            m = self.ctx.indexes[v].resolve(name)
            if (
                m.accepted
                and self.ctx.codes_in_all_vintages(v, m.code).get(f"code_{vintage}") == code
            ):
                return True
        return False

    def _check_district(self, value, vintage, code, district_code, problems) -> None:
        if district_code is None or vintage == 2025:
            return
        actual = self.ctx.unit(vintage, code)["district_code"]
        if actual != district_code:
            problems.append(
                Problem(
                    "commune",
                    self._col("commune"),
                    value,
                    "commune_wrong_district",
                    {
                        "district": self.ctx.districts.get(district_code),
                        "actual": self.ctx.districts.get(actual),
                    },
                    suggestions=[self.ctx.label(vintage, code)],
                )
            )

    def _by_name(self, name, district_code, order, preferred, problems) -> Resolution:
        col = self._col("commune")
        first: tuple[int, Match] | None = None
        for vintage in order:
            if vintage == 2025 and district_code is not None and self.forced != 2025:
                continue  # a district names a unit of the lists before districts were abolished
            parent = district_code if vintage != 2025 else None
            match = self.ctx.indexes[vintage].resolve(name, parent=parent)
            if first is None:
                first = (vintage, match)
            if match.accepted:
                if preferred and vintage != preferred:
                    problems.append(
                        Problem("commune", col, name, "commune_other_vintage", {"vintage": vintage})
                    )
                return Resolution(vintage, match.code, tuple(problems))
        assert first is not None
        return self._not_found(name, district_code, order, first, problems)

    def _ambiguous(self, name, vintage, match, problems) -> Resolution:
        """A name that fits several units of ``vintage``: refused, the units as suggestions."""
        labels = self._labels(vintage, match.suggestions)
        problems.append(
            Problem("commune", self._col("commune"), name, "commune_ambiguous", suggestions=labels)
        )
        return Resolution(None, None, tuple(problems))

    def _not_found(self, name, district_code, order, first, problems) -> Resolution:
        """A name no list accepted: in another district, ambiguous, approximate (with
        suggestions, or taken with ``accept_suggestions``) or unknown."""
        col = self._col("commune")
        vintage, match = first
        if district_code is not None:  # the right name in the wrong district?
            for v in order:
                anywhere = self.ctx.indexes[v].resolve(name)
                if anywhere.accepted:
                    self._check_district(name, v, anywhere.code, district_code, problems)
                    return Resolution(None, None, tuple(problems))
                if anywhere.how == "ambiguous":
                    return self._ambiguous(name, v, anywhere, problems)
        if match.how == "ambiguous":
            return self._ambiguous(name, vintage, match, problems)
        if match.how == "approximate":
            labels = self._labels(vintage, match.suggestions)
            if self.accept:
                problems.append(
                    Problem(
                        "commune",
                        col,
                        name,
                        "commune_suggestion_accepted",
                        {"name": labels[0]["name"]},
                        suggestions=labels,
                    )
                )
                return Resolution(vintage, match.suggestions[0].code, tuple(problems))
            problems.append(
                Problem("commune", col, name, "commune_approximate", suggestions=labels)
            )
            return Resolution(None, None, tuple(problems))
        sugg = self.ctx.indexes[vintage].suggest(name)
        problems.append(
            Problem(
                "commune", col, name, "commune_unknown", suggestions=self._labels(vintage, sugg)
            )
        )
        return Resolution(None, None, tuple(problems))


# --------------------------------------------------------------------------------------------
# Field parsers
# --------------------------------------------------------------------------------------------


def _criteria(text: str) -> str:
    numbers = re.findall(r"\d+", text)
    if not numbers or any(not 1 <= int(n) <= 19 for n in numbers):
        raise parsing.ParseError("criterion_unknown")
    return ";".join(str(int(n)) for n in dict.fromkeys(numbers))


def _norm(text: str | None) -> str:
    return " ".join(str(text or "").casefold().split())


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


class _RowCheck:
    """One row's cells and the problems found in it. A cell longer than its field's limit is
    an error of that row and column and is not read further (no name matching on it)."""

    def __init__(
        self,
        raw: RawRow,
        columns: dict[str, str],
        limits: Limits = DEFAULT,
        memo: dict | None = None,
    ) -> None:
        self.raw = raw
        self.columns = columns
        self.memo = memo if memo is not None else {}
        self.problems: list[Problem] = []
        self.cells = raw.cells
        long = {}
        if max(map(len, raw.cells.values()), default=0) > limits.max_place_chars:
            long = {f: v for f, v in raw.cells.items() if len(v) > limits.text_limit(f)}
        self.too_long = frozenset(long)
        if long:
            self.cells = {f: v for f, v in raw.cells.items() if f not in long}
            for name, text in long.items():
                column = columns.get(name, name)
                details = {"field": column, "length": f"{len(text):,}"}
                self.add(name, "text_too_long", clip(text), limit=f"{limits.text_limit(name):,}")
                self.problems[-1].details.update(details)

    def get(self, name: str) -> str | None:
        value = self.cells.get(name)
        return value if value else None

    def add(self, column: str, reason: str, value: str | None = None, /, **details: Any) -> None:
        self.problems.append(
            Problem(
                column,
                self.columns.get(column, column),
                value if value is not None else (self.get(column) or ""),
                reason,
                details,
            )
        )

    def parse(self, name: str, parser, *args):
        text = self.get(name)
        if text is None:
            return None
        found = self.once(parser, text, *args)
        if isinstance(found, _Failed):
            self.add(name, found.reason, text, **found.details)
            return None
        return found

    def once(self, fn, *args):
        """``fn(*args)`` of a pure function, remembered for the run (a column's values repeat
        down the file: years, amounts, kinds, statuses); a :class:`parsing.ParseError` comes
        back as a :class:`_Failed`."""
        key = (fn, *args)
        found = self.memo.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = fn(*args)
            except parsing.ParseError as exc:
                found = _Failed(exc.reason, exc.details)
            if len(self.memo) < MEMO_SIZE:
                self.memo[key] = found
        return found


MEMO_SIZE = 20_000
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Failed:
    reason: str
    details: dict[str, Any]


def validate(
    table: RawTable,
    kind: str,
    ctx: ImportContext,
    *,
    vintage: int | None = None,
    accept_suggestions: bool = False,
    overrides: dict[int, str] | None = None,
    limits: Limits = DEFAULT,
    deadline: Deadline | None = None,
) -> Report:
    """Check every row of a table read by :func:`geodata.imports.reader.open_table` (or
    ``read_table``), one row at a time as the table's body streams.

    ``overrides`` maps a row number to the commune code a person chose for it (for example by
    clicking a suggestion); ``vintage`` forces one list of units for every row. Text longer
    than ``limits`` allow is an error of its row; the ``deadline`` is checked as rows go. The
    first ``limits.problems_per_reason`` problems of each reason are kept in full, the rest
    counted (:attr:`Report.reasons`, :attr:`RowResult.left_out`).
    """
    overrides = overrides or {}
    resolver = Resolver(ctx, table.columns, vintage=vintage, accept_suggestions=accept_suggestions)
    results: list[RowResult] = []
    reasons: Counter = Counter()
    spool = RecordSpool()
    duplicates = _Duplicates(kind, spool)
    section: tuple[int, str] | None = None
    agency_keys = {header_key(n): n for n in ctx.agency_names}
    memo: dict = {}
    for i, item in enumerate(table.body):
        if deadline is not None and i % 1000 == 0:
            deadline.check()
        if isinstance(item, SkippedRow):
            row, section = _skipped(item, kind, ctx, resolver, section)
        else:
            check = _RowCheck(item, table.columns, limits, memo)
            if kind == "agencies":
                row = _agency(check, agency_keys)
            else:
                row = _programme_row(check, kind, ctx, resolver, section, overrides.get(item.row))
            duplicates.check(row)
        result = row.result
        if result.problems:
            _keep_first(result, reasons, limits.problems_per_reason)
        if row.record is not None and result.status in ("ok", "warning"):
            result.spool, result.at = spool, spool.add(row.record, row.key)
        results.append(result)
    summary = _summary(table, kind, vintage, accept_suggestions, len(results))
    return Report(kind, summary, results, reasons, spool)


def _skipped(
    item: SkippedRow,
    kind: str,
    ctx: ImportContext,
    resolver: Resolver,
    section: tuple[int, str] | None,
) -> tuple[_Checked, tuple[int, str] | None]:
    """A row set aside, and the section the rows below belong to (a heading of one value
    that names a district starts one)."""
    reason, text, details = item.reason, item.text, {}
    if reason == "single_value_row" and kind != "agencies":
        code = resolver.district(re.sub(r"^[IVXLC\d]+[.)]?\s+", "", text))[0]
        if code:
            section = (item.row, code)
            reason, details = "section_row", {"name": ctx.districts[code]}
    problem = Problem("", "", text, reason, details)
    return _Checked(RowResult(item.row, "skipped", problems=[problem])), section


def _keep_first(result: RowResult, reasons: Counter, cap: int) -> None:
    """Count a row's problems by reason; keep those within the first ``cap`` of their reason."""
    kept = []
    for p in result.problems:
        counted = reasons[p.severity, p.reason] = reasons[p.severity, p.reason] + 1
        if counted <= cap:
            kept.append(p)
    result.left_out = len(result.problems) - len(kept)
    result.problems = kept


def _summary(
    table: RawTable, kind: str, vintage: int | None, accept_suggestions: bool, rows: int
) -> dict[str, Any]:
    return {
        "kind": kind,
        "file": table.path.name,
        "format": table.file_format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": table.columns,
        "ignored_columns": table.ignored_columns,
        "vintage": vintage,
        "accept_suggestions": accept_suggestions,
        "rows": rows,
    }


#: What makes two rows the same row, by import kind.
DUPLICATE_KEYS = {
    "assignments": "sponsor, commune and period",
    "projects": "commune, title, village, year and sponsor",
    "agencies": "name",
}


@dataclass(slots=True)
class _Checked:
    """A row's result, with its record and key while the row is being checked."""

    result: RowResult
    record: dict[str, Any] | None = None
    key: tuple | None = None


class _Duplicates:
    """Rows whose key came before: the same row again is skipped, the same key with other
    values is an error. Keeps the hash of each key (the key itself is in the spool)."""

    def __init__(self, kind: str, spool: RecordSpool) -> None:
        self.what = DUPLICATE_KEYS[kind]
        self.spool = spool
        self.seen: dict[int, tuple[int, int]] = {}  # hash of the key → (row, record number)

    def check(self, row: _Checked) -> None:
        """Before the row's record is spooled (a row seen first is spooled next)."""
        result, key = row.result, row.key
        if key is None or result.status not in ("ok", "warning") or None in key[:1]:
            return
        digest = hash(key)
        first = self.seen.get(digest)
        if first is None:
            self.seen[digest] = (result.row, self.spool.count)
            return
        earlier, earlier_key = self.spool.read(first[1])
        if earlier_key != key:  # two keys with one hash: not a duplicate (and very rare)
            return
        same = row.record is not None and _hashed(row.record)["row_hash"] == earlier["row_hash"]
        reason = "duplicate_row" if same else "duplicate_key"
        result.problems.append(Problem("", "", "", reason, {"other": first[0], "what": self.what}))
        result.status = "skipped" if same else "error"
        row.record = None


def _finish(
    check: _RowCheck, record: dict | None, key: tuple | None, code: str | None = None
) -> _Checked:
    if check.too_long:  # a field too long to read is not also "missing"
        check.problems = [
            p
            for p in check.problems
            if p.field not in check.too_long or p.reason == "text_too_long"
        ]
    severities = {p.severity for p in check.problems}
    status = (
        "error"
        if "error" in severities
        else "skipped"
        if "skipped" in severities
        else "warning"
        if severities
        else "ok"
    )
    if record is not None:  # its row_hash is added when it is read back (_hashed)
        record["source_row"] = check.raw.row
    return _Checked(
        RowResult(check.raw.row, status, code, check.problems),
        record if status in ("ok", "warning") else None,
        key,
    )


#: ``json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)``, made once (dumps
#: makes a new encoder on every call when given options).
_ENCODE = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode


def _hashed(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record with its ``row_hash``: the hash of everything but ``source_row``
    (computed only for the records read back: an import, not a dry run)."""
    out = dict(record)
    out["row_hash"] = _hash({k: v for k, v in record.items() if k != "source_row"})
    return out


def _hash(record: dict) -> str:
    """The row's content hash (stored: a re-import compares it to tell changed rows).

    >>> _hash({"title": "Cầu", "cost_vnd": 81_000_000, "year_start": None})
    '155e7e1a08382751'
    """
    return hashlib.sha1(_ENCODE(record).encode()).hexdigest()[:16]


def _agency(check: _RowCheck, known: dict[str, str]) -> _Checked:
    name = check.get("name")
    if not name:
        check.add("name", "name_missing", "")
        return _finish(check, None, None)
    key = header_key(name)
    if key in known:
        check.add("name", "agency_exists", name, name=known[key])
        return _finish(check, None, None)
    kind = check.get("kind")
    record = {
        "name": name,
        "abbreviation": check.get("abbreviation"),
        "kind": check.once(SponsorKind.parse, kind or name) or SponsorKind.OTHER,
        "role_in_dataset": check.get("role") or "imported",
        "source_url": check.get("source_url"),
    }
    return _finish(check, record, (key,))


@dataclass(frozen=True)
class _When:
    start: int | None
    end: int | None
    date: Any  # datetime.date | None
    preferred: int | None  # the list of units in force for the row's period


def _programme_row(
    check: _RowCheck,
    kind: str,
    ctx: ImportContext,
    resolver: Resolver,
    section: tuple[int, str] | None,
    override: str | None,
) -> _Checked:
    """An assignment or project row: when (the period decides the list of units in force),
    where (the commune, in every vintage), what (the fields of its kind), its source."""
    when = _when(check, kind)
    district_text = _district_text(check, ctx, section)
    res = _where(check, ctx, resolver, when, district_text, override)
    codes = ctx.codes_in_all_vintages(res.vintage, res.code) if res.code is not None else {}
    if kind == "assignments":
        record, key = _assignment_fields(check, when, district_text, res, codes)
    else:
        record, key = _project_fields(check, ctx, when, district_text, res, codes)
    if res.code is not None:
        record.update(_commune_fields(check, ctx, res, codes, record))
    record.update(
        {
            "source_url": check.get("source_url"),
            "source_date": check.get("source_date"),
            "confidence": check.get("confidence") or "high",
        }
    )
    return _finish(check, record, key, res.code)


def _when(check: _RowCheck, kind: str) -> _When:
    date = check.parse("date", parsing.parse_date)
    if kind == "assignments":
        start, end = check.parse("period", parsing.parse_period) or (None, None)
        start = check.parse("period_start", parsing.parse_year) or start
        end = check.parse("period_end", parsing.parse_year) or end
        if start and end and start > end:
            check.add("period", "period_reversed", f"{start}–{end}")
    else:
        start, end = check.parse("year", parsing.parse_period) or (None, None)
        if start is None and date is not None:
            start = end = date.year
    preferred = vintage_in_force(start, date if kind == "projects" else None)
    return _When(start, end, date, preferred)


def _district_text(
    check: _RowCheck, ctx: ImportContext, section: tuple[int, str] | None
) -> str | None:
    """The district as written, or the one of the section heading above the row."""
    district_text = check.get("district")
    if not district_text and section is not None:
        district_text = ctx.districts[section[1]]
        check.add("district", "district_from_section", district_text, section_row=section[0])
    return district_text


def _where(
    check: _RowCheck,
    ctx: ImportContext,
    resolver: Resolver,
    when: _When,
    district_text: str | None,
    override: str | None,
) -> Resolution:
    """The row's commune: the one a person chose (``override``), or resolved from the row."""
    if not override:
        res = resolver.resolve(
            check.get("commune"), check.get("commune_code"), district_text, when.preferred
        )
        check.problems.extend(_copy(p) for p in res.problems)
        return res
    order = (resolver.forced,) if resolver.forced else (when.preferred or VINTAGES[0], *VINTAGES)
    found = ctx.find_code(override, order)
    if found is None:
        check.add("commune_code", "code_unknown", override)
        return Resolution(None, None)
    name = ctx.unit(*found)["name"]
    check.add("commune", "commune_chosen", check.get("commune") or override, name=name)
    return Resolution(found[0], found[1])


def _assignment_fields(
    check: _RowCheck, when: _When, district_text: str | None, res: Resolution, codes: dict
) -> tuple[dict[str, Any], tuple]:
    sponsor = check.get("sponsor")
    if not sponsor:
        check.add("sponsor", "sponsor_missing", "")
    skind = check.get("sponsor_kind")
    record = {
        "sponsor_name": sponsor,
        "sponsor_kind": (check.once(SponsorKind.parse, skind) if skind else None)
        or check.once(SponsorKind.parse, sponsor)
        or SponsorKind.OTHER,
        "commune_as_written": check.get("commune") or check.get("commune_code"),
        "district_name": district_text,
        "period_start_year": when.start,
        "period_end_year": when.end,
        "activities_summary": check.get("activities"),
        "notes": check.get("notes"),
    }
    key = (_norm(sponsor), codes.get("code_2019") or res.code, when.start, when.end)
    return record, key


def _project_fields(
    check: _RowCheck,
    ctx: ImportContext,
    when: _When,
    district_text: str | None,
    res: Resolution,
    codes: dict,
) -> tuple[dict[str, Any], tuple]:
    title = check.get("title")
    if not title:
        check.add("title", "title_missing", "")
    kind_text = check.get("kind")
    pkind = check.once(ProjectKind.parse, kind_text or _numberless(title))
    if kind_text and pkind is None:
        check.add(
            "kind",
            "kind_unknown",
            kind_text,
            choices=", ".join(ProjectKind.values()),
            choices_vi=", ".join(translator("vi")(k.label_key).lower() for k in ProjectKind),
        )
    cost, status = _cost(check), _status(check)
    criterion = check.parse("criterion", _criteria)
    sponsor = check.get("sponsor")
    lonlat = _coordinates(check, ctx, res, codes)
    date = when.date
    record = {
        "kind": pkind or "other",
        "title": title,
        "commune_as_written": check.get("commune") or check.get("commune_code"),
        "district_name": district_text,
        "village": check.get("village"),
        "year": check.get("year") or (str(date.year) if date else None),
        "ntm_criterion": criterion,
        "sponsor_name": sponsor,
        "cost_vnd": cost,
        "quantity_notes": check.get("quantity"),
        "year_start": when.start,
        "year_end": when.end,
        "agency": _agency_of(sponsor, ctx),
        "status": status,
        "location_precision": "surveyed" if lonlat else "commune",
        "lon": lonlat[0] if lonlat else None,
        "lat": lonlat[1] if lonlat else None,
        "date": date.isoformat() if date else None,
        "notes": check.get("notes"),
    }
    key = (
        codes.get("code_2019") or res.code,
        _norm(title),
        _norm(check.get("village")),
        when.start,
        _norm(sponsor),
        record["date"],
    )
    return record, key


_DIGITS = re.compile(r"\d+")


def _numberless(title: str | None) -> str | None:
    """A title with its numbers as 0: the kind of project it names is the same (no word of
    :class:`ProjectKind` has a digit), and "Nhà văn hóa thôn 3", "… thôn 4" are parsed once.

    >>> _numberless("Nhà văn hóa thôn 12, tổ 3"), ProjectKind.parse("Cầu số 7")
    ('Nhà văn hóa thôn 0, tổ 0', <ProjectKind.BRIDGE: 'bridge'>)
    >>> any(c.isdigit() for words in ProjectKind.WORDS.values() for w in words for c in w)
    False
    """
    return _DIGITS.sub("0", title) if title else title


def _cost(check: _RowCheck) -> int | None:
    if not check.get("cost"):
        return None
    parsed = check.parse(
        "cost", parsing.parse_amount, check.once(_multiplier, check.columns.get("cost", ""))
    )
    if parsed is None:
        return None
    cost, approx = parsed
    if approx:
        check.add("cost", "amount_approximate", amount=f"{cost:,}".replace(",", "."))
    return cost


def _status(check: _RowCheck) -> str | None:
    status_text = check.get("status")
    if not status_text:
        return None
    status = check.once(ProjectStatus.parse, status_text)
    if status is None:
        check.add("status", "status_unknown")
        return status_text
    return status


def _commune_fields(
    check: _RowCheck, ctx: ImportContext, res: Resolution, codes: dict, record: dict
) -> dict[str, Any]:
    """The resolved commune's code, name and district, and its codes in every vintage."""
    unit = ctx.unit(res.vintage, res.code)
    district_code = unit.get("district_code")
    if res.vintage == 2025 and codes.get("code_2019") is None and not record.get("lon"):
        check.add(
            "commune",
            "vintage_2025_predecessor_unknown",
            check.get("commune") or "",
            name=unit["name"],
        )
    return {
        "vintage": res.vintage,
        "commune_code": res.code,
        "commune": unit["name"],
        "district_code": district_code if isinstance(district_code, str) else None,
        **codes,
    }


def _multiplier(header: str) -> int:
    from geodata.imports.columns import amount_multiplier

    return amount_multiplier(header)


def _agency_of(sponsor: str | None, ctx: ImportContext) -> str | None:
    """The known agency a sponsor text names (cached per context)."""
    if not sponsor:
        return None
    cache = ctx.agency_matches
    if sponsor not in cache:
        import pandas as pd

        cache[sponsor] = match_agency(sponsor, pd.Series(ctx.agency_names, dtype=object))
    return cache[sponsor]


def _copy(p: Problem) -> Problem:
    return Problem(p.field, p.column, p.value, p.reason, dict(p.details), list(p.suggestions))


def _coordinates(
    check: _RowCheck, ctx: ImportContext, res: Resolution, codes: dict
) -> tuple[float, float] | None:
    a_text, b_text = check.get("lon"), check.get("lat")
    column = "lon"
    if check.get("coordinates") and not (a_text or b_text):
        column = "coordinates"
        try:
            first, second = parsing.split_pair(check.get("coordinates"))
        except parsing.ParseError:
            check.add("coordinates", "coordinate_unreadable")
            return None
        a_text, b_text = second, first  # "lat, lon" is how maps copy them; order is detected anyway
    if not a_text and not b_text:
        return None
    if not (a_text and b_text):
        check.add("lon" if a_text else "lat", "coordinate_incomplete", a_text or b_text)
        return None
    try:
        a, b = parsing.parse_coordinate(a_text), parsing.parse_coordinate(b_text)
    except parsing.ParseError:
        check.add(column, "coordinate_unreadable", f"{a_text}, {b_text}")
        return None
    value = f"{a_text}, {b_text}"
    point = _to_lonlat(a, b, ctx, check, column, value)
    if point is None:
        return None
    lon, lat = point
    if not ctx.in_province(lon, lat):
        check.add(column, "point_outside_province", value, lon=round(lon, 5), lat=round(lat, 5))
        return None
    if res.code is not None:
        distance = ctx.distance_m(res.vintage, res.code, lon, lat)
        if distance > 0:
            actual = ctx.commune_at(res.vintage, lon, lat)
            details = {
                "lon": round(lon, 5),
                "lat": round(lat, 5),
                "distance_m": round(distance),
                "name": ctx.unit(res.vintage, res.code)["name"],
                "actual": ctx.unit(res.vintage, actual)["name"] if actual else "?",
            }
            reason = "point_near_commune" if distance <= NEAR_COMMUNE_M else "point_outside_commune"
            check.add(column, reason, value, **details)
            if actual and reason == "point_outside_commune":
                check.problems[-1].suggestions = [ctx.label(res.vintage, actual)]
        if res.vintage == 2025 and codes.get("code_2019") is None:
            for v in (2019, 2020):
                codes[f"code_{v}"] = ctx.commune_at(v, lon, lat)
    return round(lon, 7), round(lat, 7)


def _to_lonlat(a: float, b: float, ctx: ImportContext, check: _RowCheck, column: str, value: str):
    minx, miny, maxx, maxy = ctx.province_bounds

    def inside(lon, lat):
        return minx - 0.3 <= lon <= maxx + 0.3 and miny - 0.3 <= lat <= maxy + 0.3

    if abs(a) <= 180 and abs(b) <= 180:
        if inside(a, b) or not inside(b, a):
            return a, b
        check.add(column, "coordinates_swapped", value, lon=b, lat=a)
        return b, a
    if min(a, b) > 1000:
        northing, easting = max(a, b), min(a, b)
        for name, transformer in ctx.vn2000.items():
            lon, lat = transformer.transform(easting, northing)
            if ctx.in_province(lon, lat):
                check.add(
                    column,
                    "coordinates_vn2000",
                    value,
                    crs=name,
                    lon=round(lon, 5),
                    lat=round(lat, 5),
                )
                return lon, lat
        lon, lat = next(iter(ctx.vn2000.values())).transform(easting, northing)
        check.add(column, "point_outside_province", value, lon=round(lon, 5), lat=round(lat, 5))
        return None
    check.add(column, "coordinate_unreadable", value)
    return None
