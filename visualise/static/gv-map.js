/* GRID Voices map, part 2 of 2: the page — Leaflet map, layers, filters, search, details.
 * Every partner string reaches the DOM through textContent, never parsed as markup; no
 * Leaflet tooltip or popup is used (they take HTML).
 */
(function () {
  "use strict";
  var GV = window.GV;
  var timings = {start: performance.now()};
  var root = document.getElementById("gv-network");
  var data = JSON.parse(document.getElementById("gv-data").textContent);
  var P = data.points, N = P.id.length, NP = data.periods.length, W = NP + 1;
  var HIDDEN = GV.HIDDEN;
  function el(id) { return document.getElementById(id); }
  function make(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  function clear(x) { while (x.firstChild) { x.removeChild(x.firstChild); } }

  var map = L.map(root, {
    crs: data.geo ? L.CRS.EPSG3857 : L.CRS.Simple,
    zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false,
    zoomSnap: 0.25, attributionControl: !!data.tiles,
    minZoom: data.geo ? 3 : 2, maxZoom: data.geo ? 18 : 12
  });
  if (data.tiles) {
    // The attribution is HTML in Leaflet: give it only the tile server's host name.
    var host = data.tiles.split("/")[2].replace(/[^A-Za-z0-9.{}-]/g, "");
    L.tileLayer(data.tiles, {maxZoom: 18, attribution: "Map tiles: " + host}).addTo(map);
  }
  var renderer = L.canvas({padding: 0.3, tolerance: 5});
  var state = {
    layers: {districts: true, points: true, flows: true, peers: false},
    shade: "gaps", district: -1, domain: -1, kind: -1, period: -1, pinned: -1, query: ""
  };
  var app = (GV.app = {data: data, map: map, points: P, state: state, timings: timings, matches: null});
  window.gridVoices = app;
  window.map = map;

  /* ------------------------------------------------------------------ the model */
  app.passes = function (i) {
    if (state.district >= 0 && P.district[i] !== state.district) { return false; }
    if (state.domain >= 0 && P.domain[i] !== state.domain) { return false; }
    if (state.kind >= 0 && P.kind[i] !== state.kind) { return false; }
    return true;
  };
  function column() { return state.period < 0 ? NP : state.period; }
  app.volume = function (i) {
    var j = 2 * (W * i + column());
    return [P.vol[j], P.vol[j + 1]];
  };
  app.volumeDraw = function (i) { var v = app.volume(i); return GV.drawValue(v[0], v[1]); };
  var tops = {};
  app.topVolume = function () {
    var c = column();
    if (tops[c] === undefined) {
      var t = 0;
      for (var i = 0; i < N; i++) { t = Math.max(t, app.volumeDraw(i)); }
      tops[c] = t;
    }
    return tops[c];
  };
  function edgeCount(e) {
    var v = 0, s = 0, p, c;
    for (p = 0; p < NP; p++) {
      if (state.period >= 0 && p !== state.period) { continue; }
      c = data.edges.cells[e * NP + p];
      if (c === HIDDEN) { s++; } else { v += c; }
    }
    return [v, s];
  }

  /* ---------------------------------------------------------------- districts */
  var districtLayer = L.layerGroup(), flowLayer = L.layerGroup(), pinLayer = L.layerGroup();
  var hover = null;
  function hoverable(layer, info) {
    layer.on("mouseover mousemove", function () { hover = info; schedule(); });
    layer.on("mouseout", function () { if (hover === info) { hover = null; } schedule(); });
  }
  var polys = data.districts.map(function (d, i) {
    if (!d.shape.length) { return null; }
    var poly = L.polygon(d.shape, {renderer: renderer, color: "#52606d", weight: 1.2, fillOpacity: 0.62});
    hoverable(poly, {district: i});
    districtLayer.addLayer(poly);
    return poly;
  });
  function shadeMode() {
    return data.shades.filter(function (m) { return m.key === state.shade; })[0] || data.shades[0];
  }
  function restyleDistricts() {
    var m = shadeMode();
    polys.forEach(function (poly, i) {
      if (!poly) { return; }
      var off = state.district >= 0 && state.district !== i;
      poly.setStyle({fillColor: m.fill[i], fillOpacity: off ? 0.15 : 0.62, opacity: off ? 0.4 : 1,
        weight: state.district === i ? 2.5 : 1.2});
    });
  }

  /* -------------------------------------------------------------------- flows */
  // A curve from a to b bowed to one side: the two directions of a pair never overlap.
  function arc(a, b, bend) {
    var mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2, dx = b[0] - a[0], dy = b[1] - a[1];
    var cx = mx - dy * bend, cy = my + dx * bend, pts = [];
    for (var k = 0; k <= 20; k++) {
      var t = k / 20, u = 1 - t;
      pts.push([u * u * a[0] + 2 * u * t * cx + t * t * b[0], u * u * a[1] + 2 * u * t * cy + t * t * b[1]]);
    }
    return pts;
  }
  var flowLines = data.flows.links.map(function (f) {
    var a = data.districts[f.a].centre, b = data.districts[f.b].centre;
    if (!a || !b) { return null; }
    var line = L.polyline(arc(a, b, 0.18), {renderer: renderer, color: f.colour, weight: f.width,
      opacity: 0.85, dashArray: f.dashed ? "8 6" : null, lineCap: "round"});
    hoverable(line, {flow: f});
    return line;
  });
  function refreshFlows() {
    flowLayer.clearLayers();
    var shown = 0;
    flowLines.forEach(function (line, k) {
      var f = data.flows.links[k];
      if (!line || (state.district >= 0 && f.a !== state.district && f.b !== state.district)) { return; }
      flowLayer.addLayer(line);
      shown++;
    });
    return shown;
  }
  // The pinned service's own referrals, in the chosen period.
  function refreshPin() {
    pinLayer.clearLayers();
    var i = state.pinned, shown = 0;
    if (i < 0) { return 0; }
    var here = [P.lat[i], P.lng[i]], top = 1, list = [];
    for (var e = 0; e < data.edges.src.length; e++) {
      var s = data.edges.src[e], t = data.edges.dst[e];
      if (s !== i && t !== i) { continue; }
      var c = edgeCount(e);
      if (c[0] === 0 && c[1] === 0) { continue; }
      list.push([e, s === i ? t : s, s === i, c]);
      top = Math.max(top, GV.drawValue(c[0], c[1]));
    }
    list.forEach(function (x) {
      var other = [P.lat[x[1]], P.lng[x[1]]], v = GV.drawValue(x[3][0], x[3][1]);
      var line = L.polyline(arc(x[2] ? here : other, x[2] ? other : here, 0.2), {renderer: renderer,
        color: x[2] ? "#1f2933" : "#2166ac", weight: 1.5 + 7 * Math.sqrt(v / top), opacity: 0.8});
      hoverable(line, {pinEdge: x});
      pinLayer.addLayer(line);
      shown++;
    });
    return shown;
  }

  var points = new GV.PointsLayer(app);
  districtLayer.addTo(map);
  flowLayer.addTo(map);
  pinLayer.addTo(map);
  points.addTo(map);
  app.pointsLayer = points;

  /* ------------------------------------------------------------------ legend */
  app.legendItems = function () {
    var out = [], lk = data.lookup, m = shadeMode();
    if (state.layers.districts && m.legend.length) {
      out.push({title: "Districts: " + m.heading});
      m.legend.forEach(function (x) { out.push({colour: x[0], label: x[1]}); });
    }
    if (state.layers.points) {
      // A directory has no referrals to size by; a cluster's number counts places, not people.
      out.push({title: "Services (●) and groups (▲) by domain" + (data.meta.no_flows ? "" : "; size: referrals")});
      if (app.pointsLayer && app.pointsLayer.clustered) {
        out.push({colour: "#cbd2d9", label: "Numbered circle: services and groups close together"});
      }
      var present = {};
      for (var i = 0; i < N; i++) { present[P.domain[i]] = 1; }
      lk.domains.forEach(function (label, d) {
        if (present[d]) { out.push({colour: lk.domain_colours[d], label: label}); }
      });
    }
    if (state.layers.flows && data.flows.links.length) {
      out.push({title: "Referral flows between districts (permeability)"});
      data.flows.legend.forEach(function (it) {
        out.push({line: true, colour: it.colour, dashed: !!it.dashed, label: it.label});
      });
    }
    if (state.layers.peers) {
      out.push({colour: "#8e44ad", label: "Navigators (◆) and peer links"});
    }
    return out;
  };
  app.drawLegend = function () { drawLegend(); };
  function drawLegend() {
    var box = el("gv-legend");
    clear(box);
    var ul = null;
    app.legendItems().forEach(function (it) {
      if (it.title) { box.appendChild(make("h2", null, it.title)); ul = make("ul"); box.appendChild(ul); return; }
      var li = make("li"), sw = make("span", "gv-swatch");
      sw.style.background = it.line ? "transparent" : it.colour;
      if (it.line) { sw.style.borderTop = "4px " + (it.dashed ? "dashed " : "solid ") + it.colour; sw.style.height = "0"; }
      li.appendChild(sw);
      li.appendChild(make("span", null, it.label));
      ul.appendChild(li);
    });
  }

  /* ------------------------------------------------------------------ refresh */
  function shownPoints() {
    var n = 0;
    for (var i = 0; i < N; i++) { if (app.passes(i)) { n++; } }
    return n;
  }
  function setLayer(layer, on) {
    if (on && !map.hasLayer(layer)) { layer.addTo(map); }
    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
  }
  function refresh() {
    setLayer(districtLayer, state.layers.districts);
    setLayer(flowLayer, state.layers.flows);
    restyleDistricts();
    var flows = refreshFlows(), pins = refreshPin();
    points.draw();
    root.setAttribute("data-shown-nodes", String(state.layers.points ? shownPoints() : 0));
    root.setAttribute("data-shown-flows", String(state.layers.flows ? flows : 0));
    root.setAttribute("data-shown-edges", String((state.layers.flows ? flows : 0) + pins));
    root.setAttribute("data-matches", String(app.matches ? app.matchCount : 0));
    if (state.pinned >= 0 && !detail.hidden) { showDetail({point: state.pinned}); }
    root.setAttribute("data-layers", Object.keys(state.layers).filter(function (k) { return state.layers[k]; }).join(" ") + " shade:" + state.shade);
    drawLegend();
  }
  app.refresh = refresh;

  function bounds(filter) {
    var b = L.latLngBounds([]), shaped = false;
    data.districts.forEach(function (d, i) {
      if (filter >= 0 && filter !== i) { return; }
      if (polys[i]) { b.extend(polys[i].getBounds()); shaped = true; }
    });
    // With district shapes the districts set the first view: a directory's national
    // helplines and far-off head-office coordinates are drawn but do not shrink it.
    for (var i = 0; i < N && !(shaped && filter < 0); i++) {
      if (filter < 0 || P.district[i] === filter) { b.extend([P.lat[i], P.lng[i]]); }
    }
    return b;
  }
  function fit() {
    var b = bounds(state.district);
    if (b.isValid()) { map.fitBounds(b, {padding: [30, 30], animate: false}); }
    else { map.setView([0, 0], 3); }
  }
  app.fit = fit;

  /* --------------------------------------------------------- tooltip, details */
  var tip = el("gv-tooltip"), detail = el("gv-detail"), detailBody = el("gv-detail-body");
  function infoBox(info) {
    var box = make("div", "gv-tip");
    box.appendChild(make("div", "gv-tip-title", info.heading));
    var table = make("table");
    (info.rows || []).forEach(function (r) {
      var tr = make("tr");
      if (r[0] === null || r[0] === undefined) {
        var td = make("td", "gv-tip-text", r[1]);
        td.colSpan = 2;
        tr.appendChild(td);
      } else {
        tr.appendChild(make("th", null, r[0]));
        tr.appendChild(make("td", null, r[1]));
      }
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  var periodName = function () { return state.period < 0 ? "all periods" : data.periods[state.period]; };
  function pointInfo(i) {
    var lk = data.lookup, v = app.volume(i), d = P.district[i];
    return {heading: P.name[i], rows: [
      ["Type", lk.types[P.type[i]]],
      ["District", d >= 0 ? data.districts[d].name : "Unknown"],
      ["Recovery domain", P.domain[i] >= 0 ? lk.domains[P.domain[i]] : "Unknown"],
      ["Organisation kind", P.kind[i] >= 0 ? lk.kinds[P.kind[i]] : "Unknown"],
      ["Active", P.active[i] ? "Yes" : "No"],
      ["Referrals sent and received (" + periodName() + ")", GV.fmtShown(v[0], v[1])]
    ]};
  }
  function info(item) {
    if (item.point !== undefined) { return pointInfo(item.point); }
    if (item.cluster) {
      var rows = [["Services and groups here", GV.fmtInt(item.cluster.n)]], lk = data.lookup;
      var ds = Array.from(item.cluster.domains.entries()).sort(function (a, b) { return b[1] - a[1]; });
      ds.slice(0, 4).forEach(function (x) { rows.push([x[0] >= 0 ? lk.domains[x[0]] : "Unknown", GV.fmtInt(x[1])]); });
      rows.push([null, "Zoom in (or click) to see each one."]);
      return {heading: "Cluster", rows: rows};
    }
    if (item.navigator !== undefined) {
      var a = data.navigators.at[item.navigator];
      return {heading: a[1], rows: [["Role", a[2]], ["Based at", P.name[a[0]]]]};
    }
    if (item.district !== undefined) {
      var dd = data.districts[item.district];
      return {heading: dd.name, rows: dd.rows.concat([["Shown as", data.schematic ? "Schematic area" : "Boundary"]])};
    }
    if (item.flow) { return {heading: item.flow.heading, rows: item.flow.rows}; }
    if (item.pinEdge) {
      var x = item.pinEdge, me = state.pinned;
      return {heading: x[2] ? P.name[me] + " → " + P.name[x[1]] : P.name[x[1]] + " → " + P.name[me],
        rows: [["Referrals (" + periodName() + ")", GV.fmtShown(x[3][0], x[3][1])]]};
    }
    return null;
  }
  var last = null, pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    setTimeout(function () { pending = false; updateTip(); }, 0);
  }
  function current() {
    var hit = last ? points.hit(last.x, last.y) : null;
    return hit || hover;
  }
  function updateTip() {
    var it = last && current();
    if (!it) { tip.hidden = true; return; }
    clear(tip);
    tip.appendChild(infoBox(info(it)));
    tip.hidden = false;
    var rect = root.getBoundingClientRect(), x = rect.left + last.x + 16, y = rect.top + last.y + 16;
    if (x + tip.offsetWidth > window.innerWidth - 8) { x = Math.max(8, rect.left + last.x - tip.offsetWidth - 16); }
    if (y + tip.offsetHeight > window.innerHeight - 8) { y = Math.max(8, rect.top + last.y - tip.offsetHeight - 16); }
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function showDetail(it) {
    if (!it) { detail.hidden = true; return; }
    clear(detailBody);
    detailBody.appendChild(infoBox(info(it)));
    detail.hidden = false;
  }
  // The pointer from the page itself (not Leaflet's events, which stop at the layer under it),
  // so a point over a district or an arc always wins.
  root.addEventListener("mousemove", function (ev) {
    var r = root.getBoundingClientRect();
    last = L.point(ev.clientX - r.left, ev.clientY - r.top);
    schedule();
  }, true);
  root.addEventListener("mouseleave", function () { last = null; hover = null; tip.hidden = true; });
  map.on("movestart", function () { tip.hidden = true; });
  map.on("click", function (e) {
    last = e.containerPoint;
    var it = current();
    if (it && it.cluster) { map.setView([it.cluster.lat, it.cluster.lng], map.getZoom() + 2); return; }
    if (it && it.point !== undefined) { pin(it.point); return; }
    showDetail(it);
  });
  function pin(i) {
    state.pinned = i;
    refresh();
    showDetail({point: i});
  }
  app.pin = pin;
  el("gv-detail-close").addEventListener("click", function () {
    detail.hidden = true;
    if (state.pinned >= 0) { state.pinned = -1; refresh(); }
  });

  /* ---------------------------------------------------------------- controls */
  function index(v) { return v === "" ? -1 : Number(v); }
  function bind(id, apply, refit) {
    var x = el(id);
    if (x) { x.addEventListener("change", function () { apply(x.value); refresh(); if (refit) { fit(); } }); }
  }
  bind("gv-shade", function (v) { state.shade = v; });
  bind("gv-district", function (v) { state.district = index(v); }, true);
  bind("gv-domain", function (v) { state.domain = index(v); });
  bind("gv-kind", function (v) { state.kind = index(v); });
  bind("gv-period", function (v) { state.period = index(v); });
  ["districts", "points", "flows", "peers"].forEach(function (k) {
    var box = el("gv-layer-" + k);
    box.addEventListener("change", function () { state.layers[k] = box.checked; refresh(); });
  });
  el("gv-fit").addEventListener("click", fit);
  app.exportPng = function () { return GV.mapPng(app); };
  el("gv-png").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = app.exportPng();
    a.download = "gridvoices-map.png";
    document.body.appendChild(a); a.click(); a.remove();
  });

  /* ------------------------------------------------------------------ search */
  var search = el("gv-search"), results = el("gv-results"), found = [];
  function syncControls() {
    [["gv-kind", state.kind], ["gv-domain", state.domain], ["gv-district", state.district]].forEach(function (c) {
      el(c[0]).value = c[1] < 0 ? "" : String(c[1]);
    });
  }
  function reveal(i) {
    if (!app.passes(i)) { state.district = state.domain = state.kind = -1; syncControls(); }
    map.setView([P.lat[i], P.lng[i]], Math.max(map.getZoom(), data.geo ? 12 : 7));
    pin(i);
  }
  app.reveal = reveal;
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    found = [];
    app.matches = null; app.matchCount = 0;
    if (q) {
      app.matches = new Uint8Array(N);
      for (var i = 0; i < N; i++) {
        if (P.name[i].toLowerCase().indexOf(q) >= 0 || P.id[i].toLowerCase() === q) {
          app.matches[i] = 1; app.matchCount++; found.push(i);
        }
      }
    }
    clear(results);
    found.slice(0, 20).forEach(function (i) {
      var li = make("li"), b = make("button", null, P.name[i]);
      b.type = "button";
      b.addEventListener("click", function () { reveal(i); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (found.length > 20) { results.appendChild(make("li", "gv-more", "and " + GV.fmtInt(found.length - 20) + " more")); }
    if (q && !found.length) { results.appendChild(make("li", "gv-more", "No match")); }
    refresh();
  });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && found.length) { reveal(found[0]); } });

  /* -------------------------------------------------------------------- ready */
  timings.model = performance.now();
  fit();
  refresh();
  requestAnimationFrame(function () {
    app.readyAt = timings.ready = performance.now();
    root.setAttribute("data-ready", "true");
  });
})();
