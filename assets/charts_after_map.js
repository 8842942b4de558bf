/* NTM Atlas: the overview charts (below the map, in div.charts) are drawn once the map is,
   not before it.

   A page load draws the map and the two charts on the same main thread, though the charts are
   below the map on every screen (~0.1-0.8 s of SVG layout each under load, issue 10). So a
   chart's Plotly.react waits until the map has drawn its first picture (assets/map.js fires
   "ntm-map-drawn" on window), or until the chart comes into view, whichever is first; calls
   that came meanwhile run then, in their order, so the last figure wins as before. A chart in
   view when it is first drawn is drawn at once. */
(function () {
  "use strict";
  var mapDone = false;
  var waiting = [];  // {host, run}

  function inView(el) {
    var r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < (window.innerHeight || 0) && r.width > 0;
  }

  function release(host) {
    var now = waiting.filter(function (w) { return !host || w.host === host; });
    waiting = waiting.filter(function (w) { return now.indexOf(w) < 0; });
    now.forEach(function (w) { w.run(); });
  }

  function mapDrawn() {
    if (mapDone) { return; }
    mapDone = true;
    release(null);
  }

  var seen = typeof IntersectionObserver === "function" && new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { release(e.target); } });
  });

  window.addEventListener("ntm-map-drawn", mapDrawn);
  if (window.ntmMap && window.ntmMap.drawn && window.ntmMap.drawn()) { mapDrawn(); }

  function wrap(P) {
    var react = P.react;
    P.react = function (gd) {
      var self = this, args = arguments;
      var host = !mapDone && gd && gd.closest && gd.closest(".charts");
      if (!host) { return react.apply(self, args); }
      if (inView(gd) && !waiting.some(function (w) { return w.host === gd; })) {
        return react.apply(self, args);
      }
      return new Promise(function (resolve, reject) {
        waiting.push({ host: gd, run: function () { Promise.resolve(react.apply(self, args)).then(resolve, reject); } });
        if (seen) { seen.observe(gd); }
      });
    };
  }

  /* plotly.js runs when the first graph asks for it (assets/plotly_when_asked.js): it is
     wrapped as soon as its script has run, before dcc.Graph (the script's own onload) uses
     it; or at once if it is already there. */
  var wrapped = false;
  function wrapOnce() {
    if (!wrapped && window.Plotly && typeof window.Plotly.react === "function") {
      wrapped = true;
      wrap(window.Plotly);
    }
  }
  document.addEventListener("load", function (e) {
    if (e.target && e.target.tagName === "SCRIPT") { wrapOnce(); }
  }, true);
  wrapOnce();
})();
