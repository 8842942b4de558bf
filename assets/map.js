/* NTM Atlas: the map, a MapLibre map of its own with everything drawn on it.

   The map is made here, in the #map box (dashboard/layout.py map_area), the moment that box and
   MapLibre (assets/maplibre, run async from the head) both exist: no Plotly map, no wait for
   Dash's first callbacks nor for plotly.js (which draws the overview charts only). The
   communes, their outlines, the project points, the commune groups, the district, province and
   neighbour outlines and the name labels are drawn from GeoJSON fetched once per vintage by URL
   and from the server's small paint spec (layers/map_paint.py, the map-paint store): a filter
   change sets MapLibre feature states only (colours, outlines, which points show), never a
   source, so no tile is cut again (issue 10).
   - dash_clientside.ntm_map.paint (a clientside callback) takes the spec and the selection
     outline; what differs from what is shown is set, nothing else, in the same task as the
     camera's move (one frame);
   - every GeoJSON source is cut up to the spec's look.tile_zoom only (a province's names and
     groups to look.point_tile_zoom; full detail there) and never re-cut per zoom above it: the
     province view loads the tiles every district's view needs, so the jump to a district
     draws at once (see tune() and tileZoom());
   - the basemap's tiles are our own raster layer (Plotly's setStyle would drop our layers);
     the layers are added again if a style is ever set anew;
   - hover shows a tooltip built with textContent (data text is never HTML); a click (a tap)
     selects through the map-click store (dash_clientside.set_props);
   - fit the map to a box once per request (the spec's fit, or the map-fit store's: a commune
     chosen by search or by its group), with the map's real size and room for the legend and
     the details;
   - the map's buttons (zoom in and out, the whole view again, a PNG of the map) are the
     layout's (#map-tools, translated like the rest of the page); here they act.
   window.ntmMap.map() is the MapLibre map (tests, benchmarks, screenshots); .state() tells
   what is painted, .answers() how many answers map.js painted early or dropped as
   superseded; the #map box's dataset.ntmFitted / ntmPainted say when a state is reached. */
