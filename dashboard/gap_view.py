"""The planners' gap view: two plain HTML tables (communes with no sponsor recorded, communes
per sponsor) with sort buttons, CSV downloads, and a link from each commune to the map.

Plain tables instead of a data grid: 122 rows at most, columns sized to their content by the
browser, headers that wrap instead of being cut, numbers right-aligned, and on a phone each
row becomes a card (``assets/style.css``). ``assets/tables.js`` sorts a table in the browser
when a header button is pressed (no round trip); each render carries a new React ``key`` so
that a sorted table is replaced, never patched row by row.

Row texts come from :func:`dashboard.callbacks.gap_rows` / ``sponsor_rows`` (already in the
page's language); every text is rendered as text (Dash escapes it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard import state as st
from dashboard.i18n import Translator, translator

#: The value of the gap view's tab (``layout.tabs``): its tables are built while it is open.
TAB = "gaps"


@dataclass(frozen=True)
class Column:
    """One column: the row field, its header's translation key, numeric or text."""

    field: str
    header_key: str
    numeric: bool = False


GAP_COLUMNS = (
    Column("name", "col.commune"),
    Column("district_name", "col.district"),
    Column("difficult_text", "col.difficult"),
    Column("n_projects", "col.n_projects", numeric=True),
    Column("ntm_year", "col.ntm_year_full", numeric=True),
    Column("code", "col.code_gso", numeric=True),
)
SPONSOR_COLUMNS = (
    Column("sponsor", "col.sponsor"),
    Column("kind_text", "col.sponsor_kind_full"),
    Column("n_communes", "col.n_communes", numeric=True),
    Column("communes", "col.communes"),
    Column("periods", "col.periods"),
    Column("n_projects", "col.n_projects", numeric=True),
    Column("load_text", "col.load_full"),
)


def _key(rows: list[dict[str, Any]], lang: str) -> str:
    blob = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str) + lang
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def _cell_text(value: Any) -> str:
    return "–" if value is None or value == "" else str(value)


def css_string(text: str) -> str:
    r"""``text`` as a CSS string literal (for ``content: var(--c1)`` on a phone's table cards).
    CSS escapes are a backslash, hex digits and a space, not JSON's ``\u00e3``: letters stay as
    they are; quotes, backslashes and control characters are escaped.

    >>> print(css_string('Xã "Bản Thi" \\ A'))
    "Xã \22 Bản Thi\22  \5c  A"
    """
    escaped = (
        f"\\{ord(ch):x} " if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text
    )
    return '"' + "".join(escaped) + '"'


def table(
    rows: list[dict[str, Any]],
    columns: tuple[Column, ...],
    t: Translator,
    *,
    caption_key: str,
    pick: str | None = None,
) -> html.Table | html.P:
    """A sortable table of ``rows``. ``pick`` names the field whose cell links to the map
    (the commune code goes in the link's id), or None."""
    if not rows:
        return html.P(t("table.empty"), className="note empty-table")
    labels = {f"--c{i}": css_string(t(c.header_key)) for i, c in enumerate(columns, start=1)}
    head = html.Tr(
        [
            html.Th(
                html.Button(
                    [t(c.header_key), html.Span(className="sort-mark", **{"aria-hidden": "true"})],
                    className="sort",
                    type="button",
                    title=t("table.sort"),
                    **{"data-sort": c.field, "data-type": "num" if c.numeric else "text"},
                ),
                scope="col",
                className="num" if c.numeric else None,
            )
            for c in columns
        ]
    )
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.field)
            text = _cell_text(value)
            content: Any = text
            if pick and c.field == pick:
                content = pick_link(text, str(row.get("code")))
            # The browser sorts by what a cell shows (numbers as numbers, "–" last).
            cells.append(html.Td(content, className="num" if c.numeric else None))
        body.append(html.Tr(cells))
    return html.Table(
        [
            html.Caption(t(caption_key), className="sr-only"),
            html.Thead(head),
            html.Tbody(body),
        ],
        className="data-table",
        key=_key(rows, t.lang),
        style=labels,  # the column names a phone shows beside each value (assets/style.css)
    )


