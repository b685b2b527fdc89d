// Small SVG line charts for the batching, compression and what-if panels: no library, no CDN.
// Lines differ by dash pattern and marker shape as well as colour, and every chart has a
// text alternative (its aria-label names the newest values; the labs keep a table too).
const NS = "http://www.w3.org/2000/svg";
const W = 320;
const H = 150;
const PAD = { l: 46, r: 10, t: 10, b: 30 };
export const LINE_STYLES = [
  { cls: "chart-line-a", dash: "", marker: "circle" },
  { cls: "chart-line-b", dash: "6 4", marker: "square" },
  { cls: "chart-line-c", dash: "2 3", marker: "triangle" },
];

function node(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

export function fmt(v) {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return v.toFixed(0);
  return v.toFixed(a >= 1 ? 1 : 2);
}

function markerShape(kind, x, y, cls) {
  if (kind === "square") return node("rect", { x: x - 3, y: y - 3, width: 6, height: 6, class: cls });
  if (kind === "triangle") return node("path", { d: `M${x},${y - 4} L${x + 4},${y + 3} L${x - 4},${y + 3} Z`, class: cls });
  return node("circle", { cx: x, cy: y, r: 3, class: cls });
}

// lines: [{ label, points: [[x, y], ...] }]; opts: { xLabel, yLabel, mark (x of the current value), logX, title, xText }
export function lineChart(svg, lines, opts = {}) {
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  const all = lines.flatMap((l) => l.points);
  const parts = [];
  const tx = opts.logX ? (x) => Math.log10(Math.max(x, 0) + 1) : (x) => x;
  const xs = all.map((p) => tx(p[0]));
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs, opts.mark !== undefined ? tx(opts.mark) : Infinity);
  const x1 = Math.max(...xs, opts.mark !== undefined ? tx(opts.mark) : -Infinity);
  const y1 = Math.max(...ys, 0) * 1.1 || 1;
  const sx = (x) => PAD.l + ((tx(x) - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (y) => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  parts.push(node("line", { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: "chart-axis" }));
  parts.push(node("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, class: "chart-axis" }));
  if (!all.length) {
    // Nothing to plot yet: the axes and a word, never ticks for a scale no data set.
    parts.push(node("text", { x: (PAD.l + W - PAD.r) / 2, y: (PAD.t + H - PAD.b) / 2, class: "chart-label", "text-anchor": "middle" },
      opts.empty ?? "no data yet"));
    if (opts.xLabel) parts.push(node("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 3, class: "chart-label", "text-anchor": "middle" }, opts.xLabel));
    svg.replaceChildren(...parts);
    svg.setAttribute("aria-label", `${opts.title ?? opts.yLabel ?? "Chart"}: no data yet`);
    svg.dataset.empty = "";
    return;
  }
  delete svg.dataset.empty;
  for (const f of [0, 0.5, 1]) {
    const v = (y1 / 1.1) * f;
    parts.push(node("text", { x: PAD.l - 4, y: sy(v) + 4, class: "chart-tick", "text-anchor": "end" }, fmt(v)));
  }
  {
    const xt = opts.xText ?? ((x) => fmt(x));
    const lo = all.reduce((m, p) => Math.min(m, p[0]), Infinity);
    const hi = all.reduce((m, p) => Math.max(m, p[0]), -Infinity);
    parts.push(node("text", { x: PAD.l, y: H - PAD.b + 13, class: "chart-tick", "text-anchor": "start" }, xt(lo)));
    parts.push(node("text", { x: W - PAD.r, y: H - PAD.b + 13, class: "chart-tick", "text-anchor": "end" }, xt(hi)));
  }
  if (opts.xLabel) parts.push(node("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 3, class: "chart-label", "text-anchor": "middle" }, opts.xLabel));
  if (opts.mark !== undefined && all.length) {
    const x = sx(opts.mark);
    parts.push(node("line", { x1: x, y1: PAD.t, x2: x, y2: H - PAD.b, class: "chart-mark" }));
    parts.push(node("text", { x: Math.min(x + 3, W - 60), y: PAD.t + 9, class: "chart-tick" }, "▼ now"));
  }
  lines.forEach((line, i) => {
    const style = LINE_STYLES[i % LINE_STYLES.length];
    if (!line.points.length) return;
    const d = line.points.map((p, j) => `${j ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
    parts.push(node("path", { d, class: `chart-line ${style.cls}`, "stroke-dasharray": style.dash }));
    const step = Math.max(1, Math.ceil(line.points.length / 8));
    line.points.forEach((p, j) => {
      if (j % step === 0 || j === line.points.length - 1) parts.push(markerShape(style.marker, sx(p[0]), sy(p[1]), `chart-dot ${style.cls}`));
    });
  });
  svg.replaceChildren(...parts);
  const newest = lines.map((l) => `${l.label} ${l.points.length ? fmt(l.points[l.points.length - 1][1]) : "none yet"}`).join(", ");
  svg.setAttribute("aria-label", `${opts.title ?? opts.yLabel ?? "Chart"}: ${newest}`);
}

// A legend in HTML: the same marker and dash as the line, and the label in words.
export function legend(el, labels) {
  el.replaceChildren(...labels.map((label, i) => {
    const style = LINE_STYLES[i % LINE_STYLES.length];
    const item = document.createElement("span");
    item.className = "chart-key";
    const svg = node("svg", { viewBox: "0 0 24 10", width: 24, height: 10, "aria-hidden": "true" });
    svg.append(node("path", { d: "M1,5 L23,5", class: `chart-line ${style.cls}`, "stroke-dasharray": style.dash }),
      markerShape(style.marker, 12, 5, `chart-dot ${style.cls}`));
    item.append(svg, document.createTextNode(` ${label}`));
    return item;
  }));
}