(function () {
  "use strict";
  var KEYS = ["neighbours", "communes", "communes_full", "projects", "groups", "labels", "districts",
    "province"];
  var PROMOTE = { communes: "code", communes_full: "code", projects: "pid", groups: "fid" };
  var HOVER = ["ntm-points", "ntm-groups", "ntm-communes-fill", "ntm-communes-fill-full"];
  var want = { spec: null, outline: null, fit: null, n: 0 };
  var clicks = 0;
  var drawn = false;

  function sourceId(key) { return "ntm-" + key; }
  function graph() { return document.getElementById("map"); }
  function mapOf(gd) { return (gd && gd._ntmMap) || null; }
  function styleReady(map) { return !!(map && map.style && map.style._loaded); }

  /* Set only what differs: every change makes MapLibre render again (and fire "idle"). */
  function layout(map, id, name, value) {
    if (map.getLayoutProperty(id, name) !== value) { map.setLayoutProperty(id, name, value); }
  }

  /* ------------------------------------------------------------------ our layers */
  /* Bottom to top: the neighbours' fill, the communes and their outlines, the points and
     groups, the name labels, then the neighbour, district and province lines (no point
     covers a name or a border). "sw" is the layer switch that shows a layer. */
  function layerDefs(look) {
    var z = look.group_max_zoom;
    /* On a province's map a point or group shows by its feature state "on", and a name by
       the one it never has ("hidden"): the same kind of expression as the groups' counts,
       so one text program draws both, not two. MapLibre compiles a program in the frame
       that first draws it, a wait on the GPU process, and the names' and groups' tiles come
       last: the first picture's frame compiled both (issue 10: navigation -> map drawn
       -60 ms, 20 interleaved loads). On a country's map they show by the layers' filters
       (filterShown): there the opacity is a constant. */
    var flagged = function (name) { return ["boolean", ["feature-state", name], false]; };
    var shown = function (value, when) {
      return look.detail_zoom ? value : ["case", when || flagged("on"), value, 0];
    };
    var flag = function (name) { return ["case", flagged(name), 1, 0]; };
    /* The single points show from zoom z. Not by the layers' minzoom: MapLibre lays a tile
       out only for the layers of its own zoom, and our tiles stop at look.tile_zoom (below z),
       so the points would never be laid out. A size of 0 below z is evaluated for each frame
       (a zoom-only expression), whatever the tile. */
    var fromZ = function (value) { return ["step", ["zoom"], 0, z, value]; };
    var text = function (field, size) {
      return { "text-field": ["get", field], "text-font": [look.font], "text-size": size,
        "text-allow-overlap": true, "text-ignore-placement": true };
    };
    var marker = function (radius, colour, width) {
      return { "circle-radius": radius, "circle-color": colour,
        "circle-stroke-color": look.casing, "circle-stroke-width": width,
        "circle-opacity": shown(1), "circle-stroke-opacity": shown(1) };
    };
    /* Draws nothing; keeps the groups' tiles made above their zoom too, so that crossing it
       never drops and makes tiles again (each would be a frame more). */
    var keep = function (source) {
      return { id: "ntm-" + source + "-keep", type: "circle", source: source,
        paint: { "circle-radius": 0, "circle-opacity": 0, "circle-stroke-opacity": 0 } };
    };
    var name = function (kind, overlap) {
      var l = look.labels[kind];
      return { id: "ntm-label-" + kind, type: "symbol", source: "labels",
        sw: kind === "commune" ? "labels" : kind === "district" ? "districts" : "province",
        filter: ["==", ["get", "kind"], kind],
        layout: { "text-field": ["get", "name"], "text-font": [look.font], "text-size": l[0],
          "text-anchor": "center", "text-allow-overlap": overlap },
        paint: { "text-color": l[1], "text-halo-color": look.halo, "text-halo-width": look.halo_width,
          "text-opacity": shown(1, ["!", flagged("hidden")]) } };
    };
    var outline = function (key, sw) {
      var o = look.outlines[key];
      var source = { neighbour: "neighbours", district: "districts", province: "province" }[key];
      return { id: "ntm-" + key + "-line", type: "line", source: source,
        sw: sw, paint: { "line-color": o[0], "line-width": o[1] } };
    };
    return [
      { id: "ntm-neighbour-fill", type: "fill", source: "neighbours", sw: "province", paint: {
        "fill-color": look.neighbour_fill, "fill-outline-color": look.neighbour_edge } },
      { id: "ntm-communes-fill", type: "fill", source: "communes", sw: "communes", paint: {
        "fill-color": ["to-color", ["coalesce", ["feature-state", "fill"], look.out]],
        "fill-opacity": look.fill_opacity } },
      { id: "ntm-communes-line", type: "line", source: "communes", sw: "communes", paint: {
        "line-color": look.commune_line, "line-width": look.commune_width } },
      { id: "ntm-match", type: "line", source: "communes", sw: "communes", paint: {
        "line-color": look.match, "line-width": look.match_width, "line-opacity": flag("match") } },
      { id: "ntm-selected", type: "line", source: "communes", paint: {
        "line-color": look.selected, "line-width": look.selected_width, "line-opacity": flag("sel") } },
      keep("groups"),
      { id: "ntm-halo", type: "circle", source: "projects", sw: "projects",
        filter: ["==", ["get", "approx"], true], paint: {
          "circle-radius": fromZ(look.halo_size / 2), "circle-color": ["get", "colour"],
          "circle-opacity": shown(look.halo_opacity) } },
      { id: "ntm-points", type: "circle", source: "projects", sw: "projects",
        paint: marker(fromZ(look.point_size / 2), ["get", "colour"], fromZ(look.casing_width)) },
      { id: "ntm-point-letters", type: "symbol", source: "projects", sw: "projects",
        layout: text("letter", 10), paint: {
          "text-color": ["step", ["zoom"], "rgba(255,255,255,0)", z, "#ffffff"],
          "text-opacity": shown(1) } },
      { id: "ntm-groups", type: "circle", source: "groups", sw: "projects", maxzoom: z,
        filter: ["==", ["get", "role"], "disc"],
        paint: marker(["/", ["coalesce", ["feature-state", "size"], 0], 2],
          ["to-color", ["coalesce", ["feature-state", "fill"], "#ffffff"]], look.casing_width) },
      { id: "ntm-group-text", type: "symbol", source: "groups", sw: "projects", maxzoom: z,
        filter: ["==", ["get", "role"], "text"],
        layout: text("text", 11), paint: { "text-color": "#111111", "text-opacity": shown(1) } },
      name("commune", false),
      name("district", true),
      name("neighbour", true),
      outline("neighbour", "province"),
      outline("district", "districts"),
      outline("province", "province")
    ].reduce(function (defs, def) { return defs.concat(detailed(def, look.detail_zoom)); }, []);
  }

  /* A country's map (look.detail_zoom set: thousands of communes) shows, below that zoom, the
     communes' colours from their simplified geometry and the outlines only; from it on, the
     communes' full geometry (a second source, same feature states), the points, the groups
     and the commune and district names (at zoom 5 they were 10,736 discs and over 100,000
     count and letter symbols to lay out and draw: unreadable, and most of the page's work).
     A province's map (null) shows everything at every zoom, as before. */
  var OUTLINE_BELOW = 1;  // zooms below look.detail_zoom where the communes' outlines show
  var DETAILS = ["ntm-groups-keep", "ntm-halo", "ntm-points", "ntm-point-letters",
    "ntm-groups", "ntm-group-text", "ntm-label-commune", "ntm-label-district"];
  function detailed(def, zoom) {
    if (!zoom) { return [def]; }
    if (DETAILS.indexOf(def.id) >= 0) { def.minzoom = Math.max(def.minzoom || 0, zoom); }
    if (def.source !== "communes") { return [def]; }
    var full = Object.assign({}, def, { id: def.id + "-full", source: "communes_full", minzoom: zoom });
    def.maxzoom = zoom;
    /* The whole country at once: a commune is a few pixels, its outline grey mush (the
       district and province lines carry the map's structure), and the line layers over
       10,736 communes were most of a whole-country frame in software (issue 10: 3.1 s of
       GPU readback for the two frames of a way back, 0.34 s without them). The communes'
       outlines show from a zoom below the details; the fill draws no outline of its own
       (antialiasing draws every polygon's edge once more). */
    if (def.id === "ntm-communes-line") { def.minzoom = zoom - OUTLINE_BELOW; }
    if (def.id === "ntm-communes-fill") { def.paint = Object.assign({ "fill-antialias": false }, def.paint); }
    return [def, full];
  }

  /* On a country's map the communes' full geometry, the points, the groups (100,000
     features) and the names are fetched a second after the communes are first drawn, or at
     once when the reader zooms in to them: MapLibre has one worker here, and 100,000 points
     parsed first held back the first picture by half a minute. On a province's map the
     points, which show from look.group_max_zoom only, are fetched once the first picture is
     drawn (its first idle), or at once from that zoom: their tiles were one source in seven
     the first picture waited for (issue 10, session 10: navigation -> map drawn 1.39 s ->
     1.31 s, naive 2.05 s, 10 interleaved loads). They are there for the first district's
     view, which the reader can ask for only once the page has come. */
  function deferred(map, rec, key, look) {
    if (rec.details) { return false; }
    if (!look.detail_zoom) { return key === "projects" && map.getZoom() < look.group_max_zoom; }
    if (["communes_full", "projects", "groups", "labels"].indexOf(key) < 0) { return false; }
    return map.getZoom() < look.detail_zoom;
  }
  function sourceUrl(sources, key, look) {
    var low = look.detail_zoom && sources.communes_low;
    var url = key === "communes_full" ? (low ? sources.communes : null)
      : key === "communes" && low ? sources.communes_low : sources[key];
    return url && new URL(url, window.location.href).href;
  }
  function detailsLater(gd, map) {
    var rec = record(map);
    if (rec.details || rec.detailsTimer || !map.getSource(sourceId("communes"))) { return; }
    if (!map.isSourceLoaded(sourceId("communes"))) { return; }
    var look = (rec.spec && rec.spec.look) || {};
    rec.detailsTimer = setTimeout(function () {
      rec.details = true;
      /* A province's points are below their zoom: the frames their tiles would draw show
         the same picture. */
      if (!look.detail_zoom) { holdFor(map, ["projects"]); }
      paintMap(gd);
    }, look.detail_zoom ? 1000 : 0);
  }

  /* Our layers go on top (the style holds only the white background and a basemap). */
  function beforeId() { return undefined; }

  /* The state of one map: what is set in MapLibre, per source (feature id -> state). */
  function record(map) {
    if (!map._ntm) { map._ntm = { urls: {}, states: { communes: {}, projects: {}, groups: {} }, vis: null }; }
    return map._ntm;
  }

  /* A source is cut into tiles up to look.tile_zoom (its maxzoom: full detail there) and,
     above it, MapLibre scales those tiles instead of laying them out again for each zoom
     (reparseOverscaled: the layout per zoom only matters for labels along lines, which we do
     not draw); the tiles are chosen by the rounded zoom (roundZoom), so the province's view
     (zoom ~8.8) already holds the tiles of every district's view (zoom 9.5-11.5). A jump to
     a district then cuts no tile: the map draws once, with everything in place. */
  function tune(src) {
    src.reparseOverscaled = false;
    src.roundZoom = true;
  }

  /* Every source is indexed down to its maxzoom when its data loads (in the worker, once):
     MapLibre's GeoJSON index stops at zoom 5, or at once for a source of at most 100,000
     points, and each tile asked for was then cut from there, level after level.
     - A country's sources, wherever a tile holds more than INDEX_POINTS points: a district's
       first view cut its tiles from the whole country's features (issue 10: 0.9 s of the
       worker for one district change).
     - A province's, all the way: its few thousand vertices are cut while the page still
       renders, before the map asks for its first tiles, instead of after (the worker is
       what the first picture waits for then).
     workerOptions is read when the data is sent to the worker, after this script's turn. */
  var INDEX_POINTS = 10000;
  function indexDeep(src, look) {
    var vt = src.workerOptions && src.workerOptions.geojsonVtOptions;
    if (!vt) { return; }
    vt.indexMaxZoom = src.maxzoom;
    vt.indexMaxPoints = look.detail_zoom ? INDEX_POINTS : 0;
  }

  /* A province's names and groups are cut at look.point_tile_zoom, below the other sources'
     look.tile_zoom: a third as many tiles of each (4 instead of 12 at the province's view),
     and each of their tiles waits for its glyphs, which reach MapLibre's one worker behind
     every tile asked before them, so they were the first picture's last tiles. A country's
     show from look.detail_zoom on (their layers' minzoom), and MapLibre lays a tile out only
     for the layers of its own zoom: they are cut at look.tile_zoom like the rest. */
  var POINT_KEYS = ["labels", "groups"];
  function tileZoom(key, look) {
    var points = POINT_KEYS.indexOf(key) >= 0 && !look.detail_zoom;
    return points ? look.point_tile_zoom : look.tile_zoom;
  }

  /* A country's communes at a low zoom are simplified within a pixel (MapLibre's default
     is 0.375 px): fewer vertices in every frame of the whole country. */
  var LOW_TOLERANCE = 1;
  function ensureSources(map, rec, sources, look) {
    KEYS.forEach(function (key) {
      var url = sourceUrl(sources, key, look);
      var src = map.getSource(sourceId(key));
      if (!url || (!src && deferred(map, rec, key, look))) { return; }
      if (!src) {
        var def = { type: "geojson", data: url, maxzoom: tileZoom(key, look), buffer: look.tile_buffer };
        if (PROMOTE[key]) { def.promoteId = PROMOTE[key]; }
        if (key === "communes" && look.detail_zoom) { def.tolerance = LOW_TOLERANCE; }
        map.addSource(sourceId(key), def);
        tune(map.getSource(sourceId(key)));
        indexDeep(map.getSource(sourceId(key)), look);
        rec.states[key] = {};  // a new source holds no feature state
      } else if (rec.urls[key] !== url) {
        src.setData(url);  // another vintage: its geometry, once; its states are set anew
        if (PROMOTE[key]) { map.removeFeatureState({ source: sourceId(key) }); }
        rec.states[key] = {};
      }
      rec.urls[key] = url;
    });
  }

  function ensureLayers(map, rec, look) {
    var before = beforeId(map);
    var defs = layerDefs(look);
    defs.forEach(function (def, i) {
      if (!map.getSource(sourceId(def.source))) { return; }
      if (map.getLayer(def.id)) { return; }
      var layer = { id: def.id, type: def.type, source: sourceId(def.source), paint: def.paint,
        layout: Object.assign({ visibility: visibility(def, look, map.getZoom(), rec.vis) }, def.layout || {}) };
      if (def.filter) { layer.filter = def.filter; }
      if (def.minzoom !== undefined) { layer.minzoom = def.minzoom; }
      if (def.maxzoom !== undefined) { layer.maxzoom = def.maxzoom; }
      var next = before;  // under the first of the layers above it that is there already
      for (var j = i + 1; j < defs.length; j++) {
        if (map.getLayer(defs[j].id)) { next = defs[j].id; break; }
      }
      map.addLayer(layer, next);
    });
  }

  /* Feature states: set the keys that differ from what was set; ids no longer wanted get
     ``off`` (hidden; none when ``off`` is null: a filter hides them). Returns how many
     features changed. */
  function setStates(map, key, wanted, off) {
    if (!map.getSource(sourceId(key))) { return 0; }  // deferred: all set once it is added
    var rec = record(map).states[key];
    var n = 0;
    var apply = function (id, w) {
      var had = rec[id] || {};
      var diff = {};
      var any = false;
      Object.keys(w).forEach(function (k) { if (had[k] !== w[k]) { diff[k] = w[k]; any = true; } });
      if (!any) { return; }
      map.setFeatureState({ source: sourceId(key), id: id }, diff);
      rec[id] = Object.assign({}, had, diff);
      n++;
    };
    Object.keys(wanted).forEach(function (id) { apply(id, wanted[id]); });
    if (off) { Object.keys(rec).forEach(function (id) { if (!(id in wanted)) { apply(id, off); } }); }
    return n;
  }

  /* A commune's row of the paint spec: [class, district, sponsors, projects, sources] in
     view; out of view the spec holds its district alone (class 0, nothing counted). The
     district is an index into spec.districts (layers/map_paint.commune_paint). */
  function communeRow(spec, code) {
    var c = spec.communes[code];
    if (c === undefined) { return [0, null, null, null, null]; }
    return Array.isArray(c) ? c : [0, c, null, null, null];
  }

  function communeStates(spec, outline) {
    var wanted = {};
    Object.keys(spec.communes).forEach(function (code) {
      wanted[code] = { fill: spec.colours[communeRow(spec, code)[0]], match: false, sel: code === outline };
    });
    spec.match.forEach(function (code) { if (wanted[code]) { wanted[code].match = true; } });
    return wanted;
  }

  /* The points and groups shown: on a province's map as feature states (points and texts
     ``on``, the discs ``on``, ``size``, ``fill``); on a country's map (``filtered``) the discs'
     states only, as the layers' filters show them (filterShown). */
  function pointStates(spec, filtered) {
    var points = {};
    var groups = {};
    if (!filtered) { spec.points.forEach(function (id) { points[id] = { on: true }; }); }
    Object.keys(spec.groups).forEach(function (code) {
      var g = spec.groups[code];  // [n, size, colour, kind]
      groups[code] = { on: true, size: g[1], fill: g[2] };
      if (!filtered) { groups[groupText(code, g)] = { on: true }; }
    });
    return { points: points, groups: groups };
  }
  function groupText(code, g) { return g[0] > 1 ? code + "#" + g[0] : code + "@" + g[3]; }

  /* On a country's map (look.detail_zoom) which points and groups show is the filter of
     their layers, not a feature state each: a district filter turned ~99,000 of 100,000
     points off one setFeatureState at a time, and every tile made afterwards went through
     all 100,000 states (seconds of main thread per change, issue 10). A filter is a
     ``match`` on the ids shown (a hash lookup), none when every project shows (the spec's
     points "all"); MapLibre lays out again only the tiles it holds of a changed one. */
  /* The communes' match and selection outlines likewise: drawn at opacity 0 for the other
     10,736 communes they were two more whole-country line passes in every frame. Their
     filters change with the highlights or the selection only (not with a district), and a
     changed filter lays out that source's tiles again. Layer (its "-full" twin too) ->
     [which ids, the property that holds them]. */
  var SHOWN_BY = { "ntm-halo": ["points", "pid"], "ntm-points": ["points", "pid"],
    "ntm-point-letters": ["points", "pid"], "ntm-groups": ["discs", "fid"],
    "ntm-group-text": ["texts", "fid"], "ntm-match": ["match", "code"], "ntm-selected": ["sel", "code"] };

  function shownIds(spec, outline) {
    var discs = Object.keys(spec.groups);
    return { points: spec.points === "all" ? "all" : unique(spec.points), discs: discs,
      texts: discs.map(function (code) { return groupText(code, spec.groups[code]); }),
      match: unique(spec.match), sel: outline ? [outline] : [] };
  }
  function unique(ids) {  // a match's labels must differ
    var seen = new Set(ids);
    return seen.size === ids.length ? ids : Array.from(seen);
  }

  function filterShown(map, rec, look, shown) {
    var done = rec.filtered || (rec.filtered = {});
    var now = {};  // what the layers there show (a deferred source's come later)
    layerDefs(look).forEach(function (def) {
      var by = SHOWN_BY[def.id.replace(/-full$/, "")];
      var layer = by && map.getLayer(def.id);
      if (!layer) { return; }
      var which = by[0];
      var ids = now[which] = shown[which];
      if (offSide(def, look, map.getZoom())) { return; }  // set when its side comes into view
      var key = ids === "all" ? "all" : ids.join("\n");
      if (done[def.id] && done[def.id].layer === layer && done[def.id].key === key) { return; }
      var only = ids === "all" ? null : ids.length ? ["match", ["get", by[1]], ids, true, false] : false;
      var filter = only === null ? def.filter || null
        : def.filter ? ["all", def.filter, only] : only;
      map.setFilter(def.id, filter);
      done[def.id] = { layer: map.getLayer(def.id), key: key };
    });
    rec.shown = now;
  }

  /* A layer not drawn on this side of look.detail_zoom. A changed filter lays out again
     the tiles its source holds: the points' and groups' filters set at the whole-country
     view had the worker lay out the district's tiles it was leaving (~1 s) and drew a frame
     more when they came back; they are set when a zoom crosses look.detail_zoom (listen). */
  function offSide(def, look, zoom) {
    var z = look.detail_zoom;
    return (def.minzoom >= z && zoom < z) || (def.maxzoom === z && zoom >= z);
  }

  /* Whether a point or group the map drew (queryRenderedFeatures) shows: drawn with its
     state "on" on a province's map; on a country's map its layer's filter let it through. */
  function isShown(look, f) { return !!(look.detail_zoom || (f.state && f.state.on)); }

  function switchLayers(map, rec, look, visible) {
    var zoom = map.getZoom();
    layerDefs(look).forEach(function (def) {
      if ((def.sw || look.detail_zoom) && map.getLayer(def.id)) {
        layout(map, def.id, "visibility", visibility(def, look, zoom, visible));
      }
    });
    rec.vis = Object.assign({}, visible);
    rec.pointSide = zoom >= look.group_max_zoom;
  }

  /* On a country's map the single points (from look.group_max_zoom) and the commune groups
     (below it) are each their source's only use on their side of that zoom: the other
     source's layers are hidden there, so a district's view does not wait for tiles it draws
     nothing from (issue 10, session 10: the projects' or the groups' tiles, ~0.1 s of the
     worker in a national district change). A province's map keeps both sources in use at
     every zoom: their tiles, cut once at the province's view, serve every district's. */
  function hiddenAt(def, look, zoom) {
    if (!look.detail_zoom) { return false; }
    var single = zoom >= look.group_max_zoom;
    return def.source === "projects" ? !single : def.source === "groups" ? single : false;
  }
  function visibility(def, look, zoom, vis) {
    return (vis || {})[def.sw] === false || hiddenAt(def, look, zoom) ? "none" : "visible";
  }
  /* Whether a country's zoom crossed look.group_max_zoom since its layers were switched. */
  function crossedPoints(map, rec, look) {
    return !!look.detail_zoom && rec.pointSide !== map.getZoom() >= look.group_max_zoom;
  }

  /* The basemap's tiles as our own raster layer right above the white background: a new
     style would drop our layers. */
  function ensureBasemap(map, rec, tiles) {
    var url = tiles ? tiles.url : null;
    if (rec.basemap === url && (!url || map.getLayer("ntm-basemap"))) { return; }
    if (map.getLayer("ntm-basemap")) { map.removeLayer("ntm-basemap"); }
    if (map.getSource("ntm-basemap")) { map.removeSource("ntm-basemap"); }
    rec.basemap = url;
    if (!url) { return; }
    map.addSource("ntm-basemap", { type: "raster", tiles: [url], tileSize: 256,
      attribution: tiles.attribution || "", maxzoom: tiles.max_zoom || 19 });
    var layers = map.getStyle().layers || [];
    map.addLayer({ id: "ntm-basemap", type: "raster", source: "ntm-basemap" },
      layers.length > 1 ? layers[1].id : undefined);
  }

  /* The glyphs of the names, served by the app (a path under its prefix, or a whole URL;
     "{fontstack}" and "{range}" are MapLibre's to fill). Before the first symbol layer. */
  function ensureGlyphs(map, rec, url, font) {
    var whole = url && (url.charAt(0) === "/" ? window.location.origin + url : url);
    if (!whole || rec.glyphs === whole) { return; }  // a new URL makes every name tile anew
    map.setGlyphs(whole);
    rec.glyphs = whole;
    /* The three ranges every name needs (Latin; Đ Ơ Ư; the Vietnamese letters) are asked for
       now, while the worker reads the GeoJSON, not once the name tiles are laid out (~1-2 s
       later on a busy machine); MapLibre keeps them for the tiles. */
    var glyphs = map.style && map.style.glyphManager;
    if (font && glyphs && typeof glyphs.getGlyphs === "function") {
      var ask = {};
      ask[font] = ["a", "\u0110", "\u1ea1"];
      Promise.resolve().then(function () { return glyphs.getGlyphs(ask); }).catch(function () {});
    }
  }

  /* Everything the wanted spec and outline ask for, set where it differs. */
  function paintMap(gd) {
    var map = mapOf(gd);
    var spec = want.spec;
    if (!spec || !styleReady(map)) { return false; }
    var rec = record(map);
    ensureGlyphs(map, rec, spec.glyphs, spec.look && spec.look.font);
    ensureBasemap(map, rec, spec.basemap);
    if (!rec.vis) { rec.vis = Object.assign({}, spec.visible); }  // the first layers as asked
    ensureSources(map, rec, spec.sources, spec.look);
    ensureLayers(map, rec, spec.look);
    rec.spec = spec;
    rec.painting = true;  // the fit's own zoom event is not a reader's (see listen)
    try { askFit(gd, "spec", spec.fit); } finally { rec.painting = false; }  // first: its zoom says which source draws
    if (!sameJSON(rec.vis, spec.visible) || crossedPoints(map, rec, spec.look)) {
      switchLayers(map, rec, spec.look, spec.visible);
    }
    rec.side = drawnSide(map, spec.look);
    var communes = communeStates(spec, want.outline);
    (spec.look.detail_zoom ? [rec.side] : ["communes", "communes_full"]).forEach(function (key) {
      setStates(map, key, communes, { match: false, sel: false });
    });
    var filtered = !!spec.look.detail_zoom;
    var pts = pointStates(spec, filtered);
    if (filtered) {
      filterShown(map, rec, spec.look, shownIds(spec, want.outline));
      setStates(map, "groups", pts.groups, null);
    } else {
      setStates(map, "projects", pts.points, { on: false });
      setStates(map, "groups", pts.groups, { on: false });
    }
    gd.dataset.ntmPainted = String(want.n);
    return true;
  }

  /* On a country's map the communes' colours and outlines are set on the source drawn at
     the camera's zoom only (the other catches up when a zoom crosses look.detail_zoom): set
     on both, every change paid twice for the states of 10,736 communes (setFeatureState and
     MapLibre's paint arrays: ~1.5 s of main thread on session 5's trace). */
  function drawnSide(map, look) {
    var full = look.detail_zoom && map.getZoom() >= look.detail_zoom && map.getSource(sourceId("communes_full"));
    return full ? "communes_full" : "communes";
  }

  function sameJSON(a, b) { return JSON.stringify(a || {}) === JSON.stringify(b || {}); }

  /* ------------------------------------------------------------------ hover and click */
  /* The project point under the mouse: the points' size is a zoom expression (see
     layerDefs), which MapLibre's own hit test counts as no size, so a box of the marker's
     size is searched and the nearest point shown in it taken. */
  function pointAt(map, point, look) {
    var r = look.point_size / 2 + look.casing_width;
    var box = [[point.x - r, point.y - r], [point.x + r, point.y + r]];
    var near = null, best = r * r;
    map.queryRenderedFeatures(box, { layers: ["ntm-points"] }).forEach(function (f) {
      if (!isShown(look, f)) { return; }
      var q = map.project(f.geometry.coordinates);
      var d = (q.x - point.x) * (q.x - point.x) + (q.y - point.y) * (q.y - point.y);
      if (d <= best) { best = d; near = f; }
    });
    return near && { kind: "project", id: near.properties.pid, f: near };
  }

  function pick(map, point) {
    var look = record(map).spec.look;
    var single = map.getZoom() >= look.group_max_zoom;  // the points show, not the groups
    if (single && map.getLayer("ntm-points")) {
      var hit = pointAt(map, point, look);
      if (hit) { return hit; }
    }
    var layers = HOVER.filter(function (id) {
      return map.getLayer(id) && id !== "ntm-points" && !(single && id === "ntm-groups");
    });
    var found = layers.length ? map.queryRenderedFeatures(point, { layers: layers }) : [];
    for (var i = 0; i < found.length; i++) {
      var f = found[i];
      var p = f.properties || {};
      if (f.layer.id.indexOf("ntm-communes-fill") === 0) { return { kind: "commune", id: p.code, f: f }; }
      if (isShown(look, f)) { return { kind: "group", id: p.code, f: f }; }
    }
    return null;
  }

  /* The tooltip's lines (the first is bold, an ``em`` one italic), as text. */
  function tipLines(hit, spec) {
    var w = spec.words;
    var p = hit.f.properties || {};
    if (hit.kind === "commune") {
      var c = communeRow(spec, p.code);
      var district = c[1] === null ? "" : (spec.districts || [])[c[1]];
      var lines = [{ text: p.name }];
      if (district) { lines.push({ text: district }); }
      lines.push({ text: w.measure + ": " + w.classes[c[0]] });
      if (c[2] !== null) {
        lines.push({ text: w.sponsors + ": " + c[2] + " · " + w.projects + ": " + c[3] + " · " + w.sources + ": " + c[4] });
      }
      return lines;
    }
    if (hit.kind === "group") {
      var g = spec.groups[p.code] || [0];
      return [{ text: p.name }, { text: w.group[String(g[0])] || "" }];
    }
    var title = w.lang === "en" && p.title_en ? p.title_en : p.title;
    var out = [{ text: title || "" }, { text: (w.kinds[p.kind] || p.kind) + " · " + (p.commune || "") },
      { text: w.year + ": " + (p.year || w.year_unknown) }];
    if (p.who) { out.push({ text: p.who }); }
    if (p.approx === true || p.approx === "true") { out.push({ text: w.approximate, em: true }); }
    return out;
  }

  function tipBox(gd) {
    var wrap = gd.closest(".map-wrap") || gd.parentNode;
    var tip = wrap.querySelector(".map-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "map-tip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      wrap.appendChild(tip);
    }
    return tip;
  }

  function showTip(gd, map, hit, point) {
    var tip = tipBox(gd);
    tip.replaceChildren();
    tipLines(hit, record(map).spec).forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : (line.em ? "em" : "span"));
      el.textContent = line.text;  // data text: never HTML
      tip.appendChild(el);
    });
    var wrapBox = tip.parentNode.getBoundingClientRect();
    var canvasBox = map.getCanvas().getBoundingClientRect();
    var x = canvasBox.left - wrapBox.left + point.x;
    var y = canvasBox.top - wrapBox.top + point.y;
    tip.hidden = false;
    var left = x + 14 + tip.offsetWidth > wrapBox.width ? x - 14 - tip.offsetWidth : x + 14;
    tip.style.left = Math.max(0, left) + "px";
    tip.style.top = Math.max(0, Math.min(y + 14, wrapBox.height - tip.offsetHeight)) + "px";
  }

  function hideTip(gd) {
    var tip = (gd.closest(".map-wrap") || gd.parentNode).querySelector(".map-tip");
    if (tip) { tip.hidden = true; }
  }

  /* MapLibre marks a symbol placement stale when the symbol tiles in view changed while it
     ran (a placement may be spread over several frames) and draws the whole map once more to
     place again. Without a fade (below) every placement is a full one, done within the frame
     that asked for it, with the tiles of that frame: the extra frame after each camera jump
     to another district showed the same picture again (~0.3-0.6 s of software drawing). */
  function placeOnce(map) {
    var style = map.style;
    var update = style && style._updatePlacement;
    if (typeof update !== "function" || style._ntmPlaceOnce) { return; }
    style._ntmPlaceOnce = true;
    style._updatePlacement = function () {
      var dirty = update.apply(this, arguments);
      var placed = this.pauseablePlacement && this.pauseablePlacement.isDone();
      if (dirty && placed && map._fadeDuration === 0 && this.placement && this.placement.stale) {
        this.placement.stale = false;
        return this.placement.hasTransitions(performance.now());
      }
      return dirty;
    };
  }

  /* The first picture in one frame. While the page loads, every source and tile that arrives
     makes MapLibre draw the whole map again: ~10 frames of a half-drawn map before the
     communes, outlines, names and points are all there, each 0.3-0.8 s of software drawing
     on a machine without a GPU (issue 10: most of navigation -> map drawn). Until the paint
     spec's sources and their tiles are all loaded, MapLibre's frames run as usual (tiles are
     asked for, symbols placed) but its painter draws nothing; the first frame drawn shows
     everything. A reader's own move, or HOLD_MS, ends the wait whatever has arrived.
     map._ntmHeld says whether the last frame was held (benchmarks/browser.py counts the
     frames drawn). */
  var HOLD_MS = 6000;
  function holdFirstPicture(map) {
    var painter = map.painter;
    var draw = painter && painter.render;
    if (typeof draw !== "function" || map._ntmHold !== undefined) { return; }
    /* A frame whose zoom crossed a layer's minzoom or maxzoom (a country's detail_zoom, the
       groups' last zoom) changes which sources are used: MapLibre fires "visibility" data
       events from that frame's style update, and they ask for another frame, which draws
       the same picture again (issue 10: the second whole-country frame of a way back,
       ~0.2 s in software). That frame is held instead; the one asked for draws. */
    var flipped = false;
    map.on("sourcedata", function (e) { if (e.sourceDataType === "visibility") { flipped = true; } });
    painter.render = function (style) {
      var flip = flipped && !!map._frameRequest;
      flipped = false;
      if (flip || (map._ntmHold && !map._ntmReady())) {
        this.style = style;  // what a tile that arrives is read against (its buckets' layers)
        map._ntmHeld = true;
        dryRun(map, this, style, draw, arguments);
        return undefined;
      }
      map._ntmHold = false;
      map._ntmHeld = false;
      return draw.apply(this, arguments);
    };
    hold(map, HOLD_MS, function () {
      var rec = map._ntm;
      return !!(rec && rec.spec && map.getSource(sourceId("communes")) && map.style &&
        map.style.loaded() && map.areTilesLoaded());
    });
    map.on("movestart", function (e) { if (e && e.originalEvent && e.originalEvent.type !== "ntm-fit") { release(map); } });
  }
  /* A held frame draws, with its draw calls silenced, the layers whose source has all its
     tiles for the view and that no such frame drew yet: what the first picture would
     otherwise do in its own frame (each layer's shader program compiled and linked, a
     synchronous wait on the GPU process each: 14 programs, ~0.18 s on the benchmark
     machine; the tiles' buffers uploaded) is done, once per layer, while the other sources'
     tiles are still being cut. */
  var SILENT = ["drawElements", "drawArrays", "clear"];
  function dryRun(map, painter, style, draw, args) {
    var gl = painter.context && painter.context.gl;
    var order = style && style._order;
    if (!gl || !Array.isArray(order)) { return; }
    var done = map._ntmDry || (map._ntmDry = {});
    var now = order.filter(function (id) {
      var layer = !done[id] && map.getLayer(id);
      return layer && (!layer.source || map.isSourceLoaded(layer.source));
    });
    if (!now.length) { return; }
    now.forEach(function (id) { done[id] = true; });
    SILENT.forEach(function (name) { gl[name] = function () {}; });
    style._order = now;
    try { draw.apply(painter, args); } catch (e) { /* the real frame draws it again */ }
    finally {
      style._order = order;
      SILENT.forEach(function (name) { delete gl[name]; });
    }
  }
  function hold(map, ms, ready) {
    map._ntmHold = true;
    map._ntmReady = ready;
    clearTimeout(map._ntmHoldTimer);
    map._ntmHoldTimer = setTimeout(function () { release(map); }, ms);
  }
  function release(map) {
    if (!map._ntmHold) { return; }
    map._ntmHold = false;
    map.triggerRepaint();
  }

  /* A country's map after a requested fit (a district chosen, or the whole country again)
     draws once its own sources' tiles for the new view are there: each frame drawn on the
     way is the whole map again in software (4-9 frames of ~0.2-1.2 s each, issue 10). The
     basemap's tiles are not waited for (a slow tile server would hold the picture);
     FIT_HOLD_MS or the reader's own move end the wait whatever has arrived. */
  var FIT_HOLD_MS = 2500;
  function holdAfterFit(map) { holdFor(map, KEYS); }
  function holdFor(map, keys) {
    if (map._ntmHold || !map._ntmReady) { return; }  // held already, or the painter not wrapped
    hold(map, FIT_HOLD_MS, function () {
      return keys.every(function (key) {
        var id = sourceId(key);
        return !map.getSource(id) || map.isSourceLoaded(id);
      });
    });
  }

  function listen(gd, map) {
    /* Labels appear at once after a move, without MapLibre's 300 ms fade: each faded frame is
       a whole redraw (slow without a GPU), and a district's fit would cost a dozen of them. */
    map._fadeDuration = 0;
    holdFirstPicture(map);
    placeOnce(map);
    map.on("mousemove", function (e) {
      var hit = record(map).spec && pick(map, e.point);
      map.getCanvas().style.cursor = hit ? "pointer" : "";
      if (hit) { showTip(gd, map, hit, e.point); } else { hideTip(gd); }
    });
    map.getCanvas().addEventListener("mouseleave", function () { hideTip(gd); });
    map.on("movestart", function () { hideTip(gd); });
    map.on("click", function (e) {
      var hit = record(map).spec && pick(map, e.point);
      if (!hit || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
      clicks++;
      window.dash_clientside.set_props("map-click", { data: { kind: hit.kind, id: hit.id, n: clicks } });
    });
    map.on("styledata", function () { placeOnce(map); paintMap(gd); });  // a new style dropped our layers
    map.on("idle", function () {
      apply(gd);
      detailsLater(gd, map);
      if (!map._ntmHold && record(map).spec && !drawn) {  // the first picture is drawn
        drawn = true;
        /* The charts (assets/charts_after_map.js) start once the browser has shown that
           picture: drawn in this task, their layout (seconds on a busy machine) kept the
           map's frame from the screen. */
        afterFrame().then(function () { window.dispatchEvent(new Event("ntm-map-drawn")); });
      }
    });
    map.on("zoomend", function () {
      var rec = record(map);
      var look = rec.spec && rec.spec.look;
      if (look && !rec.details && map.getZoom() >= (look.detail_zoom || look.group_max_zoom)) { paintMap(gd); }
    });
    /* A zoom across look.detail_zoom brings the other side into view: its communes' colours
       (drawnSide) and its layers' filters (offSide) are set then. */
    map.on("zoom", function () {
      var rec = record(map);
      var look = rec.spec && rec.spec.look;
      if (look && look.detail_zoom && !rec.painting && rec.side && rec.side !== drawnSide(map, look)) { paintMap(gd); }
      if (look && !rec.painting && rec.vis && crossedPoints(map, rec, look)) { switchLayers(map, rec, look, rec.vis); }
    });
  }

  /* ------------------------------------------------------------------ fit */
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

  /* A box to fit comes from the spec (the chosen districts, or the whole vintage) or from the
     map-fit store (a commune chosen by search or by its group: {box, key}); the one that
     changed last wins. */
  function askFit(gd, from, box, key) {
    if (!box) { return; }
    var ask = gd._ntmAsk || (gd._ntmAsk = {});
    key = key || box.join(",");
    if (ask[from] !== key) {
      ask[from] = key;
      ask.box = box;
    }
    var map = mapOf(gd);
    if (map && ask.box) { fit(gd, map, ask.box); }
  }

  /* Fit once per requested box, and again when the map changed size by more than a tenth
     while the reader had not moved it (a phone's layout settles after the first fit; a few
     pixels are not worth a new view and its tiles). A view set since then (drag, wheel, the
     buttons) is the reader's: it is kept until the next requested box. */
  function fit(gd, map, box) {
    var key = box.join(",");
    var w = gd.clientWidth, h = gd.clientHeight;
    var last = gd._ntmFit;
    if (last && last.key === key) {
      var c = map.getCenter();
      var moved = Math.abs(map.getZoom() - last.zoom) > 0.01 ||
        Math.abs(c.lng - last.lng) > 1e-6 || Math.abs(c.lat - last.lat) > 1e-6;
      var small = Math.abs(last.w - w) <= 0.1 * last.w && Math.abs(last.h - h) <= 0.1 * last.h;
      if (moved || small) { return; }
    }
    var pad = Math.max(8, Math.min(30, Math.round(Math.min(w, h) * 0.04)));
    var right = Math.min(coveredRight(gd), w / 2);
    var look = record(map).spec && record(map).spec.look;
    if (look && look.detail_zoom) { holdAfterFit(map); }
    map.fitBounds([[box[0], box[1]], [box[2], box[3]]],
      { padding: { top: pad, bottom: pad, left: pad, right: pad + right }, animate: false, maxZoom: 12.5 },
      { originalEvent: { type: "ntm-fit" } });
    var at = map.getCenter();
    gd._ntmFit = { key: key, w: w, h: h, zoom: map.getZoom(), lng: at.lng, lat: at.lat };
    gd.dataset.ntmFitted = key;
  }

  /* ------------------------------------------------------------------ hooks */
  function apply(gd) {
    var map = mapOf(gd);
    if (!styleReady(map)) { return; }  // not isStyleLoaded(): false while any source loads
    paintMap(gd);
    if (want.fit) { askFit(gd, "search", want.fit.box, want.fit.key); }
  }

  /* The map's style: a white background (works offline); the glyphs of the names come with
     the paint spec (ensureGlyphs). */
  function baseStyle() {
    return { version: 8, sources: {},
      layers: [{ id: "white-bg", type: "background", paint: { "background-color": "#fff" } }] };
  }

  function makeMap(gd) {
    var map = new window.maplibregl.Map({
      container: gd, style: baseStyle(), center: [0, 0], zoom: 1,
      attributionControl: false,  // the legend names the basemap's source
      dragRotate: false, pitchWithRotate: false, touchPitch: false, maxPitch: 0,
      fadeDuration: 0, renderWorldCopies: false
    });
    if (map.touchZoomRotate) { map.touchZoomRotate.disableRotation(); }
    if (map.keyboard && map.keyboard.disableRotation) { map.keyboard.disableRotation(); }
    gd._ntmMap = map;
    listen(gd, map);
    map.on("load", function () { apply(gd); });
    apply(gd);
    return map;
  }

  /* The map is made as soon as its box and MapLibre are both there (a box Dash renders anew
     gets a map of its own). */
  function hook() {
    warm();
    var gd = graph();
    if (!gd || gd._ntmMap || !window.maplibregl || !window.maplibregl.Map) { return false; }
    makeMap(gd);
    return true;
  }
  /* MapLibre's worker starts (its code compiled) as soon as MapLibre's script has run, while
     Dash fetches the layout and React renders the page: started with the map, it took
     ~0.45 s to answer (its start waits on the busy main thread), and the sources waited. */
  var warmed = false;
  function warm() {
    if (warmed || !window.maplibregl || typeof window.maplibregl.prewarm !== "function") { return; }
    warmed = true;
    window.maplibregl.prewarm();
  }
  /* At once when React puts the box on the page (a mutation observer runs right after that
     task, before any script that arrived meanwhile, such as plotly.js for the charts), or
     when MapLibre's script has run (an async script in the head: its "load" event). */
  (function early() {
    var watch = typeof MutationObserver === "function" && new MutationObserver(function () {
      if (hook()) { watch.disconnect(); }
    });
    if (hook()) { setInterval(hook, 300); return; }
    if (watch) { watch.observe(document.documentElement, { childList: true, subtree: true }); }
    document.addEventListener("load", function () { if (hook() && watch) { watch.disconnect(); } }, true);
    setInterval(hook, 300);
  })();

  /* ------------------------------------------------------------------ the buttons */
  function mapPng(map) {
    map.once("render", function () {
      var a = document.createElement("a");
      a.href = map.getCanvas().toDataURL("image/png");  // read in the frame that drew it
      a.download = "ntm-atlas-ban-do.png";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
    map.triggerRepaint();
  }
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest("#map-tools button");
    var gd = graph();
    var map = mapOf(gd);
    if (!button || !map) { return; }
    var act = button.getAttribute("data-act");
    if (act === "zoom-in") { map.zoomIn(); }
    if (act === "zoom-out") { map.zoomOut(); }
    if (act === "reset" && gd._ntmAsk && gd._ntmAsk.box) { gd._ntmFit = null; fit(gd, map, gd._ntmAsk.box); }
    if (act === "png") { mapPng(map); }
  });

  /* ------------------------------------------------------------------ the map first */
  /* The page callback's answer carries the paint spec along with the rest of the page (cards,
     legend, charts, details). Dash draws all of those before it calls the clientside paint:
     on the benchmark machine ~0.5 s of main thread per change, mostly the two bar charts
     below the map, and the map waited for them. Here the spec (and the selection outline)
     is applied as soon as the answer arrives, and Dash is handed the answer once the browser
     has drawn a frame (the map's, requested by the paint): the map is repainted first, the
     rest of the page a frame later. Dash's own call of the paint then finds nothing that
     differs. An answer without a spec passes untouched. */
  function spec0(body) {
    var out = body && body.response;
    var paint = out && out["map-paint"];
    return paint && paint.data ? { spec: paint.data, outline: out["map-outline"] } : null;
  }

  function afterFrame(value) {
    return new Promise(function (resolve) {
      var done = function () { resolve(value); };
      requestAnimationFrame(function () { setTimeout(done, 0); });
      setTimeout(done, 1000);  // a hidden page draws no frame: Dash must not wait for one
    });
  }

  /* After the frame that draws the painted map: on a country's map a district's fit holds
     the painter until its tiles are cut (holdAfterFit), and Dash's work on the rest of the
     answer (~0.3 s of main thread) held back the tiles' messages from the worker (issue 10:
     a national district change waited ~0.3 s for them). The same frame as afterFrame's when
     the first frame draws (a province's map); FIT_HOLD_MS at most. */
  function afterPicture(map, value) {
    if (!map || document.hidden) { return afterFrame(value); }
    return new Promise(function (resolve) {
      var done = false;
      var finish = function () {
        if (done) { return; }
        done = true;
        map.off("render", drawn);
        map.off("idle", finish);
        setTimeout(function () { resolve(value); }, 0);
      };
      var drawn = function () { if (!map._ntmHeld) { finish(); } };
      map.on("render", drawn);
      map.on("idle", finish);
      requestAnimationFrame(function () {  // after MapLibre's own frame, if it asked for one
        if (!map._frameRequest && !map._ntmHold) { finish(); }
      });
      setTimeout(finish, FIT_HOLD_MS);
    });
  }

  /* Tickets of the requests that may carry a paint spec, in the order they were sent. Dash
     drops the answer of a request that a newer one superseded; an older answer that arrives
     after a newer one must not be painted either, or the map would keep the old state. */
  var sent = 0;
  var answered = { painted: 0, dropped: 0 };  // answers with a spec: painted early or dropped

  function paintFirst(res, ticket) {
    return res.clone().json().then(function (body) {
      var got = spec0(body);
      var gd = graph();
      if (!got || !gd) { return res; }
      if (ticket !== sent) { answered.dropped++; return res; }
      answered.painted++;
      want.spec = got.spec;
      if (got.outline) { want.outline = got.outline.data === undefined ? null : got.outline.data; }
      return paintMap(gd) ? afterPicture(mapOf(gd), res) : res;
    }, function () { return res; });
  }

  /* The first paint spec is in the page's layout (the map-paint store's data): taken from
     Dash's _dash-layout answer as it arrives, the map adds its sources as soon as it is made,
     instead of after React has rendered the page and Dash has run its first callbacks (~0.6 s
     and more on a busy machine). Dash's own paint call later finds nothing that differs. */
  function storeData(node, id) {
    if (!node || typeof node !== "object") { return undefined; }
    if (Array.isArray(node)) {
      for (var i = 0; i < node.length; i++) {
        var hit = storeData(node[i], id);
        if (hit !== undefined) { return hit; }
      }
      return undefined;
    }
    var props = node.props;
    if (!props) { return undefined; }
    if (props.id === id) { return props.data; }
    return storeData(props.children, id);
  }

  function takeLayout(res) {
    res.clone().json().then(function (layout) {
      var spec = storeData(layout, "map-paint");
      if (!spec || want.spec) { return; }
      want.spec = spec;
      var gd = graph();
      if (gd) { apply(gd); }
    }, function () {});
    return res;
  }

  /* A link without a query is the default view, which the layout already is: the page's own
     first callbacks (Dash's initial calls) change nothing the map shows. Sent at once, Dash's
     work on them (~0.1 s of main thread: the requests, the answers, the parts they render
     again) fell between the map's making and its first picture, while the map's tiles waited
     for that thread (issue 10: navigation -> map drawn 1.19 s -> 1.13 s, naive 1.81 s, 12
     interleaved loads). They are sent once the map has drawn its first picture, at the
     reader's first press of a key or a pointer, or after EARLY_MS, whichever is first
     (EARLY_MS is for a map that never draws, without WebGL: long enough that a slow
     machine's map draws first, as assets/plotly_when_asked.js's WAIT_MS). A link with a
     query (a district, a language, a selection) asks at once: its answer is the view. */
  var EARLY_MS = 15000;
  var early = window.location.search.replace("?", "") ? null : [];
  function sendEarly() {
    var now = early;
    early = null;
    (now || []).forEach(function (send) { send(); });
  }
  if (early) {
    window.addEventListener("ntm-map-drawn", sendEarly);
    document.addEventListener("pointerdown", sendEarly, true);
    document.addEventListener("keydown", sendEarly, true);
    setTimeout(sendEarly, EARLY_MS);
  }

  if (window.fetch && !window.fetch._ntmFirst) {
    var fetchBefore = window.fetch;
    var first = function (input, init) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (early && url.indexOf("_dash-update-component") >= 0) {
        var self = this, args = arguments;
        return new Promise(function (resolve) {
          early.push(function () { resolve(first.apply(self, args)); });
        });
      }
      var answer = fetchBefore.apply(this, arguments);
      if (url.indexOf("_dash-layout") >= 0) {
        return answer.then(function (res) { return res.ok ? takeLayout(res) : res; });
      }
      if (url.indexOf("_dash-update-component") < 0) { return answer; }
      var body = init && typeof init.body === "string" ? init.body : "";
      if (body.indexOf("map-paint.data") < 0) { return answer; }  // its "output" names the store
      var ticket = ++sent;
      return answer.then(function (res) { return res.ok ? paintFirst(res, ticket) : res; });
    };
    first._ntmFirst = true;
    window.fetch = first;
  }

  /* What is painted, for tests: colours by commune code, the outlined codes, the points and
     groups shown (the ids, sorted; on a country's map ``points`` is "all" when every
     project shows, and both are what the layers' filters let through). */
  function snapshot() {
    var map = mapOf(graph());
    var rec = map && map._ntm;
    if (!rec) { return null; }
    var ids = function (states, key) {
      return Object.keys(states).filter(function (id) { return states[id][key]; }).sort();
    };
    var shown = rec.spec && rec.spec.look.detail_zoom && rec.shown;
    var colours = {};
    var communes = rec.states[rec.side || "communes"];  // the source drawn (drawnSide)
    Object.keys(communes).forEach(function (id) { colours[id] = communes[id].fill; });
    return { colours: colours, match: ids(communes, "match"), selected: ids(communes, "sel"),
      points: !shown ? ids(rec.states.projects, "on") : shown.points === "all" ? "all" : (shown.points || []).slice().sort(),
      groups: !shown ? ids(rec.states.groups, "on") : (shown.discs || []).concat(shown.texts || []).sort(), sources: Object.assign({}, rec.urls), basemap: rec.basemap,
      visible: Object.assign({}, rec.vis), layers: (map.getStyle().layers || []).map(function (l) { return l.id; }) };
  }
  window.ntmMap = Object.freeze({ state: snapshot, map: function () { return mapOf(graph()); },
    drawn: function () { return drawn; },
    answers: function () { return Object.assign({ sent: sent }, answered); } });

  window.dash_clientside = Object.assign({}, window.dash_clientside, { ntm_map: {
    paint: function (spec, outline, fit) {
      want.spec = spec || want.spec;
      want.outline = outline === undefined ? null : outline;
      want.fit = fit && fit.box ? fit : want.fit;
      want.n++;
      var gd = graph();
      if (gd) { apply(gd); }
      return window.dash_clientside.no_update;
    }
  } });
})();
