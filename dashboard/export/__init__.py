"""Exports: print map sheets, the per-unit atlas, the standalone HTML map and the data.

Every export is a function of (bundle, filters, measure, vintage, options) that writes one file
(or returns its bytes), so the dashboard's export button and the CLI produce the same thing.
The measures come from :mod:`geodata.coverage`, the colours and symbols from
:mod:`layers.styles`, the drawing from :mod:`layers.sheet` / :mod:`layers.atlas` /
:mod:`layers.folium_map`.

For the dashboard: :func:`export_map_bytes` returns ``(filename, bytes)`` ready for
``dcc.Download`` (``dcc.send_bytes``), and :func:`export_data_bytes` does the same for data.
"""

from __future__ import annotations

from dashboard.export.atlas import atlas_page_figure, atlas_units, export_atlas
from dashboard.export.data import DataTables, data_tables, export_data, export_data_bytes
from dashboard.export.download import download_payload, export_view_download
from dashboard.export.html_map import export_html, export_html_text, html_map
from dashboard.export.print_layers import PrintBase
from dashboard.export.sheets import SheetOptions, export_map, export_map_bytes, map_sheet_figure
from dashboard.export.words import (
    ATLAS_UNITS,
    DATA_FORMATS,
    MAP_FORMATS,
    _fmt_from_suffix,
    describe_filters,
)

__all__ = [
    "ATLAS_UNITS",
    "DATA_FORMATS",
    "MAP_FORMATS",
    "DataTables",
    "PrintBase",
    "SheetOptions",
    "_fmt_from_suffix",
    "atlas_page_figure",
    "atlas_units",
    "data_tables",
    "describe_filters",
    "download_payload",
    "export_atlas",
    "export_data",
    "export_data_bytes",
    "export_html",
    "export_html_text",
    "export_map",
    "export_map_bytes",
    "export_view_download",
    "html_map",
    "map_sheet_figure",
]
