"""The programme's fixed values, each defined once: statuses, kinds, vintages, languages, id
prefixes, with the words that import files use for them and the translation keys of their names.

Every other module imports its values from here, so that one value cannot be spelled two ways
(the project-status filter once offered ``ongoing`` while imports wrote ``in_progress``; project
points were recognised by a ``P`` prefix while imported ids start ``IP-``). A member is a
:class:`str` (or :class:`int` for vintages), so it goes into tables, JSON and URLs unchanged.

The words a person reads are not here (``geodata`` keeps codes): each member names its
translation key (:attr:`Term.label_key`) in ``assets/translations.json``; a test asks the table
for the key of every member.

Examples
--------
>>> ProjectStatus.parse("ongoing"), ProjectStatus.parse("Đang thi công")
(<ProjectStatus.IN_PROGRESS: 'in_progress'>, <ProjectStatus.IN_PROGRESS: 'in_progress'>)
>>> ProjectStatus.IN_PROGRESS.label_key
'status.in_progress'
>>> ProjectKind.parse("Nhà văn hoá thôn Bản Ó"), ProjectKind.parse("bridge")
(<ProjectKind.MEETING_HOUSE: 'meeting_house'>, <ProjectKind.BRIDGE: 'bridge'>)
>>> SponsorKind.parse("Hội Nông dân tỉnh"), SponsorKind.parse("no idea") is None
(<SponsorKind.MASS_ORG: 'mass_org'>, True)
>>> is_project_id("P0004"), is_project_id("IP-3f2a9c"), is_project_id("02023")
(True, True, False)
>>> Vintage.values(), Lang.DEFAULT
((2019, 2020, 2025), <Lang.VI: 'vi'>)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from enum import IntEnum, StrEnum
from typing import ClassVar, Self

_PUNCT = re.compile(r"[^\w#]+")


def _plain_table() -> dict[int, str | None]:
    """Latin letters with marks (Vietnamese among them) → their letters, combining marks →
    nothing, đ/ð → d: what :func:`plain_words` does letter by letter, as one ``translate``."""
    table: dict[int, str | None] = {}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        letter = chr(cp)
        base = "".join(
            c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)
        )
        if base != letter:
            table[cp] = base
    table.update(dict.fromkeys(c for c in range(0x300, 0x370) if unicodedata.combining(chr(c))))
    table[ord("đ")] = table[ord("\u00f0")] = "d"
    return table


_PLAIN = _plain_table()


def plain_words(text: object) -> str:
    """Text without diacritics, punctuation, underscores or case, single-spaced.

    >>> plain_words("  Cơ quan, đơn vị\\ngiúp đỡ "), plain_words("in_progress"), plain_words(None)
    ('co quan don vi giup do', 'in progress', '')
    >>> plain_words("Xã Đồng Xá – ĐỒNG XÁ"), plain_words("Ǹgà Ⅻ ß")
    ('xa dong xa dong xa', 'nga ⅻ ss')
    """
    if text is None:
        return ""
    folded = str(text).casefold()
    quick = folded.translate(_PLAIN)  # Vietnamese text is plain ASCII after this
    if quick.isascii():
        return " ".join(_PUNCT.sub(" ", quick).replace("_", " ").split())
    decomposed = unicodedata.normalize("NFD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")
    plain = plain.replace("\u00f0", "d")
    return " ".join(_PUNCT.sub(" ", plain).replace("_", " ").split())


@functools.cache
def _codes(cls: type[Term]) -> dict[str, Term]:
    """The members of a vocabulary by their value in plain words (spaces as underscores)."""
    return {plain_words(m.value).replace(" ", "_"): m for m in reversed(cls)}


@functools.cache
def _needles(cls: type[Term]) -> tuple[tuple[Term, str, str | None], ...]:
    """Per word of :attr:`Term.WORDS`: its member, the word between spaces, and for a word
    ending in a space the start it must match."""
    return tuple(
        (cls(value), f" {w.strip()} ", " " + w if w.endswith(" ") else None)
        for value, words in getattr(cls, "WORDS", {}).items()
        for w in words
    )


class Term(StrEnum):
    """A fixed value of the programme with its translation key and the words for it.

    Subclasses set ``KEY`` (the translation-key prefix) and may set ``WORDS``: per member, the
    plain words (:func:`plain_words`) that mean it in a file or an old URL. A word ending in a
    space matches only at the start of the text ("hoi " = starts with "Hội ...").
    """

    KEY: ClassVar[str]
    WORDS: ClassVar[dict[str, tuple[str, ...]]]

    @property
    def label_key(self) -> str:
        """The translation key of the member's name (``status.in_progress``)."""
        return f"{self.KEY}.{self.value}"

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def label_key_of(cls, value: object) -> str:
        """The translation key of a stored value: its member's, or ``<KEY>.unknown`` for a
        missing value or one the vocabulary lacks (so no raw value reaches a reader).

        >>> ProjectStatus.label_key_of(None), ProjectStatus.label_key_of("ongoing")
        ('status.unknown', 'status.in_progress')
        >>> SponsorKind.label_key_of(float("nan")), UnitKind.label_key_of("xã")
        ('sponsor_kind.unknown', 'unit_kind.xã')
        """
        found = cls.parse(value) if isinstance(value, str) and value else None
        return found.label_key if found is not None else f"{cls.KEY}.unknown"

    @classmethod
    def parse(cls, text: object) -> Self | None:
        """The member a text means: its value in any case and spacing, or one of its words
        found in the text (the first member in :attr:`WORDS` order wins); None if none."""
        key = plain_words(text)
        member = _codes(cls).get(key.replace(" ", "_"))
        if member is not None:
            return member
        padded = f" {key} "
        for member, inner, start in _needles(cls):
            if inner in padded or (start and padded.startswith(start)):
                return member
        return None

    @classmethod
    def check(cls, value: object) -> Self:
        """The member of exactly this value, or an error naming the valid ones.

        >>> SponsorKind.check("party")
        <SponsorKind.PARTY: 'party'>
        >>> UnitKind.check("bản")
        Traceback (most recent call last):
        ...
        ValueError: Unknown unit kind 'bản'; choose one of xã, phường, thị trấn
        """
        try:
            return cls(value)
        except ValueError:
            what = re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()
            msg = f"Unknown {what} {value!r}; choose one of {', '.join(cls.values())}"
            raise ValueError(msg) from None


