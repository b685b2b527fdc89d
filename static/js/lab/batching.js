// The batching lab's renderer: each partition's batches filling against batch.size with
// their linger timer, the batches that left labelled with the simulator's reason, live
// charts of throughput, batch size, records per request and latency, narration and a table.
// Everything drawn comes from frame.lab (app/live/labs/batching.py: BatchWatch).
import { fmt, legend, lineChart } from "./batching-charts.js";
import { attachWhatif } from "./whatif.js";
import { perSecond, soFarNote, windowOrSoFar } from "./sofar.js";

const REASONS = {
  full: "▮ full: batch.size reached",
  linger: "◷ linger.ms ran out",
  flush: "⇥ flush()",
  close: "⏏ the old producer closed: close() sends what it holds",
  drained: "↭ rode along with a ready batch to the same broker",
  exhausted: "⚠ buffer.memory exhausted",
};

function el(tag, attrs = {}, text) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

export function bytes(n) {
  return n >= 1024 ? `${(n / 1024).toFixed(n >= 10240 ? 0 : 1)} KB` : `${Math.round(n)} B`;
}

export function drawMetrics(root, lab, metrics, frame) {
  const w = lab.window;
  // Before the first half second has finished there is no window yet: the run so far, said so, rather than 0.
  const now = frame.timeline.now;
  const sent = metrics["request-count"] > 0;
  const note = soFarNote(now);
  const put = (k, text, soFar) => {
    const d = root.querySelector(`[data-pl-metric="${k}"]`);
    if (!d) return;
    d.textContent = windowOrSoFar(w, text, sent ? soFar : null);
    d.dataset.value = String(k === "latency" ? w.p99 : w[k]);
    d.dataset.measured = String(Boolean(w.measured));
  };
  put("throughput", `${fmt(w.throughput)} records/s`, `${fmt(perSecond(frame.ledger.acked, now))} records/s ${note}`);
  put("batch_size_avg", `${Math.round(w.batch_size_avg)} B`, `${Math.round(metrics["batch-size-avg"])} B ${note}`);
  put("records_per_request", w.records_per_request.toFixed(1), `${Number(metrics["records-per-request-avg"]).toFixed(1)} ${note}`);
  put("latency", `${w.p50.toFixed(1)} / ${w.p99.toFixed(1)} ms`, `request-latency-avg ${Number(metrics["request-latency-avg"]).toFixed(1)} ms ${note}`);
  const runavg = root.querySelector("[data-pl-runavg]");
  if (runavg) runavg.textContent = `Whole run (Kafka's metrics): batch-size-avg ${metrics["batch-size-avg"]} B · records-per-request-avg ${metrics["records-per-request-avg"]} · request-latency-avg ${metrics["request-latency-avg"]} ms`;
}

