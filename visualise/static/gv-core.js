/* GRID Voices views, part 1 of 5: the data models (no DOM, no vis).
 *
 * Two models share one interface (rebuild, nodeInfo, edgeInfo, search, legend, regions):
 *  - Ecosystem: compact columns for every node and link, aggregated into districts (and
 *    organisations within big districts) for large graphs, expanded on demand. Everything
 *    shown is recomputed from the columns in one pass over the links, so filters, periods,
 *    focus and expansion are all the same operation.
 *  - Plain: nodes and links fully described by the view module (small, precomputed views).
 *
 * Counts: a cell (one link, one period) of 1-4 arrives as -1 and is never known here.
 * Totals are [visible sum, hidden parts] and print as "120 + *" (visualise/counts.py).
 */
(function () {
  "use strict";
  var GV = (window.GV = window.GV || {});
  var HIDDEN = -1;
  var DRAW_HIDDEN = 2.5;
  var SPACING = 46; // visualise/layout.py MEMBER_SPACING: blocks reserve room for this
  var GOLDEN = Math.PI * (3 - Math.sqrt(5));
  var MEMBER_SIZE = [9, 36];
  var AGG_SIZE = [18, 64];

  GV.fmtInt = function (v) { return Math.round(v).toLocaleString("en-GB"); };
  GV.fmtShown = function (v, s) {
    if (!s) { return GV.fmtInt(v); }
    return v === 0 ? "*" : GV.fmtInt(v) + " + *";
  };
  GV.drawValue = function (v, s) { return v + DRAW_HIDDEN * s; };
  GV.fmtNumber = function (x) {
    if (x === null || x === undefined || !isFinite(x)) { return "n/a"; }
    return Math.abs(x) >= 1000 ? GV.fmtInt(x) : String(Number(x.toPrecision(3)));
  };
  function scaled(value, top, range) {
    if (!(top > 0) || !(value > 0)) { return range[0]; }
    return range[0] + (range[1] - range[0]) * Math.sqrt(Math.min(value, top) / top);
  }
  GV.scaled = scaled;
  function sunflower(k, spacing) {
    var r = spacing * Math.sqrt(k + 0.5), t = k * GOLDEN;
    return [r * Math.cos(t), r * Math.sin(t)];
  }

  /* ------------------------------------------------------------------ ecosystem model */
  function Ecosystem(data) {
    var n = data.nodes, e = data.edges, i, p, k;
    this.data = data;
    this.n = n;
    this.lk = data.lookup;
    var N = (this.N = n.id.length);
    var E = (this.E = e.src.length);
    var P = (this.P = data.periods.length);
    var nd = (this.nd = this.lk.districts.length);
    this.src = e.src;
    this.dst = e.dst;
    this.cells = e.cells;
    this.isPeer = new Uint8Array(E);
    for (k in e.peer || {}) { this.isPeer[+k] = 1; }
    this.marks = data.edge_marks || {};
    this.agg = data.aggregate || null;
    this.modes = {};
    (data.colour_modes || []).forEach(function (m) { this.modes[m.key] = m; }, this);
    this.sizeModes = {};
    (data.size_modes || []).forEach(function (m) { this.sizeModes[m.key] = m; }, this);
    this.state = {
      colour: data.defaults.colour, size: data.defaults.size, period: -1,
      district: -1, kind: -1, domain: -1, focus: -1, hops: 1, query: "", step: -1
    };
    // Referral volume of every node in every period (column P: all periods), shown form.
    var W = (this.W = P + 1);
    var inV = (this.inV = new Float64Array(N * W)), inS = (this.inS = new Int32Array(N * W));
    var outV = (this.outV = new Float64Array(N * W)), outS = (this.outS = new Int32Array(N * W));
    for (i = 0; i < E; i++) {
      var u = e.src[i] * W, v = e.dst[i] * W;
      for (p = 0; p < P; p++) {
        var c = this.cells[i * P + p];
        if (c === 0) { continue; }
        if (c === HIDDEN) {
          outS[u + p]++; outS[u + P]++; inS[v + p]++; inS[v + P]++;
        } else {
          outV[u + p] += c; outV[u + P] += c; inV[v + p] += c; inV[v + P] += c;
        }
      }
    }
    // Positions: given for small graphs; members of big ones are placed when first shown.
    this.px = new Float64Array(N);
    this.py = new Float64Array(N);
    this.placed = new Uint8Array(N);
    if (n.x) {
      for (i = 0; i < N; i++) { this.px[i] = n.x[i]; this.py[i] = n.y[i]; this.placed[i] = 1; }
    }
    this.blocks = data.blocks || [];
    // Aggregates are drawn in proportion to the room their members take when opened, so the
    // overview reads at the zoom that shows every district.
    var radii = this.blocks.map(function (b) { return b[2]; }).filter(function (r) { return r > 0; }).sort(function (a, b) { return a - b; });
    this.unit = radii.length ? radii[Math.floor(radii.length / 2)] : 100;
    // Members of each district, busiest first (the centre of the spiral).
    var self = this;
    var busy = function (a, b) {
      var va = self.volumeDraw(a, P), vb = self.volumeDraw(b, P);
      return vb - va || a - b;
    };
    this.members = [];
    for (i = 0; i < nd; i++) { this.members.push([]); }
    for (i = 0; i < N; i++) { this.members[n.district[i]].push(i); }
    this.members.forEach(function (list) { list.sort(busy); });
    this.expanded = new Uint8Array(nd);
    this.subs = [];
    this.nodeSub = new Int32Array(N).fill(-1);
    if (this.agg) { this._buildSubs(busy); }
    this.expandedSub = new Uint8Array(this.subs.length);
    this.flows = new Map();
    ((this.agg && this.agg.flows) || []).forEach(function (f) {
      self.flows.set(f[0] * nd + f[1], [f[2], f[3]]);
    });
    this.matches = null;
  }
  GV.Ecosystem = Ecosystem;

  Ecosystem.prototype.volumeDraw = function (i, p) {
    var j = i * this.W + p;
    return GV.drawValue(this.inV[j] + this.outV[j], this.inS[j] + this.outS[j]);
  };

  // Districts with more members than expand_limit open into their organisations first.
  Ecosystem.prototype._buildSubs = function (busy) {
    var limit = this.agg.expand_limit, n = this.n, self = this;
    this.members.forEach(function (list, d) {
      if (list.length <= limit) { return; }
      var byOrg = new Map();
      list.forEach(function (i) {
        var o = n.org[i];
        if (!byOrg.has(o)) { byOrg.set(o, []); }
        byOrg.get(o).push(i);
      });
      if (byOrg.size < 2) { return; }
      var groups = Array.from(byOrg.entries()).sort(function (a, b) {
        return b[1].length - a[1].length || a[0] - b[0];
      });
      groups.forEach(function (g) {
        var s = self.subs.length;
        g[1].sort(busy);
        self.subs.push({d: d, org: g[0], members: g[1], x: 0, y: 0, placed: false,
          r: SPACING * 0.8 * Math.sqrt(g[1].length) + 20});
        g[1].forEach(function (i) { self.nodeSub[i] = s; });
      });
    });
  };

  // Codes: member i -> i; district d -> N + d; organisation-in-district s -> N + nd + s.
  Ecosystem.prototype.visId = function (code) {
    if (code < this.N) { return code; }
    if (code < this.N + this.nd) { return "D" + (code - this.N); }
    return "O" + (code - this.N - this.nd);
  };
  Ecosystem.prototype.codeOf = function (id) {
    if (typeof id === "number") { return id; }
    if (id.charAt(0) === "D") { return this.N + Number(id.slice(1)); }
    return this.N + this.nd + Number(id.slice(1));
  };

  Ecosystem.prototype.passes = function (i) {
    var st = this.state, n = this.n;
    if (st.kind >= 0 && n.kind[i] !== st.kind) { return false; }
    if (st.domain >= 0 && n.domain[i] !== st.domain) { return false; }
    if (st.step >= 0 && this.data.spread) {
      var at = this.data.spread.step[i];
      if (at === null || at === undefined || at > st.step) { return false; }
    }
    if (st.district >= 0 && n.district[i] !== st.district) {
      var more = n.more[i];
      if (!more || more.indexOf(st.district) < 0) { return false; }
    }
    return true;
  };
  Ecosystem.prototype.pristine = function () {
    var st = this.state;
    return st.period < 0 && st.kind < 0 && st.domain < 0 && st.district < 0 && st.focus < 0 && st.step < 0;
  };

  Ecosystem.prototype.repOf = function (i, focus) {
    if (!this.passes(i)) { return -1; }
    if (focus) { return focus[i] ? i : -1; }
    if (!this.agg) { return i; }
    var d = this.n.district[i];
    if (!this.expanded[d]) { return this.N + d; }
    var s = this.nodeSub[i];
    if (s >= 0 && !this.expandedSub[s]) { return this.N + this.nd + s; }
    return i;
  };

  // The count of link e in the chosen period: [visible, hidden].
  Ecosystem.prototype.edgeCount = function (e) {
    var P = this.P, per = this.state.period, c, v = 0, s = 0, p;
    if (per >= 0) {
      c = this.cells[e * P + per];
      return c === HIDDEN ? [0, 1] : [c, 0];
    }
    for (p = 0; p < P; p++) {
      c = this.cells[e * P + p];
      if (c === HIDDEN) { s++; } else { v += c; }
    }
    return [v, s];
  };

  // Where members go when their district or organisation opens: a sunflower spiral.
  Ecosystem.prototype.place = function (list, cx, cy, spacing) {
    for (var k = 0; k < list.length; k++) {
      var i = list[k];
      if (this.placed[i]) { continue; }
      var off = sunflower(k, spacing);
      this.px[i] = cx + off[0];
      this.py[i] = cy + off[1];
      this.placed[i] = 1;
    }
  };
  Ecosystem.prototype.placeDistrict = function (d) {
    var b = this.blocks[d], self = this;
    var subs = this.subs.filter(function (s) { return s.d === d; });
    if (!subs.length) { this.place(this.members[d], b[0], b[1], SPACING); return; }
    var area = 0;
    subs.forEach(function (s, k) {
      if (!s.placed) {
        var r = SPACING * Math.sqrt(area + s.members.length / 2), t = k * GOLDEN;
        s.x = b[0] + r * Math.cos(t);
        s.y = b[1] + r * Math.sin(t);
        s.placed = true;
      }
      area += s.members.length;
    });
    subs.forEach(function (s) { self.place(s.members, s.x, s.y, SPACING * 0.8); });
  };
  Ecosystem.prototype.position = function (code) {
    if (code < this.N) {
      if (!this.placed[code]) { this.placeDistrict(this.n.district[code]); }
      return [this.px[code], this.py[code]];
    }
    if (code < this.N + this.nd) {
      var b = this.blocks[code - this.N];
      return [b[0], b[1]];
    }
    var s = this.subs[code - this.N - this.nd];
    if (!s.placed) { this.placeDistrict(s.d); }
    return [s.x, s.y];
  };
  // Radius of the room an aggregate's members take when it opens.
  Ecosystem.prototype.room = function (code) {
    if (code < this.N + this.nd) { return this.blocks[code - this.N][2] || this.unit; }
    return this.subs[code - this.N - this.nd].r;
  };
  Ecosystem.prototype.moved = function (code, x, y) {
    if (code < this.N) { this.px[code] = x; this.py[code] = y; this.placed[code] = 1; }
    else if (code < this.N + this.nd) { this.blocks[code - this.N][0] = x; this.blocks[code - this.N][1] = y; }
    else { var s = this.subs[code - this.N - this.nd]; s.x = x; s.y = y; }
  };

  // Open (or close) an aggregate. Returns true when something changed.
  Ecosystem.prototype.expand = function (code) {
    if (code >= this.N + this.nd) {
      this.expandedSub[code - this.N - this.nd] = 1;
    } else if (code >= this.N) {
      this.expanded[code - this.N] = 1;
      this.placeDistrict(code - this.N);
    } else {
      return false;
    }
    return true;
  };
  Ecosystem.prototype.collapse = function (code) {
    var d = code < this.N ? this.n.district[code]
      : code < this.N + this.nd ? code - this.N : this.subs[code - this.N - this.nd].d;
    this.expanded[d] = 0;
    for (var s = 0; s < this.subs.length; s++) { if (this.subs[s].d === d) { this.expandedSub[s] = 0; } }
  };
  Ecosystem.prototype.collapseAll = function () {
    this.expanded.fill(0);
    this.expandedSub.fill(0);
  };
  // Make member i visible: open its district (and organisation), leave a focus it is not in.
  Ecosystem.prototype.reveal = function (i) {
    if (this.agg) {
      this.expand(this.N + this.n.district[i]);
      if (this.nodeSub[i] >= 0) { this.expandedSub[this.nodeSub[i]] = 1; }
    }
    if (this.state.focus >= 0 && !(this.focusSet() || [])[i]) { this.state.focus = -1; }
    if (!this.passes(i)) { this.state.kind = this.state.domain = this.state.district = -1; }
  };

  // Undirected adjacency (CSR) over every link, built on first use.
  Ecosystem.prototype.adjacency = function () {
    if (this.adj) { return this.adj; }
    var N = this.N, E = this.E, deg = new Int32Array(N + 1), i;
    for (i = 0; i < E; i++) { deg[this.src[i] + 1]++; deg[this.dst[i] + 1]++; }
    for (i = 0; i < N; i++) { deg[i + 1] += deg[i]; }
    var fill = deg.slice(0, N), nb = new Int32Array(2 * E), ed = new Int32Array(2 * E);
    for (i = 0; i < E; i++) {
      var a = this.src[i], b = this.dst[i];
      nb[fill[a]] = b; ed[fill[a]++] = i;
      nb[fill[b]] = a; ed[fill[b]++] = i;
    }
    this.adj = {start: deg, nb: nb, edge: ed};
    return this.adj;
  };
  // Members within `hops` links of the focused node, over links used in the chosen period.
  Ecosystem.prototype.focusSet = function () {
    var st = this.state;
    if (st.focus < 0) { return null; }
    var adj = this.adjacency(), seen = new Uint8Array(this.N), frontier = [st.focus], h, j;
    seen[st.focus] = 1;
    for (h = 0; h < st.hops; h++) {
      var next = [];
      for (var f = 0; f < frontier.length; f++) {
        var i = frontier[f];
        for (j = adj.start[i]; j < adj.start[i + 1]; j++) {
          var m = adj.nb[j], e = adj.edge[j];
          if (seen[m] || !this.passes(m)) { continue; }
          var c = this.edgeCount(e);
          if (c[0] === 0 && c[1] === 0 && !this.isPeer[e]) { continue; }
          seen[m] = 1;
          next.push(m);
        }
      }
      frontier = next;
    }
    return seen;
  };

  GV.models = {Ecosystem: Ecosystem};
  GV.sunflower = sunflower;
  GV.SIZES = {member: MEMBER_SIZE, aggregate: AGG_SIZE};
})();
