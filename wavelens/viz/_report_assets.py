"""The style sheet and the explorer's script of ``report.html`` (inlined: no external requests).

The explorer reads its data from ``<script type="application/json" id="wl-explorer-data">``
(written by :mod:`wavelens.viz._report`) and draws with the plotly.js bundled in the
installed ``plotly`` package, inlined in the page.
"""

CSS = """
:root { --fg: #1b1b1b; --muted: #5b5b5b; --line: #d9d9d9; --ok: #009E73; --bad: #D55E00; --run: #E69F00; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1280px; padding: 0 24px 48px; }
header { border-bottom: 1px solid var(--line); padding: 18px 0 10px; margin-bottom: 8px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 10px; color: #fff; font-weight: 600;
         font-size: 13px; vertical-align: middle; }
.badge.ok { background: var(--ok); } .badge.failed, .badge.interrupted { background: var(--bad); }
.badge.running, .badge.unknown { background: var(--run); }
.error { border-left: 4px solid var(--bad); background: #fdf1ea; padding: 8px 12px; white-space: pre-wrap;
         font-family: ui-monospace, monospace; font-size: 13px; }
section { margin-top: 22px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table.kv { border-collapse: collapse; font-size: 14px; }
table.kv td, table.kv th { border-bottom: 1px solid #eee; padding: 3px 14px 3px 0; text-align: left;
                           vertical-align: top; }
table.kv td.num { font-variant-numeric: tabular-nums; }
pre.config { background: #f6f6f6; padding: 10px 12px; overflow-x: auto; font-size: 13px; }
.meta { color: var(--muted); font-size: 13px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 18px; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
ul.notes li { margin: 2px 0; }
#wl-explorer .controls { display: flex; gap: 18px; flex-wrap: wrap; align-items: center; margin-bottom: 6px; }
#wl-explorer .controls label { font-size: 14px; }
#wl-explorer .panes { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
#wl-scatter { height: 560px; border: 1px solid #eee; }
#wl-wave, #wl-spec { height: 272px; border: 1px solid #eee; }
#wl-selected { font-size: 13px; color: var(--muted); min-height: 1.4em; }
.hint { color: var(--muted); font-size: 13px; }
"""