export function drawCharts(root, series, animate) {
  const col = (i) => series.map((r) => [r[0] / 1000, r[i]]);
  const opts = (title) => ({ title, xLabel: "virtual time (s)", xText: (x) => `${x.toFixed(0)} s`, empty: "no data yet: a point per half second of virtual time" });
  const chart = (name) => root.querySelector(`[data-chart="${name}"]`);
  if (chart("throughput")) lineChart(chart("throughput"), [{ label: "records/s", points: col(1) }], opts("Throughput"));
  if (chart("batch")) lineChart(chart("batch"), [{ label: "bytes", points: col(2) }], opts("Average batch size"));
  if (chart("rpr")) lineChart(chart("rpr"), [{ label: "records", points: col(3) }], opts("Records per request"));
  if (chart("latency")) lineChart(chart("latency"), [{ label: "p50", points: col(4) }, { label: "p99", points: col(5) }], opts("Latency"));
  if (chart("ratio")) lineChart(chart("ratio"), [{ label: "ratio", points: col(6) }], opts("Compression ratio"));
  root.dataset.chartPoints = String(series.length);
  void animate;
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const parts = q("[data-batching-partitions]");
  const departed = q("[data-batching-departed]");
  const table = q("[data-lab-table] tbody");
  legend(q('[data-chart-legend="latency"]'), ["p50", "p99"]);
  let settings = {};
  const whatif = attachWhatif(q("[data-whatif]"), () => settings);
  let lastSaid = 0;
  q("[data-batching-flush]").addEventListener("click", () => ctx.send("fault", { action: "flush", broker: null }));
  let saidTotals = null; // lab.reasons when the last count was said (null: not since the run jumped)

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    settings = frame.settings;
    whatif?.current(settings);
    const { config } = lab;
    q("[data-pl-config]").textContent = `Producer: batch.size=${config["batch.size"]} · linger.ms=${config["linger.ms"]} · compression.type=${config["compression.type"]}`;
    drawMetrics(root, lab, frame.metrics, frame);
    const rows = [];
    parts.replaceChildren(...lab.partitions.map((p) => {
      const row = el("div", { class: "batching-partition", "data-partition": String(p.partition) });
      row.append(el("h4", {}, `Partition ${p.partition}`));
      const queue = el("div", { class: "batching-queue" });
      if (!p.batches.length) queue.append(el("span", { class: "batching-empty" }, "no batch open"));
      for (const b of p.batches) {
        const fill = Math.min(1, b.bytes / config["batch.size"]);
        const waited = config["linger.ms"] ? Math.min(1, b.age_ms / config["linger.ms"]) : 1;
        const box = el("div", { class: "batching-batch", "data-full": String(b.full), "data-records": String(b.records) });
        const bar = el("div", { class: "batching-fill", "aria-hidden": "true" });
        bar.style.setProperty("--fill", `${(fill * 100).toFixed(1)}%`);
        const timer = el("div", { class: "batching-timer", "aria-hidden": "true" });
        timer.style.setProperty("--fill", `${(waited * 100).toFixed(1)}%`);
        box.append(bar, el("span", { class: "batching-label" }, `#${b.batch} · ${b.records} record${b.records === 1 ? "" : "s"} · ${bytes(b.bytes)} of ${bytes(config["batch.size"])}${b.full ? " · ▮ full" : ""}`),
          timer, el("span", { class: "batching-label" }, `◷ ${b.age_ms.toFixed(0)} of ${config["linger.ms"]} ms`));
        queue.append(box);
        rows.push([p.partition, `#${b.batch}`, b.records, `${b.bytes} of ${config["batch.size"]}`, `${b.age_ms.toFixed(0)} of ${config["linger.ms"]} ms`, b.full ? "yes" : "no"]);
      }
      row.append(queue);
      return row;
    }));
    table.replaceChildren(...(rows.length ? rows : [["–", "no batch open", "", "", "", ""]]).map((cells) => {
      const tr = el("tr");
      for (const c of cells) tr.append(el("td", {}, String(c)));
      return tr;
    }));
    departed.replaceChildren(...lab.departed.slice().reverse().filter((d) => d.reason).slice(0, 8).map((d) => {
      const li = el("li", { "data-reason": d.reason });
      li.textContent = `#${d.batch} · partition ${d.partition} · ${d.records ?? "?"} record${d.records === 1 ? "" : "s"} · ${d.bytes !== undefined ? bytes(d.bytes) : "…"} — ${REASONS[d.reason] ?? d.reason}`;
      return li;
    }));
    q("[data-batching-reasons]").textContent = "So far: " + (Object.entries(lab.reasons).map(([r, n]) => `${r} ${n}`).join(" · ") || "no batch sent yet");
    drawCharts(root, lab.series, ctx.animate());
    root.dataset.batchSizeAvg = String(lab.window.batch_size_avg);
  }

  function events(list, frame) {
    let flushed = 0;
    let closed = 0;
    for (const e of list) {
      if (e.kind !== "batch.ready") continue;
      if (e.reason === "flush") flushed += 1;
      else if (e.reason === "close") closed += 1;
    }
    if (flushed) ctx.narrate(`flush(): ${flushed} batch${flushed > 1 ? "es" : ""} sent at once, before linger.ms ran out.`);
    if (closed) ctx.narrate(`The old producer closed: close() sent its ${closed} open batch${closed > 1 ? "es" : ""} at once; the new producer starts empty.`);
    // Every few seconds, how many batches left since the last count and why: differences of the
    // server's exact totals (events may be coalesced on a busy page, the totals never are).
    const totals = frame.lab?.reasons;
    if (!totals) return;
    const now = performance.now();
    if (!saidTotals) {
      saidTotals = { ...totals };
      lastSaid = now;
      return;
    }
    if (now - lastSaid <= 5000) return;
    const since = Object.entries(totals).map(([r, n]) => [r, n - (saidTotals[r] ?? 0)]).filter(([, n]) => n > 0);
    const sum = since.reduce((a, [, n]) => a + n, 0);
    if (sum) ctx.narrate(`${sum} batch${sum > 1 ? "es" : ""} sent since the last count (${since.map(([r, n]) => `${n} ${r}`).join(", ")}).`, { routine: true });
    saidTotals = { ...totals };
    lastSaid = now;
  }

  return { events, render, reset() { saidTotals = null; } };
}
