"""The standalone HTML map in Chromium, as a reader uses it: a metric scale, the basemap's
attribution as a link, and a popup that the title box never hides."""

from __future__ import annotations

import pytest

from dashboard import export
from geodata.bundle import Bundle

RECT = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.fixture(scope="module")
def html_file(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "map.html"
    return export.export_html(Bundle.load(store_path), out, lang="vi")


def test_scale_attribution_and_popup_clear_of_the_title(browser, html_file):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(html_file.as_uri())
    page.wait_for_selector(".leaflet-control-scale")
    scale = page.inner_text(".leaflet-control-scale")
    assert "km" in scale or " m" in scale
    assert "mi" not in scale and "ft" not in scale  # metric only
    # Tick the basemap (offline: no tiles, but its attribution shows, as a link).
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label").first.click()
    attribution = page.inner_html(".leaflet-control-attribution")
    assert 'href="https://www.openstreetmap.org/copyright"' in attribution
    assert "&lt;a" not in attribution
    page.locator(".leaflet-control-layers-overlays label").first.click()
    # Put Xuân Lạc right under the title box and click it: the popup opens below the box.
    name = page.evaluate("() => Object.keys(window).find(k => k.startsWith('map_'))")
    title = page.eval_on_selector(".ntm-title", RECT)
    x, y = (title[0] + title[2]) / 2, title[3] + 25
    page.evaluate(
        f"""() => {{ const m = window['{name}']; m.setZoom(11, {{animate: false}});
        const pt = m.latLngToContainerPoint([22.37, 105.55]);
        m.panBy([pt.x - {x}, pt.y - {y}], {{animate: false}}); }}"""
    )
    page.mouse.click(x, y)
    popup = page.wait_for_selector(".leaflet-popup")
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " const t = document.querySelector('.ntm-title').getBoundingClientRect();"
        " return p.top >= t.bottom; }"
    )
    box = popup.bounding_box()
    title = page.eval_on_selector(".ntm-title", RECT)
    assert box["y"] >= title[3]
    assert "Xuân Lạc" in popup.inner_text()
    page.close()