#: The explorer (plain ES2017, no framework). ``Plotly`` is the inlined plotly.js.
EXPLORER_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("wl-explorer-data").textContent);
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
  function bytes(b64) {
    var s = atob(b64), a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }
  var n = D.ids.length, m = D.n_envelope, NF = D.spec_shape[0], NT = D.spec_shape[1];
  var waves = bytes(D.wave), specs = bytes(D.spec);
  var hasGL = (function () {
    try { var c = document.createElement("canvas"); return !!(c.getContext("webgl") || c.getContext("experimental-webgl")); }
    catch (e) { return false; }
  })();
  var scatter = document.getElementById("wl-scatter"), waveDiv = document.getElementById("wl-wave"),
      specDiv = document.getElementById("wl-spec"), projSel = document.getElementById("wl-projection"),
      colSel = document.getElementById("wl-colour"), selected = document.getElementById("wl-selected");
  function fmt(v) {
    if (v === null || v === undefined || v === "") return "n/a";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
    return String(v);
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  var hover = D.ids.map(function (id, i) {
    var s = "id: <b>" + esc(id) + "</b>";
    D.hover_columns.forEach(function (c) { s += "<br>" + esc(c) + ": " + esc(fmt(D.columns[c].values[i])); });
    return s;
  });
  var all = []; for (var i = 0; i < n; i++) all.push(i);

  // options: every projection in 2-D, and in 3-D where it has three axes
  var views = [];
  Object.keys(D.projections).forEach(function (name) {
    var p = D.projections[name];
    views.push({ key: name + ":2", label: name + " (2-D)", name: name, dims: 2 });
    if (p.dims === 3) views.push({ key: name + ":3", label: name + " (3-D, drag to rotate)", name: name, dims: 3 });
  });
  views.forEach(function (v) {
    var o = document.createElement("option"); o.value = v.key; o.textContent = v.label;
    if (v.dims === 3 && !hasGL) { o.disabled = true; o.textContent += " (needs WebGL)"; }
    projSel.appendChild(o);
  });
  var none = document.createElement("option"); none.value = ""; none.textContent = "(none)"; colSel.appendChild(none);
  Object.keys(D.columns).forEach(function (c) {
    if (D.columns[c].kind === "hover") return;
    var o = document.createElement("option"); o.value = c; o.textContent = c; colSel.appendChild(o);
  });
  colSel.value = D.default_colour || "";

  function trace(idx, p, dims) {
    var t = { x: idx.map(function (i) { return p.x[i]; }), y: idx.map(function (i) { return p.y[i]; }),
              customdata: idx, text: idx.map(function (i) { return hover[i]; }),
              hovertemplate: "%{text}<extra></extra>", mode: "markers" };
    if (dims === 3) { t.type = "scatter3d"; t.z = idx.map(function (i) { return p.z[i]; }); t.marker = { size: 3, opacity: 0.85 }; }
    else { t.type = hasGL ? "scattergl" : "scatter"; t.marker = { size: 6, opacity: 0.8 }; }
    return t;
  }
  function draw() {
    var view = views.filter(function (v) { return v.key === projSel.value; })[0] || views[0];
    var p = D.projections[view.name], col = D.columns[colSel.value], traces = [];
    if (!col) {
      var t = trace(all, p, view.dims); t.marker.color = PALETTE[0]; t.name = "series"; traces.push(t);
    } else if (col.kind === "cat") {
      col.categories.forEach(function (c, k) {
        var idx = all.filter(function (i) { return col.values[i] === c; });
        if (!idx.length) return;
        var t = trace(idx, p, view.dims); t.name = c === "" ? "(empty)" : c;
        t.marker.color = PALETTE[k % PALETTE.length]; traces.push(t);
      });
    } else {
      var t = trace(all, p, view.dims);
      t.marker.color = all.map(function (i) { var v = col.values[i]; return v === null ? NaN : v; });
      t.marker.colorscale = "Viridis"; t.marker.showscale = true;
      t.marker.colorbar = { title: { text: colSel.value }, thickness: 12 }; t.name = colSel.value;
      traces.push(t);
    }
    var ax = function (k) { return { title: { text: view.name + " " + (k + 1) }, zeroline: false }; };
    var layout = { margin: { l: 50, r: 10, t: 30, b: 45 }, hovermode: "closest", uirevision: view.key,
                   legend: { title: { text: colSel.value } }, showlegend: !!col && col.kind === "cat",
                   title: { text: n + " series, " + view.label, font: { size: 13 } } };
    if (view.dims === 3) layout.scene = { xaxis: ax(0), yaxis: ax(1), zaxis: ax(2) };
    else { layout.xaxis = ax(0); layout.yaxis = ax(1); }
    return Plotly.react(scatter, traces, layout, { displaylogo: false, responsive: true });
  }

  function show(i) {
    var t = [], lo = [], hi = [], base = i * 2 * m, r = D.wave_range[i], span = (r[1] - r[0]) / 255;
    for (var k = 0; k < m; k++) {
      t.push((k + 0.5) / m * D.duration[i]);
      lo.push(r[0] + waves[base + k] * span);
      hi.push(r[0] + waves[base + m + k] * span);
    }
    var line = { width: 1, color: PALETTE[0] };
    Plotly.react(waveDiv, [
      { x: t, y: hi, mode: "lines", line: line, name: "max", hoverinfo: "skip" },
      { x: t, y: lo, mode: "lines", line: line, fill: "tonexty", fillcolor: "rgba(0,114,178,0.35)", name: "min", hoverinfo: "skip" }
    ], { margin: { l: 55, r: 10, t: 30, b: 40 }, showlegend: false,
         title: { text: "waveform of " + D.ids[i] + " (" + D.channel + ")", font: { size: 13 } },
         xaxis: { title: { text: "time (" + D.time_unit + ")" } }, yaxis: { title: { text: "amplitude" } } },
       { displaylogo: false, responsive: true });
    var z = [], sb = i * NF * NT, db = D.spec_db;
    for (var f = 0; f < NF; f++) {
      var row = [];
      for (var j = 0; j < NT; j++) row.push(specs[sb + f * NT + j] / 255 * db - db);
      z.push(row);
    }
    var fx = [], fy = [];
    for (var j2 = 0; j2 < NT; j2++) fx.push((j2 + 0.5) / NT * D.duration[i]);
    for (var f2 = 0; f2 < NF; f2++) fy.push((f2 + 0.5) / NF * D.spec_fmax[i]);
    Plotly.react(specDiv, [{ type: "heatmap", x: fx, y: fy, z: z, colorscale: "Viridis", zmin: -db, zmax: 0,
                            colorbar: { title: { text: "dB" }, thickness: 10 }, hoverinfo: "skip" }],
      { margin: { l: 55, r: 10, t: 30, b: 40 },
        title: { text: "spectrogram of " + D.ids[i] + " (dB re its peak)", font: { size: 13 } },
        xaxis: { title: { text: "time (" + D.time_unit + ")" } }, yaxis: { title: { text: "frequency (" + D.freq_unit + ")" } } },
      { displaylogo: false, responsive: true });
    waveDiv.setAttribute("data-point-id", D.ids[i]);
    waveDiv.setAttribute("data-point-index", String(i));
    var parts = ["selected: <b>" + esc(D.ids[i]) + "</b>"];
    Object.keys(D.columns).forEach(function (c) { parts.push(esc(c) + " = " + esc(fmt(D.columns[c].values[i]))); });
    selected.innerHTML = parts.join(" &middot; ");
  }

  projSel.addEventListener("change", draw);
  colSel.addEventListener("change", draw);
  draw().then(function () {
    scatter.on("plotly_click", function (ev) {
      if (ev && ev.points && ev.points.length) show(ev.points[0].customdata);
    });
    scatter.setAttribute("data-ready", "1");
  });
  window.wavelensExplorer = { data: D, show: show, draw: draw, hasWebGL: hasGL };
})();
"""
