// What-if curves: asks the server to run the lab's simulation fast over the range of one
// setting (GET /api/labs/<lab>/whatif, app/live/labs/whatif.py) with the other settings
// as they are now, then plots throughput and latency against it, marking the current value,
// with the same numbers in a table. Nothing is computed here but the drawing.
import { fmt, legend, lineChart } from "./batching-charts.js";

function cell(tr, text) {
  const td = document.createElement("td");
  td.textContent = text;
  tr.append(td);
}

// box: a [data-whatif] section (templates/_lab_whatif.html); settings(): the lab's settings now.
export function attachWhatif(box, settings) {
  if (!box) return null;
  const q = (sel) => box.querySelector(sel);
  const status = q("[data-whatif-status]");
  const select = q("[data-whatif-setting]");
  const lab = box.dataset.whatifLab;
  legend(q("[data-whatif-legend]"), ["p50", "p99"]);
  let now = {};

  function draw(result) {
    const pts = result.points;
    const numeric = pts.every((p) => typeof p.value === "number" || /^-?\d+$/.test(String(p.value)));
    const xs = pts.map((p, i) => (numeric ? Number(p.value) : i));
    const xText = numeric ? (x) => fmt(x) : (x) => String(pts[Math.round(x)]?.value ?? "");
    const currentIndex = pts.findIndex((p) => String(p.value) === String(result.current));
    const mark = numeric ? Number(result.current) : currentIndex >= 0 ? currentIndex : undefined;
    const opts = { xLabel: result.setting, xText, mark, logX: numeric && result.setting === "batch.size" };
    lineChart(q('[data-whatif-chart="throughput"]'), [{ label: "records/s", points: pts.map((p, i) => [xs[i], p.throughput]) }],
      { ...opts, title: `Throughput against ${result.setting}` });
    lineChart(q('[data-whatif-chart="latency"]'), [{ label: "p50", points: pts.map((p, i) => [xs[i], p.p50]) },
      { label: "p99", points: pts.map((p, i) => [xs[i], p.p99]) }], { ...opts, title: `Latency against ${result.setting}` });
    lineChart(q('[data-whatif-chart="wire"]'), [{ label: "bytes", points: pts.map((p, i) => [xs[i], p.wire_bytes]) }],
      { ...opts, title: `Bytes on the wire against ${result.setting}` });
    q("[data-whatif-table] tbody").replaceChildren(...pts.map((p) => {
      const tr = document.createElement("tr");
      const current = String(p.value) === String(result.current);
      if (current) tr.dataset.current = "";
      cell(tr, `${current ? "▼ " : ""}${result.setting}=${p.value}${current ? " (now)" : ""}`);
      for (const v of [p.throughput, p.p50, p.p99, p["batch-size-avg"], p["request-count"], p.wire_bytes, p.failed]) cell(tr, String(v));
      return tr;
    }));
    q("[data-whatif-charts]").hidden = false;
    box.dataset.whatifPoints = String(pts.length);
    status.textContent = `${pts.length} runs of ${result.run_ms / 1000} s of virtual time each, seed ${result.seed}` +
      `${result.truncated ? "; stopped early to keep the server responsive" : ""}.`;
  }

  async function run() {
    const params = new URLSearchParams({ setting: select.value });
    for (const [k, v] of Object.entries(now)) if (v !== "") params.set(k, String(v));  // an unset text setting
    status.textContent = `Running the simulation over ${select.value}…`;
    box.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`/api/labs/${lab}/whatif?${params}`);
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail ?? response.statusText);
      draw(body);
    } catch (error) {
      status.textContent = `Not done: ${error.message}`;
    } finally {
      box.removeAttribute("aria-busy");
    }
  }

  q("[data-whatif-run]").addEventListener("click", run);
  return {
    current(values) { now = { ...settings(), ...values }; },
    run,
  };
}