# ------------------------------------------------------------------------------- projects
class ProjectKind(Term):
    """Kinds of project, in legend order."""

    BRIDGE = "bridge"
    TRANSFORMER = "transformer"
    MARKET = "market"
    MEETING_HOUSE = "meeting_house"
    INCINERATOR = "incinerator"
    ROAD = "road"
    WATER = "water"
    SCHOOL = "school"
    HOUSE_FOR_POOR = "house_for_poor"
    TRAINING = "training"
    OTHER = "other"


ProjectKind.KEY = "kind"
# Order matters: the first kind whose word appears in a title wins ("nhà văn hóa" before "nhà").
ProjectKind.WORDS = {
    "house_for_poor": (
        "nha dai doan ket",
        "nha tinh nghia",
        "nha tinh thuong",
        "nha o cho ho ngheo",
        "nha cho ho ngheo",
        "house",
    ),
    "meeting_house": ("nha van hoa", "nha sinh hoat cong dong", "meeting"),
    "incinerator": ("lo dot rac", "lo dot", "incinerator"),
    "transformer": ("tram bien ap", "bien ap", "transformer"),
    "bridge": ("cau", "ngam tran", "bridge"),
    "market": ("cho", "market"),
    "road": ("duong", "be tong hoa", "road"),
    "water": ("nuoc sach", "nuoc", "gieng", "be nuoc", "water"),
    "school": ("truong", "lop hoc", "diem truong", "school"),
    "training": ("tap huan", "dao tao", "lop", "training"),
    "other": ("khac", "other"),
}


class ProjectStatus(Term):
    """Where a project stands; ``unknown`` where the sources do not say (most seed rows)."""

    UNKNOWN = "unknown"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @classmethod
    def recorded(cls) -> tuple[ProjectStatus, ...]:
        """The statuses a record can state (all but ``unknown``)."""
        return tuple(m for m in cls if m is not cls.UNKNOWN)


ProjectStatus.KEY = "status"
ProjectStatus.WORDS = {
    "completed": (
        "hoan thanh",
        "da hoan thanh",
        "ban giao",
        "da ban giao",
        "xong",
        "completed",
        "done",
    ),
    "in_progress": ("dang thi cong", "dang thuc hien", "dang trien khai", "in progress", "ongoing"),
    "planned": ("ke hoach", "chua thuc hien", "chua trien khai", "du kien", "planned"),
}


