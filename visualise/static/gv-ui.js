/* GRID Voices views, part 5: the page — vis-network, controls, tooltips, details, search.
 * Every partner string reaches the DOM through textContent, never parsed as markup.
 */
(function () {
  "use strict";
  var GV = window.GV;
  var timings = {start: performance.now()};
  var root = document.getElementById("gv-network");
  var data = JSON.parse(document.getElementById("gv-data").textContent);
  timings.parsed = performance.now();
  var model = data.mode === "plain" ? new GV.Plain(data) : new GV.Ecosystem(data);
  timings.model = performance.now();
  var nodes = new vis.DataSet(), edges = new vis.DataSet();
  var busy = model.N > 3000 || (model.E || 0) > 10000;
  var network = new vis.Network(root, {nodes: nodes, edges: edges}, {
    autoResize: true,
    physics: {enabled: false},
    layout: {improvedLayout: false, randomSeed: 42},
    interaction: {hover: true, keyboard: false, hideEdgesOnDrag: busy, hideEdgesOnZoom: busy, tooltipDelay: 80},
    nodes: {
      borderWidth: 1.5,
      font: {size: 14, face: "system-ui, -apple-system, 'Segoe UI', sans-serif", color: "#1f2933",
        strokeWidth: 3, strokeColor: "#ffffff", multi: false},
      widthConstraint: {maximum: 170},
      scaling: {label: {drawThreshold: 6}}
    },
    edges: {smooth: false, arrowStrikethrough: false, selectionWidth: 1.5, hoverWidth: 0.5}
  });
  var app = (GV.app = {data: data, model: model, network: network, nodes: nodes, edges: edges, timings: timings});
  window.network = network;
  window.gridVoices = app;

  function el(id) { return document.getElementById(id); }
  function make(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  function clear(x) { while (x.firstChild) { x.removeChild(x.firstChild); } }

  // Details as DOM: heading, then a table of rows (see gv-info.js for the row forms).
  function infoBox(info) {
    var box = make("div", "gv-tip");
    box.appendChild(make("div", "gv-tip-title", info.heading));
    var table = make("table");
    (info.rows || []).forEach(function (row) {
      var tr = make("tr"), cell;
      if (row.length === 1) {
        cell = make("th", "gv-tip-section", row[0]); cell.colSpan = 2; tr.appendChild(cell);
      } else if (row[0] === null) {
        cell = make("td", "gv-tip-text", row[1]); cell.colSpan = 2; tr.appendChild(cell);
      } else {
        tr.appendChild(make("th", null, row[0]));
        tr.appendChild(make("td", null, row[1]));
      }
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  app.infoBox = infoBox;

  /* ------------------------------------------------------------- keep vis in step */
  var current = {nodes: new Map(), edges: new Map()};
  function signature(o) {
    return JSON.stringify(o, function (k, v) { return typeof v === "function" ? undefined : v; });
  }
  function diff(set, have, specs) {
    var want = new Map(), add = [], update = [], remove = [];
    specs.forEach(function (s) { want.set(s.id, s); });
    have.forEach(function (_, id) { if (!want.has(id)) { remove.push(id); } });
    want.forEach(function (s, id) {
      var sig = signature(s), old = have.get(id);
      if (old === undefined) { add.push(s); } else if (old !== sig) { update.push(s); }
      have.set(id, sig);
    });
    remove.forEach(function (id) { have.delete(id); });
    return {set: set, add: add, update: update, remove: remove};
  }
  function refresh() {
    var specs = model.rebuild();
    var e = diff(edges, current.edges, specs.edges), n = diff(nodes, current.nodes, specs.nodes);
    edges.remove(e.remove); nodes.remove(n.remove);
    nodes.add(n.add); nodes.update(n.update);
    edges.add(e.add); edges.update(e.update);
    root.setAttribute("data-shown-nodes", String(nodes.length));
    root.setAttribute("data-shown-edges", String(edges.length));
    root.setAttribute("data-matches", String(model.matchCount()));
    drawLegend();
    focusChip();
    network.redraw();
  }
  app.refresh = refresh;

  // Fit nodes, district circles and their labels below the banner, unlike network.fit().
  // District and aggregate labels are drawn `want` canvas units high but at most `most`
  // screen pixels (gv-draw.js), and not at all under 7 px, so the room they need in canvas
  // units depends on the scale being chosen: a few rounds of "measure at this scale,
  // rescale" settle it. Without this the largest district of a big directory, pushed to
  // the edge by the room its members take when opened, had its label cut off by the canvas.
  var measure = document.createElement("canvas").getContext("2d");
  function perPixel(text) {  // label width per pixel of font size
    measure.font = "600 100px system-ui, -apple-system, 'Segoe UI', sans-serif";
    return measure.measureText(String(text || "")).width / 100;
  }
  function fitBoxes() {
    var ids = nodes.getIds(), pos = network.getPositions(ids), boxes = [];
    ids.forEach(function (id) {
      var p = pos[id], n = nodes.get(id), r = n.size || 20;
      if (n.shape === "custom") {  // an aggregate pie, its label 5 units below it
        boxes.push({x: p.x, y: p.y, r: r, wide: perPixel(n.label), want: Math.max(15, r * 0.3), most: 22, gap: 5, below: true});
      } else {  // a member: vis-network labels scale with the zoom, so canvas units suffice
        boxes.push({x: p.x, y: p.y, r: r + 30, wide: 0});
      }
    });
    model.regions().forEach(function (g) {  // a district circle, its label 6 units above it
      boxes.push({x: g.x, y: g.y, r: g.r, wide: perPixel(g.label), want: Math.max(22, g.r * 0.07), most: 26, gap: 6, below: false});
    });
    return boxes;
  }
  function extent(boxes, scale) {
    var e = {x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity};
    boxes.forEach(function (b) {
      var half = b.r, up = b.r, down = b.r;
      if (b.wide) {
        var px = Math.min(b.want, b.most / scale);  // font size in canvas units
        if (px * scale >= 7) {
          half = Math.max(half, b.wide * px / 2 + 4 / scale);
          if (b.below) { down += b.gap + px + 4 / scale; } else { up += b.gap + px + 4 / scale; }
        }
      }
      e.x0 = Math.min(e.x0, b.x - half); e.x1 = Math.max(e.x1, b.x + half);
      e.y0 = Math.min(e.y0, b.y - up); e.y1 = Math.max(e.y1, b.y + down);
    });
    return e;
  }
  function fitAll() {
    var boxes = fitBoxes();
    if (!boxes.length) { network.fit({animation: false}); return; }
    var top = el("gv-banner") ? 60 : 16, bottom = 16, side = 16;
    var w = root.clientWidth - 2 * side, h = root.clientHeight - top - bottom;
    var scale = 1.5, e = extent(boxes, scale);
    for (var round = 0; round < 12; round++) {
      var next = Math.max(0.002, Math.min(1.5, w / Math.max(e.x1 - e.x0, 1), h / Math.max(e.y1 - e.y0, 1)));
      e = extent(boxes, next);
      if (Math.abs(next - scale) < 1e-4 * scale) { scale = next; break; }
      scale = next;
    }
    // The rounds approach the fitting scale from above: settle just below it.
    scale = Math.min(scale, w / Math.max(e.x1 - e.x0, 1), h / Math.max(e.y1 - e.y0, 1)) * 0.98;
    e = extent(boxes, scale);
    root.setAttribute("data-fit", [e.x0, e.y0, e.x1, e.y1, scale].map(function (v) { return v.toFixed(4); }).join(" "));
    network.moveTo({
      position: {x: (e.x0 + e.x1) / 2, y: (e.y0 + e.y1) / 2 - (top - bottom) / 2 / scale},
      scale: scale, animation: false
    });
  }
  app.fit = fitAll;
  function zoomTo(centre, radius) {
    var scale = Math.min(root.clientWidth, root.clientHeight - 60) / (2.3 * radius);
    network.moveTo({position: {x: centre[0], y: centre[1]}, scale: Math.min(1.5, scale), animation: false});
  }

  /* ------------------------------------------------------------------- legend */
  function drawLegend() {
    var box = el("gv-legend");
    clear(box);
    model.legend().forEach(function (s) {
      box.appendChild(make("h2", null, s.title));
      var ul = make("ul");
      (s.items || []).forEach(function (it) {
        var li = make("li"), c = make("canvas"), ratio = window.devicePixelRatio || 1;
        c.width = 34 * ratio; c.height = 14 * ratio; c.style.width = "34px"; c.style.height = "14px";
        var ctx = c.getContext("2d");
        ctx.scale(ratio, ratio);
        GV.drawSwatch(ctx, it.swatch || {}, 0, 0, 34, 14);
        li.appendChild(c);
        li.appendChild(make("span", null, it.label));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      if (s.note) { box.appendChild(make("p", "gv-note", s.note)); }
    });
  }

  /* ------------------------------------------------------- tooltip and details */
  var tip = el("gv-tooltip");
  function showTip(info, pointer) {
    if (!info) { return; }
    clear(tip);
    tip.appendChild(infoBox(info));
    tip.hidden = false;
    var rect = root.getBoundingClientRect();
    var x = rect.left + pointer.x + 16, y = rect.top + pointer.y + 16;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, rect.left + pointer.x - w - 16); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, rect.top + pointer.y - h - 16); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }
  var detail = el("gv-detail"), detailBody = el("gv-detail-body"), actions = el("gv-detail-actions");
  function showDetail(info, code) {
    if (!info) { detail.hidden = true; return; }
    clear(detailBody); clear(actions);
    detailBody.appendChild(infoBox(info));
    (info.actions || []).forEach(function (a) {
      var b = make("button", null, a.label);
      b.type = "button";
      b.setAttribute("data-action", a.key);
      b.addEventListener("click", function () { act(a.key, code); });
      actions.appendChild(b);
    });
    detail.hidden = false;
  }
  function act(key, code) {
    var st = model.state;
    if (key === "focus1" || key === "focus2") {
      st.focus = code; st.hops = key === "focus1" ? 1 : 2;
      refresh();
      fitAll();
      showDetail(model.nodeInfo(code), code);
      network.selectNodes([model.visId(code)]);
    } else if (key === "collapse") {
      model.collapse(code); refresh(); detail.hidden = true;
    } else if (key === "expand") {
      model.expand(code); refresh();
      zoomTo(model.position(code), model.room(code));
      showDetail({heading: model.aggName(code), rows: [["Type", "District, now open"]],
        actions: [{key: "collapse", label: "Close district"}]}, code);
    }
  }
  app.act = act;
  function focusChip() {
    var chip = el("gv-focus"), st = model.state;
    if (!chip) { return; }
    chip.hidden = !(st.focus >= 0);
    if (st.focus >= 0) {
      el("gv-focus-text").textContent = "Focus: " + model.nameOf(st.focus) + " (" + st.hops + (st.hops === 1 ? " hop)" : " hops)");
    }
  }

  network.on("hoverNode", function (p) { showTip(model.nodeInfo(model.codeOf(p.node)), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(model.edgeInfo(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) {
      var code = model.codeOf(p.nodes[0]);
      if (model.agg && code >= model.N) { act("expand", code); return; }
      showDetail(model.nodeInfo(code), code);
    } else if (p.edges.length) {
      showDetail(model.edgeInfo(p.edges[0]));
    } else {
      detail.hidden = true;
    }
  });
  network.on("dragEnd", function (p) {
    if (!p.nodes.length) { return; }
    var pos = network.getPositions(p.nodes);
    p.nodes.forEach(function (id) { model.moved(model.codeOf(id), pos[id].x, pos[id].y); });
  });
  network.on("beforeDrawing", function (ctx) { GV.drawRegions(ctx, model.regions()); });
  el("gv-detail-close").addEventListener("click", function () { detail.hidden = true; network.unselectAll(); });

  /* ---------------------------------------------------------------- controls */
  function bind(id, apply) {
    var x = el(id);
    if (x) { x.addEventListener("change", function () { apply(x.value); refresh(); }); }
  }
  function index(v) { return v === "" ? -1 : Number(v); }
  bind("gv-colour", function (v) { model.state.colour = v; });
  bind("gv-size", function (v) { model.state.size = v; });
  bind("gv-period", function (v) { model.state.period = index(v); });
  bind("gv-kind", function (v) { model.state.kind = index(v); });
  bind("gv-domain", function (v) { model.state.domain = index(v); });
  bind("gv-links", function (v) { model.state.links = v; });
  // Contagion: "Spread by step" slider (its last position shows every node).
  var stepper = el("gv-step"), spread = data.spread;
  function stepLabel() {
    var out = el("gv-step-out"), t = model.state.step;
    if (!out || !spread) { return; }
    out.textContent = t < 0 ? "all nodes" : "step " + t + ": about " +
      GV.fmtNumber(spread.cumulative[Math.min(t, spread.cumulative.length - 1)] || 0) + " expected active";
  }
  if (stepper && spread) {
    stepper.addEventListener("input", function () {
      var t = Number(stepper.value);
      model.state.step = t > spread.last ? -1 : t;
      stepLabel();
      refresh();
    });
    stepLabel();
  }
  var districtPicker = el("gv-district");
  if (districtPicker) {
    districtPicker.addEventListener("change", function () {
      var d = index(districtPicker.value);
      model.state.district = d;
      if (model.agg && d >= 0) { model.expand(model.N + d); }
      refresh();
      fitAll();
    });
  }
  el("gv-fit").addEventListener("click", function () { fitAll(); });
  if (el("gv-collapse")) {
    el("gv-collapse").addEventListener("click", function () {
      model.collapseAll(); model.state.focus = -1; refresh(); fitAll();
    });
  }
  el("gv-png").addEventListener("click", function () { GV.downloadPng(app); });
  el("gv-focus-clear").addEventListener("click", function () {
    model.state.focus = -1; refresh(); fitAll();
  });

  /* ------------------------------------------------------------------ search */
  var search = el("gv-search"), results = el("gv-results"), found = [];
  // Revealing a node can clear filters; keep the drop-down lists telling the truth.
  function syncControls() {
    var st = model.state;
    [["gv-kind", st.kind], ["gv-domain", st.domain], ["gv-district", st.district], ["gv-period", st.period]]
      .forEach(function (c) { var x = el(c[0]); if (x && c[1] !== undefined) { x.value = c[1] < 0 ? "" : String(c[1]); } });
  }
  function reveal(code) {
    model.reveal(code);
    syncControls();
    refresh();
    var id = model.visId(code);
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: false});
    showDetail(model.nodeInfo(code), code);
  }
  app.reveal = reveal;
  search.addEventListener("input", function () {
    found = model.search(search.value);
    clear(results);
    found.slice(0, 20).forEach(function (r) {
      var li = make("li"), b = make("button", null, r.text);
      b.type = "button";
      b.addEventListener("click", function () { reveal(r.code); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (found.length > 20) { results.appendChild(make("li", "gv-more", "and " + GV.fmtInt(found.length - 20) + " more")); }
    if (search.value.trim() && !found.length) { results.appendChild(make("li", "gv-more", "No match")); }
    refresh();
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && found.length) { reveal(found[0].code); }
  });

  /* -------------------------------------------------------------------- ready */
  app.exportPng = function () { return GV.exportPng(app); };
  refresh();
  timings.shown = performance.now();
  fitAll();
  network.once("afterDrawing", function () {
    app.readyAt = timings.ready = performance.now();
    root.setAttribute("data-ready", "true");
  });
  network.redraw();
})();
