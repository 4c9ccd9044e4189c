/* GRID Voices views, part 2: what the ecosystem model shows (one pass) and says about it. */
(function () {
  "use strict";
  var GV = window.GV;
  var Eco = GV.Ecosystem.prototype;
  var COLOURS = {
    referral: "#52606d", peer: "#8e44ad", other: "#b8c2cc", highlight: "#1f2933",
    inactiveFill: "#eef0f2", inactiveBorder: "#9aa5b1", inactiveFont: "#7b8794"
  };
  GV.COLOURS = COLOURS;

  function shade(hex, f) {
    var r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    var m = function (c) { return Math.round(f <= 1 ? c * f : c + (255 - c) * (f - 1)); };
    return "#" + [m(r), m(g), m(b)].map(function (c) { return ("0" + c.toString(16)).slice(-2); }).join("");
  }
  GV.shade = shade;
  // A colour on a scale mode's ramp (stops spread evenly from min to max).
  GV.ramp = function (mode, x) {
    if (x === null || x === undefined || !isFinite(x)) { return mode.unknown; }
    var t = mode.max > mode.min ? (x - mode.min) / (mode.max - mode.min) : 0;
    t = Math.max(0, Math.min(1, t)) * (mode.stops.length - 1);
    var k = Math.min(Math.floor(t), mode.stops.length - 2), f = t - k;
    var a = mode.stops[k], b = mode.stops[k + 1];
    var mix = function (o) {
      var ca = parseInt(a.slice(o, o + 2), 16), cb = parseInt(b.slice(o, o + 2), 16);
      return ("0" + Math.round(ca + (cb - ca) * f).toString(16)).slice(-2);
    };
    return "#" + mix(1) + mix(3) + mix(5);
  };

  Eco.values = function (mode) {
    return typeof mode.values === "string" ? this.n[mode.values] : mode.values;
  };
  Eco.colourOf = function (mode, i) {
    var x = this.values(mode)[i];
    if (mode.type === "scale") { return GV.ramp(mode, x); }
    return x >= 0 ? mode.colours[x] : mode.unknown;
  };
  Eco.metricOf = function (i) {
    var key = this.state.size, mode = this.sizeModes[key];
    if (key === "volume") { return this.volumeDraw(i, this.state.period < 0 ? this.P : this.state.period); }
    return mode && mode.values ? Number(mode.values[i]) || 0 : 0;
  };

  // Recompute what is shown: one pass over members, one over links.
  Eco.rebuild = function () {
    var st = this.state, N = this.N, nd = this.nd, i, e, rec;
    var focus = this.focusSet();
    var reps = (this.reps = this.reps || new Int32Array(N));
    var mode = this.modes[st.colour], vals = this.values(mode), scale = mode.type === "scale";
    var shown = new Map(), matches = this.matches, query = !!st.query;
    for (i = 0; i < N; i++) {
      var r = this.repOf(i, focus);
      reps[i] = r;
      if (r < 0) { continue; }
      rec = shown.get(r);
      if (!rec) {
        rec = {code: r, n: 0, metric: 0, oV: 0, oS: 0, iV: 0, iS: 0, wV: 0, wS: 0, deg: 0,
          types: [0, 0, 0], cats: {}, sum: 0, hit: false};
        shown.set(r, rec);
      }
      rec.n++;
      if (query && matches[i]) { rec.hit = true; }
      if (r >= N) {
        rec.types[this.n.type[i]]++;
        if (scale) { rec.sum += Number(vals[i]) || 0; } else { rec.cats[vals[i]] = (rec.cats[vals[i]] || 0) + 1; }
        if (st.size !== "volume" && st.size !== "degree") { rec.metric += this.metricOf(i); }
      }
    }
    var edges = new Map(), M = N + nd + this.subs.length, P = this.P, per = st.period;
    var src = this.src, dst = this.dst, cells = this.cells;
    for (e = 0; e < this.E; e++) {
      var a = reps[src[e]], b = reps[dst[e]];
      if (a < 0 || b < 0) { continue; }
      var v = 0, s = 0, c, p;
      if (per >= 0) {
        c = cells[e * P + per];
        if (c === -1) { s = 1; } else { v = c; }
      } else {
        for (p = 0; p < P; p++) { c = cells[e * P + p]; if (c === -1) { s++; } else { v += c; } }
      }
      var peer = this.isPeer[e];
      // Nothing in the chosen period: hidden. With all periods, a link with no cells at all
      // (neither referrals nor a peer link) is still drawn, dotted.
      if (v === 0 && s === 0 && !peer && per >= 0) { continue; }
      if (a === b) {
        if (a >= N) { rec = shown.get(a); rec.wV += v; rec.wS += s; }
        continue;
      }
      var key = a * M + b;
      rec = edges.get(key);
      if (!rec) { rec = {key: key, from: a, to: b, v: 0, s: 0, links: 0, peer: 0, mark: 0, e: e}; edges.set(key, rec); }
      rec.links++; rec.v += v; rec.s += s;
      if (peer) { rec.peer++; }
      if (this.marks[e]) { rec.mark++; }
    }
    // Block flows published exactly (visualise/counts.py rule 3) replace the shown sums.
    if (this.agg && this.pristine()) {
      var flows = this.flows, lo = N, hi = N + nd;
      edges.forEach(function (x) {
        if (x.from >= lo && x.from < hi && x.to >= lo && x.to < hi) {
          var f = flows.get((x.from - lo) * nd + (x.to - lo));
          if (f) { x.v = f[0]; x.s = f[1]; x.published = true; }
        }
      });
      shown.forEach(function (x) {
        if (x.code >= lo && x.code < hi) {
          var d = x.code - lo, f = flows.get(d * nd + d);
          if (f) { x.wV = f[0]; x.wS = f[1]; }
        }
      });
    }
    // Lines to or between aggregates are capped (heaviest first): thousands of district
    // pairs draw slowly and read as a grey mat. Totals above include every link.
    var cap = this.agg ? this.agg.max_edges : 0, capped = 0;
    if (cap) {
      var aggLines = [];
      edges.forEach(function (x) { if (x.from >= N || x.to >= N) { aggLines.push(x); } });
      if (aggLines.length > cap) {
        aggLines.sort(function (x, y) {
          return GV.drawValue(y.v, y.s) - GV.drawValue(x.v, x.s) || y.links - x.links || x.key - y.key;
        });
        capped = aggLines.length;
        for (var k = cap; k < aggLines.length; k++) { aggLines[k].dropped = true; }
      }
    }
    edges.forEach(function (x) {
      var A = shown.get(x.from), B = shown.get(x.to);
      A.oV += x.v; A.oS += x.s; B.iV += x.v; B.iS += x.s;
      if (!(edges.has(x.to * M + x.from) && x.from > x.to)) { A.deg++; B.deg++; }
    });
    if (capped) { edges.forEach(function (x, key) { if (x.dropped) { edges.delete(key); } }); }
    this.view = {shown: shown, edges: edges, M: M, capped: capped};
    return this.specs();
  };
  Eco.sizeValue = function (rec) {
    var key = this.state.size;
    if (key === "degree") { return rec.deg; }
    if (rec.code < this.N) { return this.metricOf(rec.code); }
    if (key === "volume") { return GV.drawValue(rec.oV + rec.iV + rec.wV, rec.oS + rec.iS + rec.wS); }
    return rec.metric;
  };

  // vis-network node and edge objects for what rebuild() chose.
  Eco.specs = function () {
    var self = this, st = this.state, N = this.N, view = this.view;
    var mode = this.modes[st.colour], query = !!st.query, topM = 0, topA = 0;
    view.shown.forEach(function (rec) {
      rec.size = self.sizeValue(rec);
      if (rec.code < N) { topM = Math.max(topM, rec.size); } else { topA = Math.max(topA, rec.size); }
    });
    this.pies = {};
    var nodes = [];
    view.shown.forEach(function (rec) {
      var code = rec.code, pos = self.position(code), spec;
      var dim = query && !(rec.hit) ? 0.22 : 1;
      if (code < N) {
        spec = self.memberSpec(code, mode, GV.scaled(rec.size, topM, GV.SIZES.member));
      } else {
        var room = self.room(code), size = room * GV.scaled(rec.size, topA, [0.25, 0.7]);
        spec = {shape: "custom", ctxRenderer: GV.pieRenderer, size: size, label: self.aggName(code) + " (" + GV.fmtInt(rec.n) + ")"};
        self.pies[self.visId(code)] = {slices: self.slices(rec, mode), size: size, opacity: dim};
      }
      spec.id = self.visId(code);
      spec.x = pos[0];
      spec.y = pos[1];
      spec.opacity = dim;
      if (code === st.focus) { spec.borderWidth = 4; }
      nodes.push(spec);
    });
    var topE = {agg: 0, member: 0, mixed: 0};
    view.edges.forEach(function (x) {
      x.cls = x.from >= N && x.to >= N ? "agg" : x.from < N && x.to < N ? "member" : "mixed";
      topE[x.cls] = Math.max(topE[x.cls], GV.drawValue(x.v, x.s));
    });
    var edges = [];
    view.edges.forEach(function (x) {
      var both = view.edges.has(x.to * view.M + x.from);
      var spec = {id: "e" + x.key, from: self.visId(x.from), to: self.visId(x.to)};
      var referrals = x.v > 0 || x.s > 0;
      if (referrals) {
        spec.width = GV.scaled(GV.drawValue(x.v, x.s), topE[x.cls], x.cls === "agg" ? [0.004 * self.unit, 0.03 * self.unit] : [1, 8]);
        spec.color = {color: COLOURS.referral, highlight: COLOURS.highlight, hover: COLOURS.highlight,
          opacity: x.cls === "member" ? 0.7 : x.cls === "agg" ? 0.55 : 0.3};
        spec.arrows = {to: {enabled: true, scaleFactor: 0.5}};
      } else if (x.peer) {
        spec.width = 1.5;
        spec.dashes = [6, 4];
        spec.color = {color: COLOURS.peer, highlight: COLOURS.peer, hover: COLOURS.peer,
          opacity: x.cls === "member" ? 1 : 0.25};
        spec.arrows = {to: {enabled: true, scaleFactor: 0.4}};
      } else {
        spec.width = 1;
        spec.dashes = [2, 4];
        spec.color = {color: COLOURS.other};
      }
      if (x.mark && self.data.mark) {
        spec.width = (spec.width || 1) + 3;
        spec.color = {color: self.data.mark.colour, highlight: COLOURS.highlight, hover: COLOURS.highlight, opacity: 1};
      }
      if (query) {
        var A = view.shown.get(x.from), B = view.shown.get(x.to);
        if (!(A.hit || B.hit)) { spec.color = Object.assign({}, spec.color, {opacity: 0.08}); }
      }
      spec.smooth = both ? {enabled: true, type: "curvedCW", roundness: 0.15} : false;
      edges.push(spec);
    });
    // Contagion: suggested new links, drawn when both ends are drawn.
    var spread = this.data.spread;
    ((spread && spread.suggested) || []).forEach(function (s, k) {
      if (!view.shown.has(s[0]) || !view.shown.has(s[1])) { return; }
      edges.push({id: "x" + k, from: self.visId(s[0]), to: self.visId(s[1]), label: "suggested",
        dashes: [8, 5], width: 3, font: {size: 12, color: spread.suggested_colour, strokeWidth: 3, strokeColor: "#ffffff"},
        color: {color: spread.suggested_colour, highlight: spread.suggested_colour, hover: spread.suggested_colour, opacity: 1},
        arrows: {to: {enabled: true, scaleFactor: 0.6}}, smooth: {enabled: true, type: "curvedCCW", roundness: 0.2}});
    });
    return {nodes: nodes, edges: edges};
  };

  Eco.memberSpec = function (i, mode, size) {
    var n = this.n, type = this.lk.types[n.type[i]];
    var fill = this.colourOf(mode, i);
    var spec = {label: n.name[i], shape: type.shape, size: size, borderWidth: 1.5};
    if (type.key === "Service" && !(n.flags[i] & 1)) {
      spec.color = {background: COLOURS.inactiveFill, border: COLOURS.inactiveBorder,
        highlight: {background: COLOURS.inactiveFill, border: COLOURS.highlight},
        hover: {background: COLOURS.inactiveFill, border: COLOURS.highlight}};
      spec.shapeProperties = {borderDashes: [4, 3]};
      spec.font = {color: COLOURS.inactiveFont};
      spec.borderWidth = 2;
    } else {
      var light = shade(fill, 1.25);
      spec.color = {background: fill, border: shade(fill, 0.7),
        highlight: {background: light, border: COLOURS.highlight},
        hover: {background: light, border: COLOURS.highlight}};
      spec.shapeProperties = {borderDashes: false};
      spec.font = {color: "#1f2933"};
    }
    return spec;
  };

  Eco.slices = function (rec, mode) {
    if (mode.type === "scale") { return [[GV.ramp(mode, rec.sum / rec.n), rec.n]]; }
    var out = [];
    mode.colours.forEach(function (c, k) { if (rec.cats[k]) { out.push([c, rec.cats[k]]); } });
    if (rec.cats[-1]) { out.push([mode.unknown, rec.cats[-1]]); }
    return out;
  };

  Eco.aggName = function (code) {
    if (code < this.N + this.nd) { return this.lk.districts[code - this.N]; }
    var s = this.subs[code - this.N - this.nd];
    var org = s.org >= 0 ? this.lk.orgs[s.org] : "No organisation";
    return org + " · " + this.lk.districts[s.d];
  };

  // Districts drawn as shaded circles behind their members (small graphs: all of them).
  Eco.regions = function () {
    var out = [], self = this;
    if (this.state.focus >= 0 || !this.view) { return out; }
    var present = new Uint8Array(this.nd);
    this.view.shown.forEach(function (rec) { if (rec.code < self.N) { present[self.n.district[rec.code]] = 1; } });
    for (var d = 0; d < this.nd; d++) {
      if (present[d] && this.blocks[d] && (!this.agg || this.expanded[d])) {
        var band = this.modes[this.state.colour].district_band && this.data.district_bands ? this.data.district_bands[d] : null;
        out.push({x: this.blocks[d][0], y: this.blocks[d][1], r: this.blocks[d][2], label: this.lk.districts[d], fill: band ? band + "40" : null});
      }
    }
    return out;
  };

  Eco.matchCount = function () {
    if (!this.state.query) { return 0; }
    var c = 0;
    for (var i = 0; i < this.N; i++) { if (this.matches[i] && this.passes(i)) { c++; } }
    return c;
  };
  // Members whose name or id contains the query (case-insensitive), busiest first.
  Eco.search = function (q) {
    this.state.query = q = (q || "").trim().toLowerCase();
    if (!q) { this.matches = null; return []; }
    if (!this.lower) {
      var n = this.n;
      this.lower = n.name.map(function (s, i) { return (s + "\u0000" + n.id[i]).toLowerCase(); });
    }
    var m = (this.matches = new Uint8Array(this.N)), out = [], lk = this.lk, n2 = this.n;
    for (var i = 0; i < this.N; i++) {
      if (this.lower[i].indexOf(q) >= 0) {
        m[i] = 1;
        out.push(i);
      }
    }
    var self = this;
    out.sort(function (a, b) { return self.volumeDraw(b, self.P) - self.volumeDraw(a, self.P) || a - b; });
    return out.map(function (i) {
      return {code: i, text: n2.name[i] + " · " + lk.districts[n2.district[i]]};
    });
  };
})();