# ------------------------------------------------------------------------------- sponsors
class SponsorKind(Term):
    """Kinds of sponsoring body (facts/README.md)."""

    DEPARTMENT = "department"
    PARTY = "party"
    MASS_ORG = "mass_org"
    ARMED_FORCES = "armed_forces"
    ENTERPRISE = "enterprise"
    OTHER = "other"


SponsorKind.KEY = "sponsor_kind"
SponsorKind.WORDS = {
    "armed_forces": (
        "cong an",
        "bo chi huy quan su",
        "bo doi bien phong",
        "quan doan",
        "su doan",
        "trung doan",
        "quan su",
    ),
    "party": (
        "tinh uy",
        "ban to chuc",
        "ban tuyen giao",
        "ban dan van",
        "uy ban kiem tra",
        "dang uy",
        "van phong tinh uy",
    ),
    "mass_org": (
        "hoi ",
        "doan thanh nien",
        "tinh doan",
        "mat tran",
        "uy ban mttq",
        "lien doan lao dong",
        "hoi lien hiep",
    ),
    "enterprise": (
        "cong ty",
        "ngan hang",
        "tap doan",
        "tong cong ty",
        "dien luc",
        "htx",
        "hop tac xa",
        "doanh nghiep",
    ),
    "department": (
        "so ",
        "ban quan ly",
        "van phong ubnd",
        "thanh tra",
        "bhxh",
        "bao hiem xa hoi",
        "kho bac",
        "cuc ",
        "dai phat thanh",
        "bao bac kan",
        "truong cao dang",
    ),
}


# ------------------------------------------------------------------------------- communes
class UnitKind(Term):
    """Kinds of commune-level unit, as the GSO lists write them (the ``kind`` column)."""

    COMMUNE = "xã"
    WARD = "phường"
    TOWNSHIP = "thị trấn"


UnitKind.KEY = "unit_kind"


class CommuneStatusKind(Term):
    """Kinds of commune status fact (``commune_status.status_kind``)."""

    NTM_ACHIEVED = "ntm_achieved"
    PROGRAM135_EXTREMELY_DIFFICULT = "program135_extremely_difficult"
    PROGRAM135_COMPLETED = "program135_completed"
    REGION_III = "region_III"
    REGION_II = "region_II"
    REGION_I = "region_I"
    OTHER = "other"

    @classmethod
    def difficult(cls) -> tuple[CommuneStatusKind, ...]:
        """The kinds that make a commune "difficult", each in its own period (see
        :data:`geodata.programme.DIFFICULT_CLASS`: Programme 135 for 2016–2020, region III for
        2021–2025)."""
        return (cls.PROGRAM135_EXTREMELY_DIFFICULT, cls.REGION_III)


CommuneStatusKind.KEY = "status_kind"

#: Unit words written before a name, longest first ("Thị trấn " before "Thị "), for labels:
#: communes, districts, the province.
UNIT_PREFIXES = (
    "Thành phố ",
    "Thành Phố ",
    "Thị trấn ",
    "Thị xã ",
    "Phường ",
    "Huyện ",
    "Tỉnh ",
    "Xã ",
)


def short_name(name: object) -> str:
    """A unit's name without its unit word, for map labels (screen and paper alike).

    >>> short_name("Xã Xuân Lạc"), short_name("Thị trấn Bằng Lũng"), short_name("Huyện Chợ Đồn")
    ('Xuân Lạc', 'Bằng Lũng', 'Chợ Đồn')
    >>> short_name("Thành phố Bắc Kạn"), short_name("Tỉnh Cao Bằng"), short_name(None)
    ('Bắc Kạn', 'Cao Bằng', '')
    """
    text = "" if name is None else str(name)
    for prefix in UNIT_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


