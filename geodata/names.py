"""Match Vietnamese administrative-unit names to GSO codes.

Names of communes, wards and districts arrive written in many ways: old or new tone-mark
placement ("Hoà"/"Hòa", "Thuỷ"/"Thủy"), with or without the unit word ("Xã", "Phường",
"Thị trấn"), abbreviated ("TT.", "P.") or as a suffix ("Bằng Lũng (thị trấn)"), with i/y
interchanged ("Sĩ"/"Sỹ"), without diacritics ("Xuan Lac"), without spaces as in GADM
("XuânLạc"), in decomposed Unicode, or with the look-alike letter Ð (U+00D0) for Đ (U+0110).

This module turns such a name into comparison keys and resolves it against a list of
official units, level by level, from the strictest to the loosest. A match that is only
approximate is never accepted silently: it comes back without a code and with suggestions.

Pure standard library; no pandas needed (pass ``df.to_dict("records")`` to
:meth:`NameIndex.from_records`).

Examples
--------
>>> units = [Candidate("02023", "Xã Xuân Lạc", "064"), Candidate("01873", "Xã Xuân La", "060")]
>>> index = NameIndex(units)
>>> index.resolve("XuânLạc").code, index.resolve("XuânLạc").how
('02023', 'compact')
>>> m = index.resolve("Xuân Lặc")
>>> m.accepted, m.how, m.suggestions[0].name
(False, 'approximate', 'Xã Xuân Lạc')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = [
    "ACCEPTED_HOWS",
    "HOWS",
    "Candidate",
    "Match",
    "NameIndex",
    "compact",
    "loose_key",
    "name_key",
    "strip_unit_prefix",
]

#: Every value :attr:`Match.how` can take, strictest first.
HOWS = (
    "code",
    "exact",
    "compact",
    "unaccented",
    "variant",
    "approximate",
    "ambiguous",
    "none",
)
#: The levels at which :meth:`NameIndex.resolve` accepts a match (gives a code).
ACCEPTED_HOWS = frozenset({"code", "exact", "compact", "unaccented", "variant"})

#: Minimum similarity (difflib ratio on unaccented keys without spaces) of a suggestion.
SUGGEST_CUTOFF = 0.6
#: Suggestions more than this below the best one's similarity are left out.
SUGGEST_SPREAD = 0.15

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# The five Vietnamese tone marks as combining characters: huyền, sắc, ngã, hỏi, nặng.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Invisible characters that sneak in from copy-paste and office files.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Legacy look-alikes of Đ/đ: Icelandic eth (U+00D0/U+00F0) and African D (U+0189/U+0256).
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ"})

_UNIT_WORDS = r"thị\s*trấn|thị\s*xã|thành\s*phố|xã|phường|huyện|quận|tỉnh"
# Unit words without diacritics; deliberately short ("huyen", "quan", "tinh" are also real
# name syllables: Huyền Tụng, Quân Bình), and NameIndex also tries the name unstripped.
_ASCII_UNIT_WORDS = r"thi\s*tran|thi\s*xa|thanh\s*pho|xa|phuong"
_WORD_PREFIX_RE = re.compile(rf"(?:{_UNIT_WORDS})", re.IGNORECASE)
_ASCII_PREFIX_RE = re.compile(rf"(?:{_ASCII_UNIT_WORDS})", re.IGNORECASE)
# Abbreviations: TT/TP/TX with a dot or a space; one-letter P./X./H./Q. only with the dot
# ("Phong Huân" starts with P).
_ABBREV_PREFIX_RE = re.compile(r"(?:tt|tp|tx)(?:\.\s*|\s+)|[pxhq]\.\s*", re.IGNORECASE)
_SUFFIX_RE = re.compile(
    rf"\s*\(\s*(?:{_UNIT_WORDS}|{_ASCII_UNIT_WORDS}|huyen|quan|tinh|tt|tp|tx|[pxhq])\.?\s*\)$",
    re.IGNORECASE,
)
_CODE_RE = re.compile(r"\d{1,5}(?:\.0*)?")
# A syllable whose whole rhyme is the vowel y after an optional onset ("sy", "ky", "quy", "y"):
# there y and i are interchangeable spellings. Not "uy" after another onset (Thuỷ is not Thui),
# nor "ay"/"ây" (Tây is not Tâi), nor "yê" (Yên).
_Y_SYLLABLE_RE = re.compile(r"(?:b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?y")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _clean(text: object) -> str:
    """NFC, look-alike letters fixed, invisible characters dropped, whitespace collapsed."""
    if text is None or (isinstance(text, float) and text != text):  # None or NaN
        return ""
    text = _nfc(str(text).translate(_INVISIBLE).translate(_LOOKALIKES))
    return " ".join(text.split())  # str.split() knows NBSP, thin spaces, tabs, ideographic space


_UNIT_TYPES = {
    "thitran": "thị trấn",
    "tt": "thị trấn",
    "thixa": "thị xã",
    "tx": "thị xã",
    "thanhpho": "thành phố",
    "tp": "thành phố",
    "xa": "xã",
    "x": "xã",
    "phuong": "phường",
    "p": "phường",
    "huyen": "huyện",
    "h": "huyện",
    "quan": "quận",
    "q": "quận",
    "tinh": "tỉnh",
}


def _unit_type(word: str) -> str | None:
    """Canonical unit word ("thị trấn") of a written one ("TT.", "Thi tran", "Thịtrấn")."""
    return _UNIT_TYPES.get("".join(_unaccent(word).replace(".", "").split()))


def _split_unit(text: str, *, ascii_words: bool = True) -> tuple[str, str | None]:
    """Split one unit prefix or parenthesised unit suffix off cleaned text, keeping case.

    Returns the rest and the canonical unit word (None when nothing was removed).
    """
    suffix = _SUFFIX_RE.search(text)
    if suffix and suffix.start() > 0:
        return text[: suffix.start()].rstrip(), _unit_type(suffix.group().strip(" ()"))
    abbrev = _ABBREV_PREFIX_RE.match(text)
    if abbrev and text[abbrev.end() :]:
        return text[abbrev.end() :], _unit_type(abbrev.group())
    for regex in (_WORD_PREFIX_RE, _ASCII_PREFIX_RE) if ascii_words else (_WORD_PREFIX_RE,):
        word = regex.match(text)
        if not word:
            continue
        rest = text[word.end() :]
        if rest[:1].isspace():  # "Xã Xuân Lạc"
            rest = rest.lstrip()
        elif not rest[:1].isupper():  # "Xãxyz", or the unit word is the whole name
            continue
        # else glued as in GADM: "ThànhPhốBắcKạn"
        if rest:
            return rest, _unit_type(word.group())
    return text, None


def _strip(text: str, *, ascii_words: bool = True) -> str:
    """Remove one unit prefix or parenthesised unit suffix from cleaned text, keeping case."""
    return _split_unit(text, ascii_words=ascii_words)[0]


def strip_unit_prefix(text: str) -> str:
    """Drop the unit word from a name, keeping the case of the rest.

    Handles the prefixes Xã, Phường, Thị trấn, Thị xã, Thành phố, Huyện, Quận, Tỉnh (any case,
    and "Xa", "Phuong", "Thi tran", "Thi xa", "Thanh pho" without diacritics), the
    abbreviations TT., TT, TP., TP, TX., TX, P., X., H., Q. (the one-letter ones only with a
    dot), GADM's glued form ("ThànhPhốBắcKạn") and the suffix form "Bằng Lũng (thị trấn)".
    Only one unit word is removed, and never when it is the whole name. The text is also
    NFC-normalised, Ð (U+00D0) becomes Đ, and whitespace is collapsed.

    Parameters
    ----------
    text : str
        A unit name as written anywhere.

    Returns
    -------
    str
        The name without its unit word.

    Examples
    --------
    >>> strip_unit_prefix("Xã Xuân Lạc")
    'Xuân Lạc'
    >>> strip_unit_prefix("TT. Bằng Lũng"), strip_unit_prefix("Bằng Lũng (thị trấn)")
    ('Bằng Lũng', 'Bằng Lũng')
    >>> strip_unit_prefix("P. Sông Cầu"), strip_unit_prefix("Phong Huân")
    ('Sông Cầu', 'Phong Huân')
    >>> strip_unit_prefix("ThànhPhốBắcKạn"), strip_unit_prefix("Thị trấn")
    ('BắcKạn', 'Thị trấn')
    """
    return _strip(_clean(text))


def _syllables(stripped: str) -> list[tuple[str, str]]:
    """Split casefolded text at spaces into (syllable without tone marks, its tone marks)."""
    out = []
    for token in stripped.casefold().split():
        decomposed = _nfd(token)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = _nfc("".join(c for c in decomposed if c not in _TONE_MARKS))
        out.append((base, tones))
    return out


def _join(syllables: Iterable[tuple[str, str]]) -> str:
    return " ".join(_nfc(base + tones) for base, tones in syllables)


def _fold_y(base: str) -> str:
    return base[:-1] + "i" if _Y_SYLLABLE_RE.fullmatch(base) else base


def _unaccent(text: str) -> str:
    text = "".join(c for c in _nfd(text.casefold()) if not unicodedata.combining(c))
    return _nfc(text.replace("đ", "d"))


def _is_plain(stripped: str) -> bool:
    """True when the text carries no diacritic at all (no combining mark, no đ)."""
    return _unaccent(stripped) == _nfc(stripped.casefold())


def name_key(text: str) -> str:
    """Key for exact name matching, independent of tone-mark placement.

    The text is NFC-normalised, Ð/ð become Đ/đ, whitespace is collapsed, the unit word is
    removed (:func:`strip_unit_prefix`) and the text is casefolded. Then, in each
    space-separated syllable, the tone mark (grave, acute, tilde, hook above, dot below) is
    moved to the end of the syllable, so that old and new placement give the same key. The
    vowel-quality marks (ă â ê ô ơ ư) and đ are kept, and so is the difference between i and y.

    Parameters
    ----------
    text : str
        A unit name as written anywhere.

    Returns
    -------
    str
        An NFC string; only meant for comparison with other keys (tone marks sit at
        the end of their syllable).

    Examples
    --------
    >>> name_key("Hoà") == name_key("Hòa"), name_key("Thuỷ") == name_key("Thủy")
    (True, True)
    >>> name_key("Hòa") == name_key("Hóa"), name_key("Sĩ") == name_key("Sỹ")
    (False, False)
    >>> name_key("XÃ  XUÂN\\u00a0LẠC") == name_key("xuân lạc") == name_key("Xuân Lạc (xã)")
    True
    >>> name_key("\\u00d0ồng Lạc") == name_key("Xã Đồng Lạc")
    True
    """
    return _join(_syllables(_strip(_clean(text))))


def loose_key(text: str) -> str:
    """Key without any diacritic: unit word removed, marks dropped, đ→d, casefolded.

    Parameters
    ----------
    text : str
        A unit name as written anywhere.

    Returns
    -------
    str
        Lower-case ASCII-like text with single spaces.

    Examples
    --------
    >>> loose_key("Xã Xuân Lạc")
    'xuan lac'
    >>> loose_key("Thị trấn  Bằng\\tLũng"), loose_key("Ðồng Lạc")
    ('bang lung', 'dong lac')
    """
    return " ".join(_unaccent(_strip(_clean(text))).split())


def compact(key: str) -> str:
    """The key with all spaces removed (GADM writes names without spaces).

    Examples
    --------
    >>> compact(loose_key("Xã Xuân Lạc"))
    'xuanlac'
    """
    return "".join(key.split())


def _tone_compact(syllables: Iterable[tuple[str, str]]) -> str:
    """Spaces removed and all tone marks gathered at the end, in order.

    Unlike ``compact(name_key(...))`` this does not depend on where the syllable boundaries
    are, so "bằnglũng" (no spaces, so one "syllable") equals "Bằng Lũng".
    """
    syllables = list(syllables)
    return "".join(b for b, _ in syllables) + "|" + "".join(t for _, t in syllables)


# --------------------------------------------------------------------------------------------
# Units and matches
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An official unit a name can resolve to.

    Attributes
    ----------
    code : str
        GSO code as text, e.g. "02023" (5 digits for communes).
    name : str
        Official display name, e.g. "Xã Xuân Lạc".
    parent : str or None
        Code of the parent unit (district code such as "064"), or None.
    """

    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class Match:
    """Result of :meth:`NameIndex.resolve`.

    Attributes
    ----------
    query : str
        The text as given.
    code, name : str or None
        Code and official name of the resolved unit; None unless accepted.
    how : str
        One of :data:`HOWS`: "code", "exact", "compact", "unaccented", "variant" (accepted),
        "approximate", "ambiguous" or "none" (not accepted).
    suggestions : tuple of Candidate
        For "approximate": the closest units, best first; for "ambiguous": all tied units.
    """

    query: str
    code: str | None
    name: str | None
    how: str
    suggestions: tuple[Candidate, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when the match gives a code (how is code/exact/compact/unaccented/variant)."""
        return self.how in ACCEPTED_HOWS


def _code_text(value: object, width: int) -> str | None:
    """Render a code read from a record: ints zero-padded, integral floats too, text stripped."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value).zfill(width)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)).zfill(width)
    text = str(value).strip()
    return text or None


def _same_code(value: str | None) -> str | None:
    """Comparison form of a code: digit strings compare by value ("063" == "63")."""
    if value is None:
        return None
    value = str(value).strip()
    return str(int(value)) if value.isdigit() else value


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------

_Keys = dict[str, set[str]]


def _keys(text: str) -> _Keys:
    """All lookup keys of a name, per level; names starting with an unaccented unit word
    ("Phuong Linh": Phường Linh or the commune Phương Linh?) get keys for both readings."""
    cleaned = _clean(text)
    keys: _Keys = {level: set() for level in ("exact", "compact", "plain", "variant", "folded")}
    for stripped in {_strip(cleaned), _strip(cleaned, ascii_words=False)}:
        syllables = _syllables(stripped)
        folded = [(_fold_y(b), t) for b, t in syllables]
        loose = compact(_unaccent(stripped))
        keys["exact"].add(_join(syllables))
        keys["compact"].add(_tone_compact(syllables))
        keys["plain"].add(loose)
        keys["variant"].add(_tone_compact(folded))
        keys["folded"].add("".join(_fold_y(s) for s in _unaccent(stripped).split()))
    return keys


class NameIndex:
    """Resolve written names of administrative units to their codes.

    Parameters
    ----------
    units : iterable of Candidate
        The official units (for example the communes of one vintage of the GSO list).

    Notes
    -----
    :meth:`resolve` tries the levels below in order and stops at the first one with a hit among
    the candidates; a unique hit is accepted, several hits give "ambiguous".

    1. "code": the text is a code of 1–5 digits (leading zeros optional, "2023.0" as written by
       spreadsheets accepted) equal in value to a candidate's code;
    2. "exact": equal :func:`name_key`;
    3. "compact": equal keys once spaces are removed ("XuânLạc", "ThànhPhốBắcKạn");
    4. "unaccented": only when the text has no diacritic at all: equal :func:`loose_key`
       without spaces ("Xuan Lac", "XuanLac");
    5. "variant": equal after folding a syllable-final y to i ("Sỹ Bình" = "Sĩ Bình",
       "Cao Kì" = "Cao Kỳ"; for text without diacritics on the loose key: "Sy Binh");
    6. otherwise "approximate" with code None and the closest units as suggestions
       (difflib ratio ≥ :data:`SUGGEST_CUTOFF` on unaccented keys), or "none".

    When several units tie at a level and the text names a unit word ("Thị trấn Phố Lu" where a
    district has both Thị trấn Phố Lu and Xã Phố Lu), the one unit of that kind is taken. A
    unit word that differs from a unique hit's does not block it (communes become wards).

    A text with diacritics that matches only once its diacritics are dropped ("Xuân Lác") is
    approximate: its writer meant some other tone, and guessing is left to a person.

    Examples
    --------
    >>> index = NameIndex([Candidate("01978", "Xã Sĩ Bình", "063")])
    >>> [index.resolve(t).how for t in ("01978", "Sĩ Bình", "SĩBình", "Si Binh", "Sỹ Bình")]
    ['code', 'exact', 'compact', 'unaccented', 'variant']
    >>> index.resolve("Sĩ Bình", parent="064").how
    'none'
    """

    def __init__(self, units: Iterable[Candidate]) -> None:
        self._units: tuple[Candidate, ...] = tuple(dict.fromkeys(units))
        self._by_level: dict[str, dict[str, list[Candidate]]] = {}
        self._by_code: dict[int, list[Candidate]] = {}
        self._suggest_keys: dict[Candidate, tuple[str, str]] = {}
        self._types: dict[Candidate, str | None] = {}
        self._by_parent: dict[str | None, tuple[Candidate, ...]] = {}
        for unit in self._units:
            self._by_parent.setdefault(_same_code(unit.parent), ())
            self._by_parent[_same_code(unit.parent)] += (unit,)
            for level, values in _keys(unit.name).items():
                for value in values:
                    bucket = self._by_level.setdefault(level, {}).setdefault(value, [])
                    if unit not in bucket:
                        bucket.append(unit)
            code = str(unit.code).strip()
            if code.isdigit():
                self._by_code.setdefault(int(code), []).append(unit)
            stripped, self._types[unit] = _split_unit(_clean(unit.name))
            self._suggest_keys[unit] = (
                compact(_unaccent(stripped)),
                _tone_compact(_syllables(stripped)),
            )

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        code: str = "code",
        name: str = "name",
        parent: str = "parent",
    ) -> NameIndex:
        """Build an index from mappings, e.g. ``df.to_dict("records")`` or csv.DictReader rows.

        Parameters
        ----------
        records : iterable of mapping
            One mapping per unit.
        code, name, parent : str
            The keys holding the unit code, its official name and its parent's code. A missing
            or empty parent (None, NaN, "") gives parent None.

        Notes
        -----
        Codes read as numbers (int, or integral float as pandas gives for a column with gaps)
        are zero-padded to 5 digits (commune codes); parent codes read as numbers are kept as
        written ("64"), which compares equal to "064" in :meth:`resolve`. Records without a
        code or name are skipped.

        Examples
        --------
        >>> rows = [{"code": 2023, "name": "Xã Xuân Lạc", "parent": "064"}]
        >>> NameIndex.from_records(rows).resolve("xuan lac").code
        '02023'
        """
        units = []
        for record in records:
            unit_code = _code_text(record.get(code), 5)
            unit_name = _clean(record.get(name))
            if unit_code is None or not unit_name:
                continue
            units.append(Candidate(unit_code, unit_name, _code_text(record.get(parent), 0)))
        return cls(units)

    def __len__(self) -> int:
        return len(self._units)

    @property
    def units(self) -> tuple[Candidate, ...]:
        """The indexed units, in the order given (duplicates dropped)."""
        return self._units

    def _candidates(self, parent: str | None) -> tuple[Candidate, ...]:
        if parent is None:
            return self._units
        return self._by_parent.get(_same_code(parent), ())

    def _levels(self, cleaned: str) -> Iterator[tuple[str, list[Candidate]]]:
        """(level, all units hit at that level), strictest level first, computed lazily."""
        if _CODE_RE.fullmatch(cleaned):
            yield "code", self._by_code.get(int(float(cleaned)), [])
        keys = _keys(cleaned)

        def hits(level: str) -> list[Candidate]:
            found: dict[Candidate, None] = {}
            for value in sorted(keys[level]):
                found.update(dict.fromkeys(self._by_level.get(level, {}).get(value, [])))
            return list(found)

        yield "exact", hits("exact")
        yield "compact", hits("compact")
        plain = _is_plain(_strip(cleaned))
        if plain:
            yield "unaccented", hits("plain")
        yield "variant", hits("variant") + (hits("folded") if plain else [])

    def resolve(self, text: str, parent: str | None = None) -> Match:
        """Resolve a written name (or a code) to one unit.

        Parameters
        ----------
        text : str
            A name as written anywhere, or a GSO code.
        parent : str, optional
            Only consider units whose parent is this code (digit strings compare by value).

        Returns
        -------
        Match
            ``code`` and ``name`` set only when ``accepted``; see the class notes for ``how``.

        Examples
        --------
        >>> index = NameIndex([Candidate("02020", "Thị trấn Bằng Lũng", "064")])
        >>> index.resolve("Bằng Lũng (thị trấn)").name
        'Thị trấn Bằng Lũng'
        >>> index.resolve("Paris")
        Match(query='Paris', code=None, name=None, how='none', suggestions=())
        """
        query = "" if text is None else str(text)
        cleaned = _clean(text)
        if cleaned:
            wanted = _same_code(parent)
            unit_type = _split_unit(cleaned)[1]
            for how, found in self._levels(cleaned):
                if parent is not None:
                    found = [u for u in found if _same_code(u.parent) == wanted]
                found = sorted(found, key=lambda u: u.code)
                if len(found) > 1 and unit_type is not None:
                    # "Thị trấn Phố Lu" and "Xã Phố Lu" in one district: the unit word decides
                    same_type = [u for u in found if self._types[u] == unit_type]
                    found = same_type if len(same_type) == 1 else found
                if len(found) == 1:
                    return Match(query, found[0].code, found[0].name, how)
                if found:
                    return Match(query, None, None, "ambiguous", tuple(found))
        suggestions = self.suggest(text, parent) if cleaned else ()
        return Match(query, None, None, "approximate" if suggestions else "none", suggestions)

    def suggest(self, text: str, parent: str | None = None, n: int = 3) -> tuple[Candidate, ...]:
        """The units whose names are closest to the text, best first.

        Similarity is difflib's ratio between unaccented keys without spaces; units below
        :data:`SUGGEST_CUTOFF`, or more than :data:`SUGGEST_SPREAD` below the best match, are
        left out. Ties are broken by similarity of the keys with
        diacritics, then by code.

        Parameters
        ----------
        text : str
            A name as written anywhere.
        parent : str, optional
            Only consider units whose parent is this code.
        n : int
            At most this many suggestions.

        Returns
        -------
        tuple of Candidate

        Examples
        --------
        >>> index = NameIndex([Candidate("02023", "Xã Xuân Lạc"), Candidate("01873", "Xã Xuân La")])
        >>> [c.name for c in index.suggest("Xuân Lặc")]
        ['Xã Xuân Lạc', 'Xã Xuân La']
        """
        cleaned = _clean(text)
        if not cleaned or n <= 0:
            return ()
        queries = []
        for stripped in {_strip(cleaned), _strip(cleaned, ascii_words=False)}:
            queries.append((compact(_unaccent(stripped)), _tone_compact(_syllables(stripped))))
        matcher = SequenceMatcher(autojunk=False)
        scored = []
        for unit in self._candidates(parent):
            loose, toned = self._suggest_keys[unit]
            best = (0.0, 0.0)
            for q_loose, q_toned in queries:
                matcher.set_seqs(q_loose, loose)
                if matcher.real_quick_ratio() < SUGGEST_CUTOFF:
                    continue
                if matcher.quick_ratio() < SUGGEST_CUTOFF:
                    continue
                ratio = matcher.ratio()
                if ratio < SUGGEST_CUTOFF:
                    continue
                matcher.set_seqs(q_toned, toned)
                best = max(best, (ratio, matcher.ratio()))
            if best[0] >= SUGGEST_CUTOFF:
                scored.append((-best[0], -best[1], unit.code, unit))
        scored.sort(key=lambda item: item[:3])
        # Only plausible ones: a name far behind the best match is noise, not a suggestion.
        best_ratio = -scored[0][0] if scored else 0.0
        plausible = [item for item in scored if -item[0] >= best_ratio - SUGGEST_SPREAD]
        return tuple(item[3] for item in plausible[:n])
