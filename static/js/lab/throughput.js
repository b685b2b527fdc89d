// The throughput lab's renderer: the chosen Kafka version's defaults and the recipe, run by the
// server on the same records and seed to the same virtual time (app/live/labs/throughput.py),
// drawn side by side with charts, a verdict in words and a table.
import { fmt, legend, lineChart } from "./batching-charts.js";
import { bytes } from "./batching.js";
import { perSecond, soFarNote, windowOrSoFar } from "./sofar.js";

function el(tag, text) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  return n;
}

function measures(run, now) {
  const w = run.window;
  const m = run.metrics;
  const t = run.totals;
  // No finished half second yet: what the run has done so far, said so (sofar.js).
  const note = soFarNote(now);
  const windowed = (text, soFar) => windowOrSoFar(w, text, t.batches ? soFar : null);
  return {
    throughput: [windowed(`${fmt(w.throughput)} records/s`, `${fmt(perSecond(t.records, now))} records/s sent ${note}`), w.throughput],
    "batch-size-avg": [bytes(m["batch-size-avg"]), m["batch-size-avg"]],
    "request-count": [String(m["request-count"]), m["request-count"]],
    "records-per-request-avg": [m["records-per-request-avg"].toFixed(1), m["records-per-request-avg"]],
    wire: [windowed(`${bytes(w.wire_per_sec)}/s`, `${bytes(perSecond(t.wire, now))}/s ${note}`), w.wire_per_sec],
    latency: [windowed(`${w.p50.toFixed(0)} / ${w.p99.toFixed(0)} ms`, `request-latency-avg ${Number(m["request-latency-avg"]).toFixed(0)} ms ${note}`), w.p99],
  };
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const table = q("[data-lab-table] tbody");
  for (const box of root.querySelectorAll("[data-throughput-legend]")) legend(box, ["① defaults", "② recipe"]);
  let verdictSaid = "";

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    const rows = {};
    for (const run of lab.runs) {
      const box = q(`[data-run="${run.name}"]`);
      const c = run.config;
      box.querySelector("[data-run-config]").textContent =
        `Kafka ${lab.version}: compression.type=${c["compression.type"]} · batch.size=${c["batch.size"]} · linger.ms=${c["linger.ms"]} · acks=${c.acks === -1 ? "all" : c.acks}`;
      for (const [k, [text, value]] of Object.entries(measures(run, frame.timeline.now))) {
        const dd = box.querySelector(`[data-run-metric="${k}"]`);
        dd.textContent = text;
        dd.dataset.value = String(value);
        (rows[k] ??= []).push(text);
      }
    }
    const names = { throughput: "Throughput (last 2 s)", "batch-size-avg": "batch-size-avg", "request-count": "Requests sent",
      "records-per-request-avg": "Records per request", wire: "Bytes on the wire (last 2 s)", latency: "Latency p50 / p99" };
    table.replaceChildren(...Object.entries(rows).map(([k, cells]) => {
      const tr = el("tr");
      tr.append(el("th", names[k]), ...cells.map((c) => el("td", c)));
      tr.firstChild.setAttribute("scope", "row");
      return tr;
    }));
    const [d, r] = lab.runs;
    const series = (run, i) => run.series.map((row) => [row[0] / 1000, row[i]]);
    const opts = (title) => ({ title, xLabel: "virtual time (s)", xText: (x) => `${x.toFixed(0)} s` });
    lineChart(q('[data-throughput-chart="throughput"]'), [{ label: "① defaults", points: series(d, 1) }, { label: "② recipe", points: series(r, 1) }], opts("Throughput"));
    lineChart(q('[data-throughput-chart="p99"]'), [{ label: "① defaults", points: series(d, 5) }, { label: "② recipe", points: series(r, 5) }], opts("Latency p99"));
    lineChart(q('[data-throughput-chart="batch"]'), [{ label: "① defaults", points: series(d, 2) }, { label: "② recipe", points: series(r, 2) }], opts("Average batch size"));
    if (d.series.length >= 4) {
      const faster = r.window.throughput > d.window.throughput * 1.02;
      const text = `${faster ? "The recipe keeps up" : "Both keep up"}: ${fmt(r.window.throughput)} against ${fmt(d.window.throughput)} records/s, ` +
        `${bytes(r.window.wire_per_sec)}/s against ${bytes(d.window.wire_per_sec)}/s on the wire, ` +
        `p99 latency ${r.window.p99.toFixed(0)} against ${d.window.p99.toFixed(0)} ms.`;
      q("[data-throughput-verdict]").textContent = text;
      const key = `${lab.version}|${faster}`;
      if (key !== verdictSaid) { ctx.narrate(text); verdictSaid = key; }
    }
  }

  return { events() {}, render, reset() { verdictSaid = ""; q("[data-throughput-verdict]").textContent = ""; } };
}