# ------------------------------------------------------------------------------- vintages
class Vintage(IntEnum):
    """Boundary vintages, by the first year of the GSO list they come from."""

    V2019 = 2019  # 122 units, 2015-03 → 2020-01: the programme's own period
    V2020 = 2020  # 108 units after Resolution 855/NQ-UBTVQH14
    V2025 = 2025  # 37 units inside Thái Nguyên after Resolution 1683/NQ-UBTVQH15

    @property
    def label_key(self) -> str:
        return f"vintage.{self.value}"

    @property
    def text_keys(self) -> tuple[str, ...]:
        """Every translation key the vintage needs (name, note, export subtitle)."""
        return (f"vintage.{self.value}", f"vintage.note.{self.value}", f"sub.vintage.{self.value}")

    @classmethod
    def values(cls) -> tuple[int, ...]:
        return tuple(int(m) for m in cls)

    @classmethod
    def check(cls, value: object) -> Vintage:
        """The vintage of a value such as ``2020`` or ``"2020"``, or a helpful error.

        >>> Vintage.check("2020")
        <Vintage.V2020: 2020>
        >>> Vintage.check(2021)
        Traceback (most recent call last):
        ...
        ValueError: Unknown boundary vintage 2021; choose one of 2019, 2020, 2025
        """
        try:
            return cls(int(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            msg = f"Unknown boundary vintage {value}; choose one of {', '.join(map(str, VINTAGES))}"
            raise ValueError(msg) from None


#: The vintages as plain ints, in order, and the default one (the programme's period).
VINTAGES: tuple[int, ...] = Vintage.values()
DEFAULT_VINTAGE = 2019


def check_vintage(vintage: object) -> int:
    """The vintage as a plain int, or a helpful error (see :meth:`Vintage.check`).

    >>> check_vintage("2020")
    2020
    """
    return int(Vintage.check(vintage))


# ------------------------------------------------------------------------------- languages
class Lang(StrEnum):
    """Languages of the product: Vietnamese first, English as a switch."""

    VI = "vi"
    EN = "en"

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def check(cls, value: object) -> Lang:
        """The language of a code, or a helpful error.

        >>> Lang.check("fr")
        Traceback (most recent call last):
        ...
        ValueError: Unknown language 'fr'; choose one of vi, en
        """
        try:
            return cls(value)
        except ValueError:
            msg = f"Unknown language {value!r}; choose one of {', '.join(cls.values())}"
            raise ValueError(msg) from None

    @classmethod
    def pick(cls, value: object) -> Lang:
        """The language of a code; Vietnamese for anything else (e.g. a bad URL value)."""
        return cls(value) if value in cls.values() else cls.DEFAULT


Lang.DEFAULT = Lang.VI  # type: ignore[attr-defined]
LANGS: tuple[str, ...] = Lang.values()
DEFAULT_LANG = Lang.VI


# ------------------------------------------------------------------------------- imports
class ImportKind(StrEnum):
    """What an import file holds."""

    PROJECTS = "projects"
    ASSIGNMENTS = "assignments"
    AGENCIES = "agencies"

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


# ------------------------------------------------------------------------------- ids
class IdPrefix(StrEnum):
    """How record ids start: seed rows ``P0001`` (projects), ``A0001`` (assignments),
    ``S0001`` (status); imported rows ``IP-…``, ``IA-…``, ``IG-…`` (a digest follows)."""

    PROJECT = "P"
    ASSIGNMENT = "A"
    STATUS = "S"
    IMPORTED_PROJECT = "IP-"
    IMPORTED_ASSIGNMENT = "IA-"
    IMPORTED_AGENCY = "IG-"

    def make(self, suffix: int | str) -> str:
        """An id with this prefix: ``IdPrefix.PROJECT.make(4)`` → ``'P0004'``.

        >>> IdPrefix.PROJECT.make(4), IdPrefix.IMPORTED_PROJECT.make("3f2a")
        ('P0004', 'IP-3f2a')
        """
        return f"{self}{suffix:04d}" if isinstance(suffix, int) else f"{self}{suffix}"

    @classmethod
    def imported(cls, kind: ImportKind | str) -> IdPrefix:
        """The prefix of rows imported as ``kind``."""
        return {
            ImportKind.PROJECTS: cls.IMPORTED_PROJECT,
            ImportKind.ASSIGNMENTS: cls.IMPORTED_ASSIGNMENT,
            ImportKind.AGENCIES: cls.IMPORTED_AGENCY,
        }[ImportKind(kind)]


_PROJECT_ID = re.compile(r"^(P\d+|IP-\w+)$")


def is_project_id(value: object) -> bool:
    """True for a project id (seed ``P0001`` or imported ``IP-…``), False for a commune code."""
    return isinstance(value, str) and bool(_PROJECT_ID.match(value))


#: Every vocabulary with a translation key per member (the translation test walks these).
TERMS: tuple[type[Term], ...] = (
    ProjectKind,
    ProjectStatus,
    SponsorKind,
    UnitKind,
    CommuneStatusKind,
)


def translation_keys() -> Iterable[str]:
    """Every translation key a member of the vocabulary needs."""
    for terms in TERMS:
        yield from (m.label_key for m in terms)
        yield f"{terms.KEY}.unknown"
    for v in Vintage:
        yield from v.text_keys
