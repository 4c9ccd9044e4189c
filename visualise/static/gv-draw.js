/* GRID Voices views, part 4: canvas drawing — aggregate pies, district circles, legend
 * swatches and the PNG export (white background, title and legend drawn in).
 * All text is drawn with fillText: partner strings are never parsed as markup.
 */
(function () {
  "use strict";
  var GV = window.GV;
  var FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";

  function zoom(ctx) {
    var t = ctx.getTransform ? ctx.getTransform() : {a: 1};
    return Math.abs(t.a) / (window.devicePixelRatio || 1) || 1;
  }
  function labelVisible(ctx, px) { return px * zoom(ctx) >= 7; }
  // A font size in canvas units: `want`, but never more than `most` screen pixels.
  function fontSize(ctx, want, most) { return Math.min(want, most / zoom(ctx)); }

  // vis-network custom shape for an aggregate: a pie of its members' colours.
  GV.pieRenderer = function (o) {
    var ctx = o.ctx, x = o.x, y = o.y, id = o.id, label = o.label;
    var pie = (GV.app && GV.app.model.pies && GV.app.model.pies[id]) || {slices: [], size: 20, opacity: 1};
    var r = pie.size, hot = o.state.selected || o.state.hover;
    return {
      drawNode: function () {
        ctx.globalAlpha = pie.opacity;
        var total = pie.slices.reduce(function (a, s) { return a + s[1]; }, 0) || 1, a = -Math.PI / 2;
        if (!pie.slices.length) {
          ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fillStyle = "#cbd2d9"; ctx.fill();
        }
        pie.slices.forEach(function (s) {
          var b = a + 2 * Math.PI * s[1] / total;
          ctx.beginPath(); ctx.moveTo(x, y); ctx.arc(x, y, r, a, b); ctx.closePath();
          ctx.fillStyle = s[0]; ctx.fill();
          a = b;
        });
        ctx.beginPath(); ctx.arc(x, y, r * 0.42, 0, 2 * Math.PI); ctx.fillStyle = "#ffffff"; ctx.fill();
        ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.lineWidth = Math.max(2, r / 30) * (hot ? 2 : 1); ctx.strokeStyle = hot ? "#1f2933" : "#52606d"; ctx.stroke();
      },
      drawExternalLabel: function () {
        var px = fontSize(ctx, Math.max(15, r * 0.3), 22);
        if (!labelVisible(ctx, px)) { return; }
        ctx.globalAlpha = pie.opacity;
        ctx.font = "600 " + px + "px " + FONT; ctx.textAlign = "center"; ctx.textBaseline = "top";
        ctx.lineWidth = px / 4; ctx.strokeStyle = "#ffffff"; ctx.lineJoin = "round";
        ctx.strokeText(label, x, y + r + 5); ctx.fillStyle = "#1f2933"; ctx.fillText(label, x, y + r + 5);
      },
      nodeDimensions: {width: 2 * r, height: 2 * r}
    };
  };

  GV.drawRegions = function (ctx, regions) {
    regions.forEach(function (g) {
      ctx.beginPath(); ctx.arc(g.x, g.y, g.r, 0, 2 * Math.PI);
      ctx.fillStyle = g.fill || "rgba(203, 210, 217, 0.20)"; ctx.fill();
      var w = Math.max(1.5, g.r / 300);
      ctx.setLineDash([10 * w, 7 * w]); ctx.lineWidth = w; ctx.strokeStyle = "#9aa5b1"; ctx.stroke();
      ctx.setLineDash([]);
      var px = fontSize(ctx, Math.max(22, g.r * 0.07), 26);
      if (labelVisible(ctx, px)) {
        ctx.font = "600 " + px + "px " + FONT; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
        ctx.fillStyle = "#52606d"; ctx.fillText(g.label, g.x, g.y - g.r - 6);
      }
    });
  };

  // One legend swatch in a w x h box at (x, y).
  GV.drawSwatch = function (ctx, sw, x, y, w, h) {
    var cx = x + h / 2, cy = y + h / 2, r = h / 2 - 1, colour = sw.colour || "#9aa5b1";
    ctx.save();
    ctx.fillStyle = colour; ctx.strokeStyle = sw.border || GV.shade(colour.length === 7 ? colour : "#9aa5b1", 0.7);
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    switch (sw.shape) {
      case "triangle": ctx.moveTo(cx, y + 1); ctx.lineTo(x + h - 1, y + h - 1); ctx.lineTo(x + 1, y + h - 1); ctx.closePath(); ctx.fill(); break;
      case "diamond": ctx.moveTo(cx, y); ctx.lineTo(x + h, cy); ctx.lineTo(cx, y + h); ctx.lineTo(x, cy); ctx.closePath(); ctx.fill(); break;
      case "square": ctx.rect(x + 1, y + 1, h - 2, h - 2); ctx.fill(); ctx.stroke(); break;
      case "pie":
        var total = sw.slices.reduce(function (a, s) { return a + s[1]; }, 0), a = -Math.PI / 2;
        sw.slices.forEach(function (s) {
          var b = a + 2 * Math.PI * s[1] / total;
          ctx.beginPath(); ctx.moveTo(cx, cy); ctx.arc(cx, cy, r, a, b); ctx.closePath(); ctx.fillStyle = s[0]; ctx.fill(); a = b;
        });
        ctx.beginPath(); ctx.arc(cx, cy, r * 0.42, 0, 2 * Math.PI); ctx.fillStyle = "#fff"; ctx.fill();
        ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.strokeStyle = "#52606d"; ctx.stroke();
        break;
      case "region":
        ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.fillStyle = "rgba(203,210,217,0.35)"; ctx.fill();
        ctx.setLineDash([3, 2]); ctx.strokeStyle = "#9aa5b1"; ctx.stroke(); break;
      case "arrow": case "line": case "dashed": case "dotted":
        ctx.strokeStyle = colour; ctx.lineWidth = sw.width || (sw.shape === "arrow" ? 3 : 2);
        if (sw.shape === "dashed") { ctx.setLineDash([5, 3]); }
        if (sw.shape === "dotted") { ctx.setLineDash([2, 3]); }
        ctx.moveTo(x + 1, cy); ctx.lineTo(x + w - (sw.shape === "arrow" ? 7 : 1), cy); ctx.stroke();
        ctx.setLineDash([]);
        if (sw.shape === "arrow") {
          ctx.beginPath(); ctx.moveTo(x + w - 9, cy - 5); ctx.lineTo(x + w, cy); ctx.lineTo(x + w - 9, cy + 5); ctx.closePath(); ctx.fill();
        }
        break;
      default:
        ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.fill();
        if (sw.dash) { ctx.setLineDash([3, 2]); }
        ctx.lineWidth = sw.ring ? 3 : 1.2;  // a border, like the nodes: pale colours stay visible
        ctx.stroke();
    }
    ctx.restore();
  };

  function wrap(ctx, text, width) {
    var words = String(text).split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      var next = line ? line + " " + w : w;
      if (ctx.measureText(next).width > width && line) { lines.push(line); line = w; } else { line = next; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  // Lay out (draw = false) or draw the legend; returns its height.
  function legendBlock(ctx, sections, x, y, width, draw) {
    var top = y;
    sections.forEach(function (s) {
      ctx.font = "600 12px " + FONT;
      y += 10;
      wrap(ctx, String(s.title || "").toUpperCase(), width).forEach(function (l) {
        if (draw) { ctx.fillStyle = "#52606d"; ctx.fillText(l, x, y); }
        y += 15;
      });
      y += 1;
      ctx.font = "13px " + FONT;
      (s.items || []).forEach(function (it) {
        var lines = wrap(ctx, it.label, width - 44);
        if (draw) {
          GV.drawSwatch(ctx, it.swatch || {}, x, y - 11, 34, 14);
          ctx.fillStyle = "#1f2933";
          lines.forEach(function (l, k) { ctx.fillText(l, x + 42, y + k * 16); });
        }
        y += 16 * lines.length + 3;
      });
      if (s.note) {
        ctx.font = "12px " + FONT;
        wrap(ctx, s.note, width).forEach(function (l) {
          if (draw) { ctx.fillStyle = "#52606d"; ctx.fillText(l, x, y); }
          y += 15;
        });
      }
    });
    return y - top;
  }

  // The PNG: header (title, periods, source, warnings), the network as drawn, the legend.
  GV.exportPng = function (app) {
    var src = app.network.canvas.frame.canvas, meta = app.data.meta;
    var cw = src.clientWidth, ch = src.clientHeight, ratio = src.width / cw || 1, LW = 310, pad = 16;
    var out = document.createElement("canvas"), ctx = out.getContext("2d");
    var lines = [];
    ctx.font = "13px " + FONT;
    var width = cw + LW - 2 * pad;
    var facts = "Periods: " + meta.periods + " · Source: " + meta.source + (meta.summary ? " · " + meta.summary : "");
    wrap(ctx, facts, width).forEach(function (l) { lines.push(["13px", "#3e4c59", l]); });
    if (meta.illustrative) { lines.push(["600 14px", "#9b1c1c", meta.illustrative]); }
    if (meta.no_flows) {
      ctx.font = "600 13px " + FONT;
      wrap(ctx, meta.no_flows, width).forEach(function (l) { lines.push(["600 13px", "#9b1c1c", l]); });
      ctx.font = "13px " + FONT;
    }
    wrap(ctx, meta.suppression, width).forEach(function (l) {
      lines.push(["12px", meta.suppress ? "#52606d" : "#9b1c1c", l]);
    });
    var headH = pad + 26 + lines.length * 18 + 8;
    var sections = app.model.legend();
    var legH = legendBlock(ctx, sections, 0, 0, LW - 2 * pad, false) + 2 * pad;
    var W = cw + LW, H = headH + Math.max(ch, legH);
    out.width = Math.round(W * ratio); out.height = Math.round(H * ratio);
    ctx = out.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, W, H);
    ctx.textBaseline = "alphabetic"; ctx.textAlign = "left";
    ctx.fillStyle = "#1f2933"; ctx.font = "600 20px " + FONT;
    ctx.fillText(meta.title, pad, pad + 18);
    lines.forEach(function (l, k) {
      ctx.font = l[0] + " " + FONT; ctx.fillStyle = l[1];
      ctx.fillText(l[2], pad, pad + 26 + 16 + k * 18);
    });
    ctx.strokeStyle = "#e4e7eb"; ctx.beginPath(); ctx.moveTo(0, headH - 0.5); ctx.lineTo(W, headH - 0.5); ctx.stroke();
    ctx.drawImage(src, 0, headH, cw, ch);
    ctx.beginPath(); ctx.moveTo(cw + 0.5, headH); ctx.lineTo(cw + 0.5, H); ctx.stroke();
    legendBlock(ctx, sections, cw + pad, headH + pad, LW - 2 * pad, true);
    return out.toDataURL("image/png");
  };

  GV.downloadPng = function (app) {
    var a = document.createElement("a");
    a.href = GV.exportPng(app);
    a.download = "gridvoices-" + app.data.meta.kind + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
})();
