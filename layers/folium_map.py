"""The standalone interactive map: a Folium (Leaflet) map in one HTML file that works offline.

Leaflet's JS and CSS are inlined from ``layers/vendor/leaflet`` (with their images as data URIs)
instead of loaded from a CDN, and Folium's other default scripts (jQuery, Bootstrap, Font
Awesome) are left out: the map only uses Leaflet itself. A tile basemap is offered as an
optional overlay that is off by default, so with no internet nothing is requested.

Every text that comes from the data is escaped here (:func:`html.escape`), once, before it
reaches a tooltip, a popup, a label or the legend; callers pass plain text.

>>> p = popup_html("Xã <b>A</b>", [("Sponsor", "Sở X & Y")], ["https://example.org/a?b=1&c=2"])
>>> "<b>Xã &lt;b&gt;A&lt;/b&gt;</b>" in p, "<td>Sở X &amp; Y</td>" in p
(True, True)
>>> '<a href="https://example.org/a?b=1&amp;c=2" target="_blank"' in p
True
>>> popup_html("A", [], ["javascript:alert(1)"])
'<div class="ntm-popup"><b>A</b><div class="ntm-src">javascript:alert(1)</div></div>'
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element

from layers.styles import LINE_COLOURS

VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"


def esc(text: object) -> str:
    r"""HTML-escape, and neutralise the characters that matter inside a JS template literal
    (Folium puts some texts in backticks).

    >>> esc("<b>`${x}`\\</b>")
    '&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;'
    """
    out = html.escape(str(text))
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _link(url: str) -> str:
    parsed = urlparse(str(url))
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return esc(str(url))
    return (
        f'<a href="{esc(str(url))}" target="_blank" rel="noopener noreferrer">'
        f"{esc(parsed.netloc)}</a>"
    )


def popup_html(title: str, rows: Sequence[tuple[str, str]], links: Sequence[str] = ()) -> str:
    """A popup: an escaped title, a table of (label, value) and source links (http(s) only)."""
    parts = [f'<div class="ntm-popup"><b>{esc(str(title))}</b>']
    if rows:
        cells = "".join(f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>" for k, v in rows)
        parts.append(f"<table>{cells}</table>")
    if links:
        parts.append('<div class="ntm-src">' + " · ".join(_link(u) for u in links) + "</div>")
    parts.append("</div>")
    return "".join(parts)


@cache
def leaflet_assets() -> tuple[str, str]:
    """(JS, CSS) of the vendored Leaflet, the CSS images turned into data URIs."""
    js = (VENDOR / "leaflet.js").read_text(encoding="utf-8")
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        path = VENDOR / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return js.replace("</script", "<\\/script"), css


@dataclass(frozen=True)
class HtmlLegendItem:
    label: str
    colour: str
    shape: str = "patch"  # patch | point | line | halo
    letter: str = ""


@dataclass(frozen=True)
class HtmlText:
    """The words of the page, plain text (escaped here)."""

    title: str
    subtitle: str
    note: str = ""
    sources: tuple[str, ...] = ()
    communes_layer: str = "Communes"
    districts_layer: str = "Districts"
    province_layer: str = "Province"
    neighbours_layer: str = "Neighbouring provinces"
    basemap_layer: str = "Basemap (needs internet)"
    legend: tuple[tuple[str, tuple[HtmlLegendItem, ...]], ...] = ()
    lang: str = "vi"


@dataclass(frozen=True)
class HtmlLayers:
    """Layers in EPSG:4326.

    ``communes``: ``code``, ``name``, ``fill``, ``in_view``, ``tooltip`` (text), ``popup`` (HTML
    made with :func:`popup_html`). ``districts``/``neighbours``: ``label``. ``points``
    (DataFrame): ``lon``, ``lat``, ``colour``, ``letter``, ``approximate``, ``group`` (layer
    name), ``tooltip`` (text), ``popup`` (HTML).
    """

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None = None
    province: gpd.GeoDataFrame | None = None
    neighbours: gpd.GeoDataFrame | None = None
    points: pd.DataFrame | None = None
    bounds: tuple[float, float, float, float] | None = None
    line_colours: dict = field(default_factory=dict)
    #: The districts are former units (abolished in 2025): faint dashed lines, grey names.
    former_districts: bool = False


#: Popups taller than this scroll (px), so one fits between the title and the bottom boxes.
POPUP_MAX_HEIGHT = 300

_CSS = """
.ntm-box{background:rgba(255,255,255,.93);padding:6px 10px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.35 'Noto Sans','DejaVu Sans',Arial,sans-serif;
 color:#222;max-width:420px}
.ntm-title{position:fixed;top:10px;left:54px;z-index:1000}
.ntm-title h1{font-size:16px;margin:0 0 2px}
.ntm-title p{margin:0;color:#555}
.ntm-legend{position:fixed;bottom:28px;right:10px;z-index:1000;max-height:70vh;overflow:auto}
.ntm-legend h2{font-size:12px;margin:6px 0 2px}
.ntm-legend div{white-space:nowrap}
.ntm-sw{display:inline-block;width:14px;height:11px;margin-right:6px;vertical-align:middle;
 border:1px solid #888}
.ntm-pt{display:inline-block;width:14px;height:14px;border-radius:50%;margin-right:6px;
 vertical-align:middle;color:#fff;font-size:8px;font-weight:700;text-align:center;line-height:14px}
.ntm-ln{display:inline-block;width:16px;height:0;margin-right:6px;vertical-align:middle}
.ntm-sources{position:fixed;bottom:52px;left:10px;z-index:1000;font-size:10px;max-width:46vw}
.ntm-popup table{border-collapse:collapse;margin-top:4px}
.ntm-popup th{text-align:left;padding:1px 6px 1px 0;color:#555;font-weight:600;vertical-align:top}
.ntm-popup td{padding:1px 0}
.ntm-src{margin-top:4px;font-size:11px}
.ntm-aside{visibility:hidden}
.ntm-label{font:600 12px 'Noto Sans','DejaVu Sans',Arial,sans-serif;color:#222;
 text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;white-space:nowrap;text-align:center}
.ntm-label.ntm-nb{font-weight:400;font-style:italic;color:#666}
.ntm-mark{width:16px;height:16px;border-radius:50%;border:1px solid #fff;color:#fff;
 font:700 8px/16px Arial,sans-serif;text-align:center;box-shadow:0 0 2px rgba(0,0,0,.5)}
"""


def _legend_html(text: HtmlText) -> str:
    out = ['<div class="ntm-box ntm-legend">']
    for title, items in text.legend:
        out.append(f"<h2>{esc(title)}</h2>")
        for item in items:
            colour = esc(item.colour)
            if item.shape == "point":
                mark = f'<span class="ntm-pt" style="background:{colour}">{esc(item.letter)}</span>'
            elif item.shape == "halo":
                mark = f'<span class="ntm-pt" style="background:{colour};opacity:.35"></span>'
            elif item.shape == "line":
                mark = f'<span class="ntm-ln" style="border-top:2px solid {colour}"></span>'
            elif item.shape == "dashed":
                mark = f'<span class="ntm-ln" style="border-top:2px dashed {colour}"></span>'
            else:
                mark = f'<span class="ntm-sw" style="background:{colour}"></span>'
            out.append(f"<div>{mark}{esc(item.label)}</div>")
    out.append("</div>")
    return "".join(out)


def _label_marker(lat: float, lon: float, text: str, css: str) -> folium.Marker:
    icon = folium.DivIcon(
        html=f'<div class="ntm-label {css}">{esc(text)}</div>',
        icon_size=(160, 18),
        icon_anchor=(80, 9),
    )
    return folium.Marker((lat, lon), icon=icon, interactive=False)


def build_map(layers: HtmlLayers, text: HtmlText, *, basemap=None) -> folium.Map:
    """The Folium map: neighbours, communes (coloured, tooltip, popup), districts with names,
    province, project points by kind (one layer each), an optional basemap (off), a layer
    control, a legend, the title and the sources."""
    lc = {**LINE_COLOURS, **layers.line_colours}
    bounds = layers.bounds or tuple(layers.communes.total_bounds)
    m = folium.Map(
        location=((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2),
        zoom_start=9,
        tiles=None,
        control_scale=False,  # Leaflet's default scale adds miles: a metric one below
        prefer_canvas=False,
    )
    # Only Leaflet itself is needed, and it is inlined by :func:`standalone_html`.
    m.default_js = []
    m.default_css = []
    m.get_root().header.add_child(Element(f"<style>{_CSS}</style>"))
    if basemap is not None:
        folium.TileLayer(
            tiles=basemap.build_url(),
            # The provider's attribution is HTML (a link to its copyright page): kept as HTML so
            # Leaflet's attribution control shows the link, not escaped tags.
            attr=safe_attribution(basemap.html_attribution),
            name=text.basemap_layer,
            overlay=True,
            show=False,
            max_zoom=18,
        ).add_to(m)

    if layers.neighbours is not None and len(layers.neighbours):
        nb = folium.FeatureGroup(name=text.neighbours_layer, show=True)
        folium.GeoJson(
            layers.neighbours[["geometry"]].to_json(),
            style_function=lambda _f: {
                "fillColor": lc["neighbour_fill"],
                "color": lc["neighbour_line"],
                "weight": 1,
                "fillOpacity": 1,
            },
            interactive=False,
        ).add_to(nb)
        for lat, lon, label in _label_points(layers.neighbours):
            _label_marker(lat, lon, label, "ntm-nb").add_to(nb)
        nb.add_to(m)

    communes = layers.communes.assign(tooltip=layers.communes["tooltip"].map(lambda v: esc(str(v))))
    gj = folium.GeoJson(
        communes[["code", "fill", "in_view", "tooltip", "popup", "geometry"]].to_json(),
        name=text.communes_layer,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": lc["commune"],
            "weight": 0.6,
            "fillOpacity": 0.85 if f["properties"]["in_view"] else 0.35,
        },
        highlight_function=lambda _f: {"weight": 2.5, "color": LINE_COLOURS["selected"]},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_height=POPUP_MAX_HEIGHT),
    )
    gj.add_to(m)

    if layers.districts is not None and len(layers.districts):
        dg = folium.FeatureGroup(name=text.districts_layer, show=True)
        folium.GeoJson(
            layers.districts[["geometry"]].to_json(),
            style_function=(
                (
                    lambda _f: {
                        "fill": False,
                        "color": lc["district"],
                        "weight": 1.2,
                        "dashArray": "6 4",
                    }
                )
                if layers.former_districts
                else (lambda _f: {"fill": False, "color": lc["district"], "weight": 2})
            ),
            interactive=False,
        ).add_to(dg)
        css = "ntm-nb" if layers.former_districts else ""
        for lat, lon, label in _label_points(layers.districts):
            _label_marker(lat, lon, label, css).add_to(dg)
        dg.add_to(m)
    if layers.province is not None and len(layers.province):
        folium.GeoJson(
            layers.province[["geometry"]].to_json(),
            name=text.province_layer,
            style_function=lambda _f: {"fill": False, "color": lc["province"], "weight": 3},
            interactive=False,
        ).add_to(m)

    if layers.points is not None and len(layers.points):
        # One GeoJson per kind: the same letter icon for all, tooltip and popup from each
        # feature's (escaped) properties; no jQuery needed (folium.Popup would need it).
        for group, pts in layers.points.groupby("group", sort=False):
            fg = folium.FeatureGroup(name=str(group), show=True)
            colour, letter = pts["colour"].iloc[0], pts["letter"].iloc[0]
            approx = pts.loc[pts["approximate"].astype(bool)]
            if len(approx):
                folium.GeoJson(
                    _points_json(approx),
                    marker=folium.CircleMarker(
                        radius=12, stroke=False, fill=True, fill_color=colour, fill_opacity=0.28
                    ),
                    interactive=False,
                ).add_to(fg)
            icon = folium.DivIcon(
                html=f'<div class="ntm-mark" style="background:{esc(colour)}">{esc(letter)}</div>',
                icon_size=(16, 16),
                icon_anchor=(8, 8),
            )
            folium.GeoJson(
                _points_json(pts),
                marker=folium.Marker(icon=icon),
                tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
                popup=folium.GeoJsonPopup(
                    fields=["popup"], labels=False, max_height=POPUP_MAX_HEIGHT
                ),
            ).add_to(fg)
            fg.add_to(m)

    # Collapsed (an icon that opens on hover or tap): open, it covers the legend on a laptop.
    folium.LayerControl(collapsed=True).add_to(m)
    _script_after_map(m, _after_map_js(m.get_name()))
    m.fit_bounds([(bounds[1], bounds[0]), (bounds[3], bounds[2])])
    root = m.get_root()
    title = (
        f'<div class="ntm-box ntm-title"><h1>{esc(text.title)}</h1>'
        f"<p>{esc(text.subtitle)}</p>"
        + (f"<p>{esc(text.note)}</p>" if text.note else "")
        + "</div>"
    )
    root.html.add_child(Element(title))
    root.html.add_child(Element(_legend_html(text)))
    if text.sources:
        src = "<br>".join(esc(s) for s in text.sources)
        root.html.add_child(Element(f'<div class="ntm-box ntm-sources">{src}</div>'))
    return m


def _points_json(pts: pd.DataFrame) -> dict:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(p.lon), float(p.lat)]},
            "properties": {"tooltip": esc(str(p.tooltip)), "popup": str(p.popup)},
        }
        for p in pts.itertuples(index=False)
    ]
    return {"type": "FeatureCollection", "features": features}


def _script_after_map(m: folium.Map, js: str) -> None:
    """Run ``js`` once the map exists: a child of the map renders its script after the map's."""
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = "NtmAfterMap"
    element._template = Template("{% macro script(this, kwargs) %}" + js + "{% endmacro %}")
    element.add_to(m)


def _after_map_js(name: str) -> str:
    """A metric-only scale bar, and popups the boxes never hide: Leaflet's auto-pan keeps a
    popup below the title box (its top padding is the box's height), and the sources and
    legend boxes step aside (hidden) while a popup over them is open."""
    return f"""
L.control.scale({{metric: true, imperial: false}}).addTo({name});
function ntmOverlap(a, b) {{
  return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
}}
function ntmPadding() {{
  var title = document.querySelector(".ntm-title");
  var top = title ? title.getBoundingClientRect().bottom + 10 : 5;
  L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(5, top);
}}
ntmPadding();
window.addEventListener("resize", ntmPadding);
{name}.on("popupopen", function (e) {{
  var box = e.popup.getElement();
  if (!box) return;
  var p = box.getBoundingClientRect();
  document.querySelectorAll(".ntm-sources, .ntm-legend").forEach(function (el) {{
    if (ntmOverlap(el.getBoundingClientRect(), p)) el.classList.add("ntm-aside");
  }});
}});
{name}.on("popupclose", function () {{
  document.querySelectorAll(".ntm-aside").forEach(function (el) {{
    el.classList.remove("ntm-aside");
  }});
}});
"""


_ATTRIBUTION_TAGS = re.compile(r"<(?!/?a\b)[^>]*>", re.IGNORECASE)


def safe_attribution(html: str) -> str:
    """A tile provider's attribution as HTML with only links kept (``href`` to http(s)).

    >>> safe_attribution('&copy; <a href="https://www.openstreetmap.org/copyright">OSM</a>')
    '&copy; <a href="https://www.openstreetmap.org/copyright">OSM</a>'
    >>> safe_attribution('<img src=x onerror=alert(1)><a href="javascript:x">y</a>')
    '<a>y</a>'
    """
    text = _ATTRIBUTION_TAGS.sub("", html)

    def link(m: re.Match) -> str:
        href = re.search(r'href\s*=\s*"(https?://[^"<>]*)"', m.group(0))
        return f'<a href="{esc(href.group(1))}">' if href else "<a>"

    return re.sub(r"<a\b[^>]*>", link, text, flags=re.IGNORECASE)


def _label_points(gdf: gpd.GeoDataFrame):
    pts = gdf.geometry.representative_point()
    return list(zip(pts.y, pts.x, gdf["label"], strict=True))


def standalone_html(m: folium.Map, *, lang: str = "vi", title: str = "") -> str:
    """The map as one HTML document with Leaflet inlined; raises if any script or stylesheet
    would still be loaded from the network."""
    js, css = leaflet_assets()
    root = m.get_root()
    root.header.add_child(Element(f"<style>{css}</style>"), index=0, name="leaflet_css")
    root.header.add_child(Element(f"<script>{js}</script>"), index=1, name="leaflet_js")
    page = root.render()
    page = page.replace("<html>", f'<html lang="{esc(lang)}">', 1)
    if title:
        page = page.replace("<head>", f"<head>\n<title>{esc(title)}</title>", 1)
    remote = external_references(page)
    if remote:
        msg = f"standalone HTML still loads {len(remote)} remote file(s): {remote[:3]}"
        raise RuntimeError(msg)
    return page


_REMOTE = re.compile(
    r"""<script[^>]+src\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""
    r"""|<link[^>]+href\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//[^"')\s]+""",
    re.IGNORECASE,
)


def external_references(page: str) -> list[str]:
    """Scripts, stylesheets and CSS imports that a page loads from the network.

    >>> external_references('<script src="https://cdn.example/x.js"></script><a href="https://x">')
    ['<script src="https://cdn.example/x.js']
    >>> external_references('<link rel="stylesheet" href="//cdn.example/x.css">')
    ['<link rel="stylesheet" href="//cdn.example/x.css']
    """
    return _REMOTE.findall(page)
