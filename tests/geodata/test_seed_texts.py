"""The seed's free texts in Vietnamese, with the source's English wording kept beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geodata import programme as pg

ROOT = Path(__file__).resolve().parents[2]


def test_every_seed_text_has_a_vietnamese_translation():
    for table, columns in pg.TRANSLATED_COLUMNS.items():
        df = pg.read_seed(table)
        for col in columns:
            filled = df[f"{col}_en"].notna()
            # Every English text of the seed was translated (none is left as it was).
            same = df.loc[filled & (df[col] == df[f"{col}_en"]), col]
            left = [v for v in same if any(w in f" {v} " for w in (" the ", " of ", " for "))]
            assert not left, (table, col, left[:3])
    p = pg.read_seed("projects").set_index("title_en")
    assert p.loc["Transformer station upgrade Bản Ó", "title"] == "Nâng cấp trạm biến áp Bản Ó"
    s = pg.read_seed("commune_status")
    note = s.loc[s["commune_name"] == "Xuân Lạc", "notes"].dropna()
    assert any("bài viết gốc" in n for n in note)  # "described as … in the seed article"


def test_proper_names_keep_the_source_wording():
    p = pg.read_seed("projects")
    mang = p.loc[p["title_en"].str.contains("Măng khô", na=False), "title"].iloc[0]
    assert "'Măng khô Mẩy Puốc Xuân Lạc'" in mang and "HTX Cao Phong" in mang


def test_in_language_picks_english_where_there_is_one():
    df = pd.DataFrame({"title": ["Cầu", "Chợ"], "title_en": ["Bridge", None]})
    assert pg.in_language(df, "title", "en").tolist() == ["Bridge", "Chợ"]


def test_one_term_for_sponsor():
    table = json.loads((ROOT / "assets" / "translations.json").read_text(encoding="utf-8"))
    said = [k for k, v in table["vi"].items() if "tài trợ" in v.lower()]
    assert not said, said
