/* GRID Voices map, part 1 of 2: the points canvas (level of detail) and the picture (PNG).
 *
 * Services and groups are drawn on one canvas in a pane of the Leaflet map, redrawn when the
 * map stops moving. With more than CLUSTER_ABOVE points in sight they are binned into
 * clusters of about CELL pixels (a count and the commonest domain's colour), so 50,000
 * points cost one pass, not 50,000 map layers. Points that share a place (a town centre)
 * are spread a few pixels apart round it. District names are drawn here too, so the
 * picture has them. Partner text is only ever canvas text here.
 */
(function () {
  "use strict";
  var GV = (window.GV = window.GV || {});
  var CLUSTER_ABOVE = 2500;
  var CELL = 44;
  var BUCKET = 32;
  var GOLDEN = Math.PI * (3 - Math.sqrt(5));
  var HIDDEN = -1;

  GV.fmtInt = function (v) { return Math.round(v).toLocaleString("en-GB"); };
  GV.fmtShown = function (v, s) {
    if (!s) { return GV.fmtInt(v); }
    return v === 0 ? "*" : GV.fmtInt(v) + " + *";
  };
  GV.drawValue = function (v, s) { return v + 2.5 * s; };
  GV.HIDDEN = HIDDEN;

  function scaled(value, top, lo, hi) {
    if (!(top > 0) || !(value > 0)) { return lo; }
    return lo + (hi - lo) * Math.sqrt(Math.min(value, top) / top);
  }

  function shapePath(ctx, type, x, y, r) {
    ctx.beginPath();
    if (type === 1) { // mutual-aid group: triangle
      ctx.moveTo(x, y - r * 1.15);
      ctx.lineTo(x + r, y + r * 0.75);
      ctx.lineTo(x - r, y + r * 0.75);
      ctx.closePath();
    } else if (type === 2) { // navigator: diamond
      ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }
  GV.shapePath = shapePath;

  GV.PointsLayer = L.Layer.extend({
    initialize: function (app) { this.app = app; this.items = []; this.grid = new Map(); },
    onAdd: function (map) {
      this._map = map;
      var pane = map.getPane("gvPoints") || map.createPane("gvPoints");
      pane.style.zIndex = 450;
      pane.style.pointerEvents = "none";
      this._canvas = L.DomUtil.create("canvas", "gv-points", pane);
      map.on("moveend zoomend resize viewreset", this.draw, this);
      this.draw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.draw, this);
      L.DomUtil.remove(this._canvas);
    },
    canvas: function () { return this._canvas; },

    draw: function () {
      var map = this._map, app = this.app, c = this._canvas;
      if (!map || !c) { return; }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      c.width = size.x * ratio; c.height = size.y * ratio;
      c.style.width = size.x + "px"; c.style.height = size.y + "px";
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      var ctx = c.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      this.items = [];
      this.grid = new Map();
      var P = app.points, st = app.state, N = P.id.length, i, pt, margin = 30;
      var xs = new Float64Array(N), ys = new Float64Array(N), inView = [];
      for (i = 0; i < N; i++) {
        if (!app.passes(i)) { continue; }
        pt = map.latLngToContainerPoint([P.lat[i], P.lng[i]]);
        if (pt.x < -margin || pt.y < -margin || pt.x > size.x + margin || pt.y > size.y + margin) { continue; }
        xs[i] = pt.x; ys[i] = pt.y;
        inView.push(i);
      }
      if (st.layers.peers) { this._peers(ctx, xs, ys); }
      if (st.layers.points) {
        if (inView.length > CLUSTER_ABOVE) { this._clusters(ctx, inView, xs, ys); }
        else { this._points(ctx, inView, xs, ys); }
      }
      var was = this.clustered;
      this.clustered = st.layers.points && inView.length > CLUSTER_ABOVE;
      // The legend names the numbered circles only while they are drawn.
      if (was !== undefined && was !== this.clustered && app.drawLegend) { app.drawLegend(); }
      this.inView = inView.length;
      map.getContainer().setAttribute("data-clustered", this.clustered ? "true" : "false");
      this._labels(ctx);
    },

    _add: function (item) {
      this.items.push(item);
      var k = Math.floor(item.x / BUCKET) + "," + Math.floor(item.y / BUCKET);
      if (!this.grid.has(k)) { this.grid.set(k, []); }
      this.grid.get(k).push(item);
    },

    _points: function (ctx, list, xs, ys) {
      var app = this.app, P = app.points, st = app.state, lk = app.data.lookup;
      var seen = new Map(), self = this;
      // Busy points first, so small ones are drawn on top and stay visible.
      list.sort(function (a, b) { return app.volumeDraw(b) - app.volumeDraw(a) || a - b; });
      var top = app.topVolume();
      list.forEach(function (i) {
        var key = P.lat[i] + "," + P.lng[i], k = seen.get(key) || 0;
        seen.set(key, k + 1);
        var x = xs[i], y = ys[i];
        if (k > 0) { // spread points that share a place round it
          var r0 = 7 * Math.sqrt(k), t = k * GOLDEN;
          x += r0 * Math.cos(t); y += r0 * Math.sin(t);
        }
        var r = scaled(app.volumeDraw(i), top, 4.5, 15);
        var colour = P.domain[i] >= 0 ? lk.domain_colours[P.domain[i]] : lk.unknown;
        shapePath(ctx, P.type[i], x, y, r);
        ctx.globalAlpha = P.active[i] ? 0.92 : 0.4;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
        var match = app.matches && app.matches[i], pinned = st.pinned === i;
        ctx.lineWidth = pinned ? 3.5 : match ? 2.5 : 1.2;
        ctx.strokeStyle = pinned || match ? "#1f2933" : "#ffffff";
        ctx.stroke();
        self._add({x: x, y: y, r: r, point: i});
      });
    },

    _clusters: function (ctx, list, xs, ys) {
      var app = this.app, P = app.points, lk = app.data.lookup, cells = new Map(), self = this;
      list.forEach(function (i) {
        var k = Math.floor(xs[i] / CELL) + "," + Math.floor(ys[i] / CELL), c = cells.get(k);
        if (!c) { c = {n: 0, x: 0, y: 0, domains: new Map(), lat: 0, lng: 0}; cells.set(k, c); }
        c.n++; c.x += xs[i]; c.y += ys[i]; c.lat += P.lat[i]; c.lng += P.lng[i];
        c.domains.set(P.domain[i], (c.domains.get(P.domain[i]) || 0) + 1);
      });
      var top = 1;
      cells.forEach(function (c) { top = Math.max(top, c.n); });
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      cells.forEach(function (c) {
        var x = c.x / c.n, y = c.y / c.n, r = scaled(c.n, top, 9, 24), best = -1, most = -1;
        c.domains.forEach(function (n, d) { if (n > most) { most = n; best = d; } });
        ctx.beginPath();
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.fillStyle = best >= 0 ? lk.domain_colours[best] : lk.unknown;
        ctx.globalAlpha = 0.85;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = 2; ctx.strokeStyle = "#ffffff"; ctx.stroke();
        ctx.fillStyle = "#1f2933";
        ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
        var label = GV.fmtInt(c.n);
        ctx.strokeText(label, x, y); ctx.fillText(label, x, y);
        self._add({x: x, y: y, r: r, cluster: {n: c.n, domains: c.domains, lat: c.lat / c.n, lng: c.lng / c.n}});
      });
    },

    _peers: function (ctx, xs, ys) {
      var app = this.app, nav = app.data.navigators, self = this;
      ctx.strokeStyle = "#8e44ad"; ctx.lineWidth = 1.3; ctx.globalAlpha = 0.7;
      nav.peers.forEach(function (p) {
        if (!app.passes(p[0]) || !app.passes(p[1])) { return; }
        ctx.beginPath(); ctx.moveTo(xs[p[0]], ys[p[0]]); ctx.lineTo(xs[p[1]], ys[p[1]]); ctx.stroke();
      });
      ctx.globalAlpha = 1;
      nav.at.forEach(function (a, k) {
        if (!app.passes(a[0])) { return; }
        var x = xs[a[0]] + 9 + 4 * (k % 3), y = ys[a[0]] - 9 - 4 * Math.floor((k % 9) / 3);
        shapePath(ctx, 2, x, y, 5);
        ctx.fillStyle = "#8e44ad"; ctx.fill();
        ctx.lineWidth = 1; ctx.strokeStyle = "#ffffff"; ctx.stroke();
        self._add({x: x, y: y, r: 5, navigator: k});
      });
    },

    _labels: function (ctx) {
      var app = this.app, map = this._map;
      if (!app.state.layers.districts) { return; }
      ctx.font = "600 13px system-ui, -apple-system, 'Segoe UI', sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      app.data.districts.forEach(function (d, i) {
        if (!d.centre || (app.state.district >= 0 && app.state.district !== i)) { return; }
        var p = map.latLngToContainerPoint(d.centre);
        ctx.lineWidth = 4; ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.fillStyle = "#1f2933";
        ctx.strokeText(d.name, p.x, p.y - 18); ctx.fillText(d.name, p.x, p.y - 18);
      });
    },

    // The topmost drawn item within a few pixels of container point (x, y).
    hit: function (x, y) {
      var best = null, bestD = Infinity, bx = Math.floor(x / BUCKET), by = Math.floor(y / BUCKET);
      for (var i = -1; i <= 1; i++) {
        for (var j = -1; j <= 1; j++) {
          (this.grid.get((bx + i) + "," + (by + j)) || []).forEach(function (it) {
            var d = Math.hypot(it.x - x, it.y - y);
            if (d <= it.r + 3 && d <= bestD) { best = it; bestD = d; }
          });
        }
      }
      return best;
    }
  });

  /* ------------------------------------------------------------------ the picture */
  // The map as the page shows it (never the tiles, which belong to their server) with the
  // title, periods, source, warnings and legend drawn in: what "Save as PNG" downloads.
  // A long notice as lines that fit ``width`` (13px, the header's body text).
  function wrapLines(text, width) {
    var ctx = document.createElement("canvas").getContext("2d"), out = [], line = "";
    ctx.font = "13px system-ui, sans-serif";
    text.split(" ").forEach(function (w) {
      var next = line ? line + " " + w : w;
      if (line && ctx.measureText(next).width > width) { out.push(line); line = w; } else { line = next; }
    });
    if (line) { out.push(line); }
    return out;
  }

  GV.mapPng = function (app) {
    var root = document.getElementById("gv-network"), box = root.getBoundingClientRect();
    var meta = app.data.meta, ratio = window.devicePixelRatio || 1;
    var head = [meta.title, "Periods: " + meta.periods + " · Source: " + meta.source, meta.suppression];
    if (meta.schematic) { head.push(meta.schematic); }
    if (meta.illustrative) { head.push(meta.illustrative); }
    var warn = meta.no_flows ? wrapLines(meta.no_flows, box.width - 28) : [];
    (meta.notes || []).forEach(function (n) { warn = warn.concat(wrapLines(n, box.width - 28)); });
    head = head.concat(warn);
    var top = 18 + 20 * head.length, W = Math.round(box.width), H = Math.round(box.height) + top;
    var c = document.createElement("canvas");
    c.width = W * ratio; c.height = H * ratio;
    var ctx = c.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = "#f7f9fb"; ctx.fillRect(0, top, W, H - top);
    ctx.textBaseline = "top"; ctx.textAlign = "left";
    head.forEach(function (t, k) {
      ctx.font = k === 0 ? "600 18px system-ui, sans-serif" : "13px system-ui, sans-serif";
      ctx.fillStyle = (t === meta.illustrative || t === meta.schematic || warn.indexOf(t) >= 0) ? "#9b1c1c" : "#1f2933";
      ctx.fillText(t, 14, 10 + 20 * k, W - 28);
    });
    ctx.save();
    ctx.beginPath(); ctx.rect(0, top, W, H - top); ctx.clip();
    Array.prototype.forEach.call(root.querySelectorAll("canvas"), function (cv) {
      var r = cv.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      ctx.drawImage(cv, r.left - box.left, top + r.top - box.top, r.width, r.height);
    });
    ctx.restore();
    var items = app.legendItems(), lh = 17, bw = 300, bh = 12 + lh * items.length;
    var y0 = H - bh - 12;
    ctx.fillStyle = "rgba(255,255,255,0.94)"; ctx.fillRect(12, y0, bw, bh);
    ctx.strokeStyle = "#cbd2d9"; ctx.lineWidth = 1; ctx.strokeRect(12, y0, bw, bh);
    ctx.textBaseline = "middle";
    items.forEach(function (it, k) {
      var y = y0 + 6 + lh * k + lh / 2;
      if (it.title) {
        ctx.font = "600 12px system-ui, sans-serif"; ctx.fillStyle = "#1f2933";
        ctx.fillText(it.title, 20, y, bw - 16);
        return;
      }
      if (it.line) {
        ctx.strokeStyle = it.colour; ctx.lineWidth = 4; ctx.setLineDash(it.dashed ? [6, 4] : []);
        ctx.beginPath(); ctx.moveTo(20, y); ctx.lineTo(44, y); ctx.stroke(); ctx.setLineDash([]);
      } else {
        ctx.fillStyle = it.colour; ctx.fillRect(24, y - 6, 14, 12);
      }
      ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#1f2933";
      ctx.fillText(it.label, 52, y, bw - 48);
    });
    return c.toDataURL("image/png");
  };
})();
