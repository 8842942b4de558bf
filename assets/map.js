/* NTM Atlas: what Plotly's map API does not offer, applied to the MapLibre map it draws
   (layers/figures.py puts the settings in layout.meta):
   - fit the map to a box once per request (meta.fit), with the map's real size and room for
     the legend, so that the province fills the map at any screen size;
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

  function legendWidth(gd) {
    var wrap = gd.closest(".map-wrap");
    if (!wrap || wrap.classList.contains("legend-closed")) { return 0; }
    var legend = wrap.querySelector(".legend-body");
    var box = legend && legend.getBoundingClientRect();
    var mapBox = gd.getBoundingClientRect();
    if (!box || !box.width || box.left < mapBox.left || box.top > mapBox.bottom) { return 0; }
    return Math.max(0, mapBox.right - box.left);
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
    if (meta.fit) {
      var key = meta.fit.join(",");
      if (gd.dataset.ntmFitted !== key) {
        var w = gd.clientWidth, h = gd.clientHeight;
        var pad = Math.max(8, Math.min(30, Math.round(Math.min(w, h) * 0.04)));
        var right = Math.min(legendWidth(gd), w / 3);
        map.fitBounds([[meta.fit[0], meta.fit[1]], [meta.fit[2], meta.fit[3]]],
          { padding: { top: pad, bottom: pad, left: pad, right: pad + right }, animate: false, maxZoom: 12.5 });
        gd.dataset.ntmFitted = key;
      }
    }
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
