"""Formula injection: hostile text imported through the real importer is written as text in
every spreadsheet export (CSV with a leading apostrophe, XLSX as a string cell), and real
numbers (negative amounts) stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from hostile_samples import HOSTILE, import_hostile

from dashboard.export import export_data
from dashboard.export.cells import FORMULA_START, csv_cell, csv_frame, is_formula_like
from dashboard.export.download import export_view_download
from geodata.bundle import Bundle
from geodata.coverage import Filters


@pytest.fixture(scope="module")
def bundle(module_store, tmp_path_factory) -> Bundle:
    """The hostile rows imported into each backend and read back (PostgreSQL's COPY must keep
    tabs and carriage returns as they were)."""
    import_hostile(module_store, tmp_path_factory.mktemp("hostile"))
    return Bundle.load(module_store)


CHO_DON = Filters(districts=("064",))


def test_the_rule():
    assert all(is_formula_like(s) for s in HOSTILE)
    assert [csv_cell(s)[0] for s in HOSTILE] == ["'"] * len(HOSTILE)
    assert csv_cell(-5_000_000) == -5_000_000 and csv_cell("Sở Y") == "Sở Y"
    import pandas as pd

    df = pd.DataFrame({"name": ["=1", "a"], "amount": [-5.0, 2.0], "n": [-1, 2]})
    out = csv_frame(df)
    assert out["name"].tolist() == ["'=1", "a"]
    assert out["amount"].tolist() == [-5.0, 2.0] and out["n"].tolist() == [-1, 2]


def _xlsx_cells(data: bytes):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_xlsx_export_writes_hostile_text_as_string_cells(bundle, tmp_path):
    out = export_data(bundle, tmp_path / "data.xlsx", CHO_DON, fmt="xlsx")
    cells = list(_xlsx_cells(out.read_bytes()))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    found = {c.value for c in cells if isinstance(c.value, str)}
    for text in HOSTILE:
        # Kept exactly (no apostrophe added), as a string cell with the quote prefix.
        assert text in found or text.strip() in found, text
    hostile = [c for c in cells if is_formula_like(c.value)]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    # Amounts stay numbers.
    amounts = [c.value for c in cells if c.value == 1_000_000]
    assert amounts and all(isinstance(v, int | float) for v in amounts)


def test_dashboard_xlsx_download_is_the_same_safe_file(bundle):
    import base64

    payload = export_view_download(bundle, CHO_DON, "coverage", 2019, "xlsx", "vi")
    cells = list(_xlsx_cells(base64.b64decode(payload["content"])))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == HOSTILE[0] for c in cells)


def test_csv_export_prefixes_hostile_text_with_an_apostrophe(bundle, tmp_path):
    out = export_data(bundle, tmp_path / "data.csv", CHO_DON, fmt="csv")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    text = "\n".join(cells)
    # The hostile sponsor names reach the communes table (its sponsors column).
    assert "'=HYPERLINK" in text or "'=cmd" in text
    header = rows[0]
    # Numbers that are negative stay numbers: no apostrophe before a number.
    assert not [c for c in cells if c.startswith("'") and c[1:].lstrip("-").isdigit()]
    assert len(header) == len(rows[1])


def test_csv_cells_of_every_hostile_value_when_they_lead_a_cell(bundle, tmp_path):
    """Whatever column a hostile text lands in, no CSV cell of the export starts a formula."""
    out = export_data(bundle, tmp_path / "all.csv", None, fmt="csv")
    cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in row]
    assert cells and not [c for c in cells if c.startswith(FORMULA_START)]
