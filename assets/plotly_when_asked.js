/* NTM Atlas: the page's plotly.js (plotly-bundle/, named in the head by
   dashboard/plotly_bundle.py) runs when the first graph asks for it, as dcc.Graph does with
   Dash's own plotly.min.js: dcc loads the script at window._dashPlotlyJSURL when
   window.Plotly is not there yet. Here that URL is our bundle's (Dash's renderer sets it to
   Dash's full plotly.min.js; that value is ignored). So Dash's renderer starts, fetches the
   layout and renders the page without waiting for the 0.6 MB bundle (issue 10: the page's
   scripts ran at 1.3 s instead of 0.55 s). */
(function () {
  "use strict";
  var named = document.querySelector('meta[name="ntm-plotly"]');
  if (!named) { return; }
  var url = new URL(named.content, window.location.href).href;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return url; },
    set: function () {}
  });

  /* On a page with the map, the bundle runs once the map has drawn its first picture (its
     "ntm-map-drawn", assets/map.js), as the charts are drawn then (assets/charts_after_map.js):
     run when the charts' graphs mount, its ~0.1-0.15 s of main thread fell between the map's
     making and its first picture, while the map's tiles waited for that thread (issue 10).
     WAIT_MS is for a map that never draws (no WebGL): long enough that a slow machine's map
     draws first (a first load took up to 5 s on the benchmark machine). dcc.Graph appends the
     script to the body; its promise resolves on the script's load, so the graphs wait too. */
  var WAIT_MS = 15000;
  var body = document.body;
  if (!body) { return; }
  var append = body.appendChild;
  var drawn = function () { return !!(window.ntmMap && window.ntmMap.drawn && window.ntmMap.drawn()); };
  body.appendChild = function (node) {
    if (!(node && node.tagName === "SCRIPT" && node.src === url) || drawn()) { return append.apply(this, arguments); }
    var done = false;
    var go = function () {
      if (done) { return; }
      done = true;
      append.call(body, node);
    };
    /* The graphs ask while React renders the page, before it puts the map's box on it: a
       frame later the box is there, or the page has no map. */
    requestAnimationFrame(function () {
      if (!document.getElementById("map") || drawn()) { go(); return; }
      window.addEventListener("ntm-map-drawn", go, { once: true });
      setTimeout(go, WAIT_MS);
    });
    return node;
  };
})();
