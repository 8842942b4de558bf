"""One translation table (``assets/translations.json``), Vietnamese first, English second.

Keys are dotted (``filter.district``, ``class.coverage.sponsored``); a key missing from a
language falls back to Vietnamese, then to the key itself (tests check that none is missing).
Values may hold ``{name}`` fields filled by :meth:`Translator.__call__` keyword arguments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from geodata.vocabulary import DEFAULT_LANG, LANGS, Lang

__all__ = ["ASSETS_DIR", "DEFAULT_LANG", "LANGS", "Translations", "Translator", "translator"]

#: The project's assets folder (CSS, translations), beside the packages.
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
TRANSLATIONS_FILE = ASSETS_DIR / "translations.json"


@dataclass(frozen=True)
class Translator:
    """Texts of one language: ``t("filter.district")``, ``t("cards.of", n=3, total=9)``."""

    lang: str
    table: Mapping[str, str]
    fallback: Mapping[str, str]

    def __call__(self, key: str, **fields: object) -> str:
        text = self.table.get(key) or self.fallback.get(key) or key
        return text.format(**fields) if fields else text


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
