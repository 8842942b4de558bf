"""The dashboard's access to the one translation table: see :mod:`geodata.words` (the table is
read there, so that ``geodata`` and ``layers`` use the same words)."""

from __future__ import annotations

from geodata.vocabulary import DEFAULT_LANG, LANGS
from geodata.words import ASSETS_DIR, TRANSLATIONS_FILE, Translations, Translator, translator

__all__ = [
    "ASSETS_DIR",
    "DEFAULT_LANG",
    "LANGS",
    "TRANSLATIONS_FILE",
    "Translations",
    "Translator",
    "translator",
]
