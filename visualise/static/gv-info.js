/* GRID Voices views, part 3: details, legends and the plain model.
 * Rows are [key, value] pairs, [section] headings or [null, sentence]; the page turns them
 * into table cells with textContent only.
 */
(function () {
  "use strict";
  var GV = window.GV;
  var Eco = GV.Ecosystem.prototype;

  function yes(x) { return x ? "Yes" : "No"; }
  function cellText(c) { return c === -1 ? "*" : GV.fmtInt(c); }

  Eco.periodName = function () {
    return this.state.period < 0 ? "all periods" : this.data.periods[this.state.period];
  };
  Eco.nameOf = function (code) {
    return code < this.N ? this.n.name[code] : this.aggName(code);
  };

  Eco.nodeInfo = function (code) {
    if (code >= this.N) { return this.aggInfo(code); }
    var i = code, n = this.n, lk = this.lk, rows = [], type = lk.types[n.type[i]].key;
    if (type === "Group") {
      rows.push(["Type", "Mutual-aid group (" + (n.sub[i] >= 0 ? lk.fellowships[n.sub[i]] : "Unknown") + ")"]);
    } else if (type === "Navigator") {
      rows.push(["Type", "Navigator (" + (n.sub[i] >= 0 ? lk.roles[n.sub[i]] : "Unknown") + ")"]);
    } else {
      rows.push(["Type", lk.types[n.type[i]].label]);
    }
    rows.push(["ID", n.id[i]]);
    if (n.org[i] >= 0) { rows.push(["Organisation", lk.orgs[n.org[i]]]); }
    rows.push(["Organisation kind", n.kind[i] >= 0 ? lk.kinds[n.kind[i]] : "Unknown"]);
    var ds = [n.district[i]].concat(n.more[i] || []);
    rows.push([ds.length > 1 ? "Districts" : "District", ds.map(function (d) { return lk.districts[d]; }).join(", ")]);
    rows.push(["Domain", n.domain[i] >= 0 ? lk.domains[n.domain[i]] : "Unknown"]);
    if (type === "Service" || n.chime[i]) {
      var chime = lk.chime.filter(function (_, k) { return n.chime[i] & (1 << k); });
      rows.push(["CHIME", chime.join(", ") || "none recorded"]);
    }
    if (type === "Group" && n.cadence[i] >= 0) { rows.push(["Meets", lk.cadences[n.cadence[i]]]); }
    if (type === "Navigator" && n.base[i] >= 0) { rows.push(["Based at", n.name[n.base[i]]]); }
    rows.push(["Lived-experience led", yes(n.flags[i] & 2)]);
    rows.push(["Active", yes(n.flags[i] & 1)]);
    var j = i * this.W + (this.state.period < 0 ? this.P : this.state.period);
    var when = this.state.period < 0 ? "" : " (" + this.periodName() + ")";
    rows.push(["Referrals in" + when, GV.fmtShown(this.inV[j], this.inS[j])]);
    rows.push(["Referrals out" + when, GV.fmtShown(this.outV[j], this.outS[j])]);
    (this.data.size_modes || []).forEach(function (m) {
      if (m.values && m.detail !== false && m.values[i] !== null) { rows.push([m.label, GV.fmtNumber(m.values[i])]); }
    });
    (((this.data.notes || {})[i]) || []).forEach(function (row) { rows.push(row); });
    var actions = [{key: "focus1", label: "Focus: 1 hop"}, {key: "focus2", label: "Focus: 2 hops"}];
    if (this.agg && this.state.focus < 0) { actions.push({key: "collapse", label: "Close district"}); }
    return {heading: n.name[i], rows: rows, actions: actions};
  };

  Eco.aggInfo = function (code) {
    var rec = this.view && this.view.shown.get(code), rows = [];
    var isDistrict = code < this.N + this.nd;
    rows.push(["Type", isDistrict ? "District (its services, groups and navigators)" : "Organisation in a district"]);
    if (rec) {
      ["Services", "Mutual-aid groups", "Navigators"].forEach(function (label, k) {
        if (rec.types[k]) { rows.push([label, GV.fmtInt(rec.types[k])]); }
      });
      var when = this.state.period < 0 ? "" : " (" + this.periodName() + ")";
      rows.push(["Referrals to others shown" + when, GV.fmtShown(rec.oV, rec.oS)]);
      rows.push(["Referrals from others shown" + when, GV.fmtShown(rec.iV, rec.iS)]);
      rows.push(["Referrals within" + when, GV.fmtShown(rec.wV, rec.wS)]);
    }
    rows.push([null, "Click to show its members."]);
    return {heading: this.aggName(code), rows: rows, actions: [{key: "expand", label: "Open"}]};
  };

  Eco.edgeInfo = function (id) {
    if (String(id).charAt(0) === "x") {
      var sg = ((this.data.spread || {}).suggested || [])[Number(String(id).slice(1))];
      return sg ? {heading: sg[2], rows: [[null, sg[3]]]} : null;
    }
    var x = this.view.edges.get(Number(String(id).slice(1)));
    if (!x) { return null; }
    var N = this.N, P = this.P, rows = [], p, e = x.e, self = this;
    var heading = this.nameOf(x.from) + " → " + this.nameOf(x.to);
    if (x.from < N && x.to < N) {
      var any = false;
      for (p = 0; p < P; p++) { if (this.cells[e * P + p] !== 0) { any = true; } }
      if (any) {
        rows.push(["Referrals by period"]);
        for (p = 0; p < P; p++) { rows.push([this.data.periods[p], cellText(this.cells[e * P + p])]); }
        var v = 0, s = 0;
        for (p = 0; p < P; p++) { var c = this.cells[e * P + p]; if (c === -1) { s++; } else { v += c; } }
        rows.push(["Total referrals", GV.fmtShown(v, s)]);
        var acc = this.data.edges.accepted[e];
        if (acc !== null && acc !== undefined) { rows.push(["Accepted", cellText(acc)]); }
      } else {
        rows.push(["Referrals", "none in the chosen periods"]);
      }
      var peer = (this.data.edges.peer || {})[e];
      if (peer) {
        rows.push(["Peer link", this.lk.peer_kinds[peer[0]] + (peer[1] !== null ? " (strength " + GV.fmtNumber(peer[1]) + ")" : "")]);
      }
    } else {
      // Per-period sums of the links this line stands for (rule 2: visible parts + *).
      var pv = new Float64Array(P), ps = new Int32Array(P), reps = this.reps;
      for (var k = 0; k < this.E; k++) {
        if (reps[this.src[k]] !== x.from || reps[this.dst[k]] !== x.to) { continue; }
        for (p = 0; p < P; p++) {
          var cc = this.cells[k * P + p];
          if (cc === -1) { ps[p]++; } else { pv[p] += cc; }
        }
      }
      rows.push(["Links", GV.fmtInt(x.links)]);
      rows.push(["Referrals by period"]);
      for (p = 0; p < P; p++) { rows.push([this.data.periods[p], GV.fmtShown(pv[p], ps[p])]); }
      rows.push(["Total referrals" + (this.state.period < 0 ? "" : " (" + this.periodName() + ")"), GV.fmtShown(x.v, x.s)]);
      if (x.peer) { rows.push(["Peer links", GV.fmtInt(x.peer)]); }
    }
    if (x.mark && this.data.mark) {
      rows.push(["Finding"]);
      var notes = x.links === 1 ? this.data.mark.notes[e] : null;
      (notes || [[null, this.data.mark.label + " (" + GV.fmtInt(x.mark) + " of these links)"]]).forEach(function (r) { rows.push(r); });
    }
    var linkNotes = x.links === 1 ? (this.data.edge_notes || {})[e] : null;
    (linkNotes || []).forEach(function (r) { rows.push(r); });
    void self;
    return {heading: heading, rows: rows};
  };

  Eco.legend = function () {
    var st = this.state, mode = this.modes[st.colour], lk = this.lk, self = this;
    var sections = [], items = [];
    if (mode.type === "scale") {
      items.push({swatch: {shape: "dot", colour: mode.stops[0]}, label: mode.low + " (" + GV.fmtNumber(mode.min) + ")"});
      items.push({swatch: {shape: "dot", colour: mode.stops[mode.stops.length - 1]}, label: mode.high + " (" + GV.fmtNumber(mode.max) + ")"});
    } else {
      var present = this.present || (this.present = {});
      if (!present[mode.key]) {
        var seen = {}, vals = this.values(mode);
        for (var i = 0; i < this.N; i++) { seen[vals[i]] = 1; }
        present[mode.key] = seen;
      }
      mode.labels.forEach(function (label, k) {
        if (present[mode.key][k]) { items.push({swatch: {shape: "dot", colour: mode.colours[k]}, label: label}); }
      });
      if (present[mode.key][-1]) { items.push({swatch: {shape: "dot", colour: mode.unknown}, label: mode.unknown_label || "Unknown"}); }
    }
    if (lk.any_inactive) { items.push({swatch: {shape: "dot", colour: GV.COLOURS.inactiveFill, border: GV.COLOURS.inactiveBorder, dash: true}, label: "Inactive service"}); }
    if (this.agg) {
      items.push({swatch: {shape: "pie", slices: mode.type === "scale" ? [[mode.stops[0], 1], [mode.stops[mode.stops.length - 1], 1]] : mode.colours.slice(0, 4).map(function (c) { return [c, 1]; })},
        label: mode.type === "scale" ? "District: its members' average" : "District: pie of its members' colours"});
    }
    sections.push({title: "Colour: " + mode.heading, items: items});
    sections.push({title: "Shape: type", items: lk.types.filter(function (t) { return t.present; }).map(function (t) {
      return {swatch: {shape: t.shape, colour: "#9aa5b1"}, label: t.label};
    })});
    var size = (this.sizeModes[st.size] || {}).label || st.size;
    var links = [];
    if (lk.any_referral) { links.push({swatch: {shape: "arrow", colour: GV.COLOURS.referral}, label: "Referrals (width: volume)"}); }
    if (lk.any_peer) { links.push({swatch: {shape: "dashed", colour: GV.COLOURS.peer}, label: "Peer link (no referrals)"}); }
    if (lk.any_other) { links.push({swatch: {shape: "dotted", colour: GV.COLOURS.other}, label: "Link without referrals"}); }
    if (this.data.mark && lk.any_mark) { links.push({swatch: {shape: "line", colour: this.data.mark.colour, width: 5}, label: this.data.mark.label}); }
    links.push({swatch: {shape: "region"}, label: "Shaded circle: a district"});
    sections.push({title: "Links and districts", items: links,
      note: "Size: " + size + (this.agg ? " (districts and members on separate scales)" : "") +
        ". Period: " + this.periodName() + "." + (this.view && this.view.capped ?
        " Showing the " + GV.fmtInt(this.agg.max_edges) + " heaviest of " + GV.fmtInt(this.view.capped) +
        " lines to or between districts; open a district for all of its links." : "")});
    (this.data.legend || []).forEach(function (s) { sections.push(s); });
    void self;
    return sections;
  };

  /* ---------------------------------------------------------------------- plain model */
  function Plain(data) {
    this.data = data;
    this.state = {links: "", query: ""};
    this.matches = null;
    this.agg = null;
    this.N = data.nodes.length;
  }
  GV.Plain = Plain;
  GV.models.Plain = Plain;
  var Pl = Plain.prototype;
  Pl.visId = function (code) { return code; };
  Pl.codeOf = function (id) { return Number(id); };
  Pl.rebuild = function () {
    var st = this.state, m = this.matches, q = !!st.query, nodes = [], edges = [];
    this.data.nodes.forEach(function (d, i) {
      nodes.push({
        id: i, label: d.label, shape: d.shape || "dot", size: d.size || 16, x: d.x, y: d.y,
        borderWidth: d.borderWidth || 1.5, opacity: q && !m[i] ? 0.22 : 1,
        shapeProperties: {borderDashes: d.dashes || false},
        color: {background: d.colour, border: d.border || GV.shade(d.colour, 0.7),
          highlight: {background: GV.shade(d.colour, 1.25), border: "#1f2933"},
          hover: {background: GV.shade(d.colour, 1.25), border: "#1f2933"}}
      });
    });
    this.data.edges.forEach(function (d, k) {
      if (st.links && d.cat !== st.links) { return; }
      var dim = q && !(m[d.from] || m[d.to]);
      edges.push({
        id: "e" + k, from: d.from, to: d.to, width: d.width || 1, dashes: d.dashes || false,
        color: {color: d.colour, highlight: "#1f2933", hover: "#1f2933", opacity: dim ? 0.08 : (d.opacity || 0.85)},
        arrows: {to: {enabled: !!d.arrow, scaleFactor: 0.5}},
        smooth: d.curve ? {enabled: true, type: "curvedCW", roundness: 0.15} : false
      });
    });
    this.shownCount = {nodes: nodes.length, edges: edges.length};
    return {nodes: nodes, edges: edges};
  };
  Pl.nodeInfo = function (i) {
    var d = this.data.nodes[i];
    return {heading: d.heading || d.label, rows: d.rows || [], actions: []};
  };
  Pl.edgeInfo = function (id) {
    var d = this.data.edges[Number(String(id).slice(1))];
    return d ? {heading: d.heading, rows: d.rows || []} : null;
  };
  Pl.search = function (q) {
    this.state.query = q = (q || "").trim().toLowerCase();
    if (!q) { this.matches = null; return []; }
    var m = (this.matches = new Uint8Array(this.N)), out = [];
    this.data.nodes.forEach(function (d, i) {
      if ((d.label + "\u0000" + (d.search || "")).toLowerCase().indexOf(q) >= 0) {
        m[i] = 1;
        out.push({code: i, text: d.label});
      }
    });
    return out;
  };
  Pl.matchCount = function () { return this.matches ? this.matches.reduce(function (a, b) { return a + b; }, 0) : 0; };
  Pl.legend = function () { return this.data.legend || []; };
  Pl.regions = function () { return []; };
  Pl.reveal = function () {};
  Pl.moved = function () {};
  Pl.expand = function () { return false; };
})();
