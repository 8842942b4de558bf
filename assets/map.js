/* NTM Atlas: what Plotly's map API does not offer, applied to the MapLibre map it draws
   (layers/figures.py puts the settings in layout.meta):
   - fit the map to a box once per request (meta.fit), with the map's real size and room for
     the legend and the details, so that the province fills the map at any screen size (and
     again if the map changes size before the reader moved it);
   - commune groups below meta.group_max_zoom, single points from it on (layer zoom ranges);
   - white halos on the commune, district and province names, which never give way to points.
   Sets gd.dataset.ntmFitted / ntmZoomRanges so that tests can wait for the state. */
(function () {
  "use strict";

  function layersOf(map, gd, index) {
    var trace = gd._fullData && gd._fullData[index];
    if (!trace) { return []; }
    var prefix = "plotly-trace-layer-" + trace.uid;
    return (map.getStyle().layers || []).filter(function (l) { return l.id.indexOf(prefix) === 0; });
  }

  /* Set only what differs: every change makes MapLibre render again (and fire "idle"). */
  function zoomRange(map, id, lo, hi) {
    var l = map.getLayer(id);
    if (l && (l.minzoom !== lo || l.maxzoom !== hi)) { map.setLayerZoomRange(id, lo, hi); }
  }
  function paint(map, id, name, value) {
    if (map.getPaintProperty(id, name) !== value) { map.setPaintProperty(id, name, value); }
  }
  function layout(map, id, name, value) {
    if (map.getLayoutProperty(id, name) !== value) { map.setLayoutProperty(id, name, value); }
  }

  /* Width of the map's right side hidden by what floats over it: the legend, the details. */
  function coveredRight(gd) {
    var wrap = gd.closest(".map-wrap");
    var mapBox = gd.getBoundingClientRect();
    var covered = 0;
    var floats = [];
    if (wrap && !wrap.classList.contains("legend-closed")) { floats.push(wrap.querySelector(".legend-body")); }
    if (wrap && wrap.classList.contains("has-detail")) { floats.push(wrap.querySelector(".detail")); }
    floats.forEach(function (el) {
      var box = el && el.getBoundingClientRect();
      if (!box || !box.width || box.left < mapBox.left || box.top > mapBox.bottom) { return; }
      covered = Math.max(covered, mapBox.right - box.left);
    });
    return covered;
  }

  /* Fit once per requested box, and again when the map changed size while the reader had not
     moved it (a phone's layout settles after the first fit). The fitted view is handed to
     Plotly as the reader's own (a moveend with an "originalEvent"): Plotly keeps it as a GUI
     edit, so figure updates under the same uirevision do not reset it to the server's
     estimate. A view set since then (drag, wheel, the mode bar, Plotly.relayout) shows in
     Plotly's layout and is the reader's: it is kept until the next requested box. */
  function fit(gd, map, box) {
    var key = box.join(",");
    var w = gd.clientWidth, h = gd.clientHeight;
    var last = gd._ntmFit;
    if (last && last.key === key) {
      var view = (gd.layout && gd.layout.map) || {};
      var moved = Math.abs((view.zoom || 0) - last.zoom) > 0.01;
      if (moved || (last.w === w && last.h === h)) { return; }
    }
    var pad = Math.max(8, Math.min(30, Math.round(Math.min(w, h) * 0.04)));
    var right = Math.min(coveredRight(gd), w / 2);
    map.fitBounds([[box[0], box[1]], [box[2], box[3]]],
      { padding: { top: pad, bottom: pad, left: pad, right: pad + right }, animate: false, maxZoom: 12.5 },
      { originalEvent: { type: "ntm-fit" } });
    gd._ntmFit = { key: key, w: w, h: h, zoom: map.getZoom() };
    gd.dataset.ntmFitted = key;
  }

  function apply(gd) {
    var sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    var map = sub && sub.map;
    var meta = gd.layout && gd.layout.meta;
    if (!map || !meta || !map.isStyleLoaded()) { return; }
    var zoomKey = "";
    if (meta.zoom_traces) {
      var z = meta.group_max_zoom;
      (meta.zoom_traces.below || []).forEach(function (i) {
        layersOf(map, gd, i).forEach(function (l) { zoomRange(map, l.id, 0, z); });
      });
      (meta.zoom_traces.from || []).forEach(function (i) {
        layersOf(map, gd, i).forEach(function (l) {
          zoomRange(map, l.id, z, 24);
          if (l.type === "symbol") {
            layout(map, l.id, "text-allow-overlap", true);
            layout(map, l.id, "text-ignore-placement", true);
          }
        });
      });
      (meta.zoom_traces.below || []).forEach(function (i) {
        layersOf(map, gd, i).forEach(function (l) {
          if (l.type === "symbol") {
            layout(map, l.id, "text-allow-overlap", true);
            layout(map, l.id, "text-ignore-placement", true);
          }
        });
      });
      zoomKey = String(z);
    }
    (meta.label_traces || []).forEach(function (i, k) {
      layersOf(map, gd, i).forEach(function (l) {
        if (l.type !== "symbol") { return; }
        paint(map, l.id, "text-halo-color", "rgba(255,255,255,0.95)");
        paint(map, l.id, "text-halo-width", 1.8);
        if (k > 0) { layout(map, l.id, "text-allow-overlap", true); }
      });
    });
    gd.dataset.ntmZoomRanges = zoomKey;
    if (meta.fit) { fit(gd, map, meta.fit); }
  }

  function hook() {
    var gd = document.querySelector("#map .js-plotly-plot");
    if (gd && !gd._ntmHooked && gd.on) {
      gd._ntmHooked = true;
      gd.on("plotly_afterplot", function () { apply(gd); });
      apply(gd);
    }
    if (gd && gd._ntmHooked && !gd._ntmIdle) {
      var s = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
      if (s && s.map) { gd._ntmIdle = true; s.map.on("idle", function () { apply(gd); }); }
    }
  }
  setInterval(hook, 300);
})();
