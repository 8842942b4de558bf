"""The one translator: every word a person reads, on screen, on paper, in the CLI and in import
reports, comes from one table (``assets/translations.json``), Vietnamese first, English second.

``geodata`` keeps codes (a problem's reason, a member of :mod:`geodata.vocabulary`) and this
module turns a code's key into words, so that ``geodata``, ``layers`` and ``dashboard`` read
the same table without breaking the dependency rule.

Keys are dotted (``filter.district``, ``class.coverage.sponsored``, ``reason.commune_unknown``);
a key missing from a language falls back to Vietnamese, then to the key itself (a test checks
that none is missing). Values may hold ``{name}`` fields, filled from keyword arguments; a field
the caller does not give reads "…". Printed words may differ from screen words: a translator
``for_paper`` prefers a key's ``export.<key>`` entry where there is one (a data-file header).

Examples
--------
>>> t = Translations({"vi": {"a": "Xã {n}", "export.a": "xã {n}"}, "en": {}}).get("en")
>>> t("a", n=1), t.for_paper()("a", n=1), t("a"), t("missing.key")
('Xã 1', 'xã 1', 'Xã …', 'missing.key')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType

from geodata.vocabulary import DEFAULT_LANG, LANGS, Lang

#: The project's assets folder (CSS, translations), beside the packages.
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
TRANSLATIONS_FILE = ASSETS_DIR / "translations.json"
#: Prefix of the entries that hold the paper's wording of a word the screen says differently.
PAPER = "export."


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "…"


@dataclass(frozen=True)
class Translator:
    """Texts of one language: ``t("filter.district")``, ``t("cards.of", n=3, total=9)``."""

    lang: str
    table: Mapping[str, str]
    fallback: Mapping[str, str]
    prefer: str = ""

    def __call__(self, key: str, **fields: object) -> str:
        text = self._lookup(self.prefer + key) if self.prefer else None
        text = text or self._lookup(key) or key
        return text.format_map(_Fields(fields)) if "{" in text else text

    def _lookup(self, key: str) -> str | None:
        return self.table.get(key) or self.fallback.get(key)

    def for_paper(self) -> Translator:
        """The same language with the paper's wording where it differs (``export.<key>``)."""
        return replace(self, prefer=PAPER)


@dataclass(frozen=True)
class Translations:
    """The whole table: ``{lang: {key: text}}``."""

    tables: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, path: Path | str = TRANSLATIONS_FILE) -> Translations:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({lang: MappingProxyType(dict(data[lang])) for lang in LANGS})

    def get(self, lang: str | None) -> Translator:
        """The translator of a language (unknown languages get Vietnamese).

        >>> tr = Translations({"vi": {"a": "Xã {n}"}, "en": {}})
        >>> tr.get("en")("a", n=1), tr.get("xx").lang
        ('Xã 1', 'vi')
        """
        lang = Lang.pick(lang).value
        return Translator(lang, self.tables.get(lang, {}), self.tables[DEFAULT_LANG])

    def keys(self, lang: str = DEFAULT_LANG) -> set[str]:
        return set(self.tables.get(lang, {}))


@cache
def _loaded() -> Translations:
    return Translations.load()


def translator(lang: str | None) -> Translator:
    """The translator of a language from the project's table (read once per process)."""
    return _loaded().get(lang)