def pick_link(text: str, code: str) -> html.A:
    """A commune's name in the gap table: a link that selects it on the map
    (``assets/panels.js`` ``ntm.pickGap`` reads the code from its pattern-matching id)."""
    return html.A(text, href="#map", id={"type": ids.GAP_PICK, "code": code}, className="pick")


def skeleton_parts() -> list[Any]:
    """What the tables hold that callbacks listen to, bare, for the app's validation layout:
    the served page carries no table rows (the tab is closed at first paint), so the
    pattern-matching ids of the pick links would otherwise be missing from it."""
    return [pick_link("", "")]


def gap_table(rows: list[dict[str, Any]], t: Translator) -> Any:
    return table(rows, GAP_COLUMNS, t, caption_key="gaps.title", pick="name")


def sponsor_table(rows: list[dict[str, Any]], t: Translator) -> Any:
    return table(rows, SPONSOR_COLUMNS, t, caption_key="load.title")


def rows_csv(rows: list[dict[str, Any]], columns: tuple[Column, ...], t: Translator) -> str:
    """The rows as CSV text with translated headers; a cell that a spreadsheet would read as a
    formula is written as text (OWASP "CSV injection")."""
    from dashboard.export.cells import csv_cell  # the package loads the print exports: lazily

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(c.header_key) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(c.field)) for c in columns])
    return out.getvalue()


def opened(tab: str | None, state: dict[str, Any], rows_of: Any) -> dict[str, Any]:
    """The two tables for a view state when the gap view's tab opens (``{"gaps",
    "sponsors"}``; ``no_update`` for another tab). The view callback builds them only while
    the tab is open (it empties them otherwise), so opening it must build them."""
    if tab != TAB:
        return {"gaps": no_update, "sponsors": no_update}
    t = translator(state["lang"])
    return {
        "gaps": gap_table(rows_of(state, "gaps"), t),
        "sponsors": sponsor_table(rows_of(state, "sponsors"), t),
    }


def register(app: Dash, rows_of: Any) -> None:
    """Build the tables when their tab opens, send a picked commune to the search box (which
    selects it and zooms the map to it), show the gaps on the map, and download the tables as
    CSV. ``rows_of(state, which)`` returns the current rows of ``"gaps"`` or ``"sponsors"``
    for a view state (keyed by :data:`dashboard.state.VIEW_FIELDS`;
    ``dashboard.callbacks.table_rows``)."""
    view_state = {f.key: State(f.control, f.prop) for f in st.VIEW_FIELDS}

    @app.callback(
        output={
            "gaps": Output(ids.GAP_TABLE, "children", allow_duplicate=True),
            "sponsors": Output(ids.SPONSOR_TABLE, "children", allow_duplicate=True),
        },
        inputs={"tab": Input(ids.TABS, "value")},
        state=view_state,
        prevent_initial_call=True,
    )
    def _open(tab, **state):
        return opened(tab, state, rows_of)

    # In the browser (assets/panels.js): Dash calls this for every re-drawn table too, and a
    # server callback would add a round trip to every filter change.
    app.clientside_callback(
        ClientsideFunction(namespace="ntm", function_name="pickGap"),
        Output(ids.SEARCH, "value", allow_duplicate=True),
        Input({"type": ids.GAP_PICK, "code": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.MEASURE, "value", allow_duplicate=True),
        Input(ids.GAP_MAP, "n_clicks"),
        prevent_initial_call=True,
    )
    def _gaps_on_map(n):
        return "gaps" if n else no_update

    for which, button, download, columns, name in (
        ("gaps", ids.GAP_CSV, ids.GAP_DOWNLOAD, GAP_COLUMNS, "xa-chua-co-don-vi-giup-do"),
        ("sponsors", ids.SPONSOR_CSV, ids.SPONSOR_DOWNLOAD, SPONSOR_COLUMNS, "don-vi-giup-do"),
    ):

        def _csv(n, which=which, columns=columns, name=name, **state):
            if not n:
                return no_update
            text = rows_csv(rows_of(state, which), columns, translator(state["lang"]))
            return dcc.send_string("\ufeff" + text, f"ntm-atlas-{name}.csv")

        app.callback(
            output=Output(download, "data"),
            inputs={"n": Input(button, "n_clicks")},
            state=view_state,
            prevent_initial_call=True,
        )(_csv)
