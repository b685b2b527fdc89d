// The compression lab's renderer: the batches the simulator compressed (ratio and bytes per
// batch), bytes on the wire, latency, the level slider of the chosen codec only, and the
// comparison of every codec on the same batches (POST /api/labs/compression/compare).
// Every number comes from the server: frame.lab (BatchWatch) or the comparison's answer.
import { legend } from "./batching-charts.js";
import { bytes, drawCharts } from "./batching.js";
import { attachWhatif } from "./whatif.js";
import { perSecond, soFarNote, windowOrSoFar } from "./sofar.js";

const LEVELS = { gzip: "compression.gzip.level", lz4: "compression.lz4.level", zstd: "compression.zstd.level" };
const RUN_TEXT_BYTES = 4096; // app/live/labs/compression.py RUN_TEXT_BYTES: the live run's text travels in every link

function el(tag, attrs = {}, text) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const list = q("[data-compression-batches]");
  const table = q("[data-lab-table] tbody");
  const payloadSelect = q("[data-compare-payload]");
  const textBox = q("[data-compare-text-box]");
  const textArea = q("[data-compare-text]");
  const error = q("[data-compare-error]");
  legend(q('[data-chart-legend="latency"]'), ["p50", "p99"]);
  let settings = {};
  let comparedFor = "";
  let compareSeq = 0;  // only the newest comparison writes the table: an older answer can arrive last
  let codecSaid = "";
  let lastTotals = { records: 0, batches: 0 };
  const whatif = attachWhatif(q("[data-whatif]"), () => settings);

  payloadSelect.addEventListener("change", () => { textBox.hidden = payloadSelect.value !== "text"; });

  async function runCompare() {
    error.textContent = "";
    const payload = payloadSelect.value;
    const text = textArea.value;
    if (payload === "text" && !text.trim()) {
      error.textContent = "Paste some text first: there is nothing to compress.";
      textArea.focus();
      return;
    }
    if (new TextEncoder().encode(text).length > 65536 && payload === "text") {
      error.textContent = "The text is longer than 64 KB; shorten it.";
      return;
    }
    const levels = {};
    for (const [codec, name] of Object.entries(LEVELS)) if (settings[name] !== undefined) levels[codec] = Number(settings[name]);
    const perBatch = lastTotals.batches ? Math.max(1, Math.min(500, Math.round(lastTotals.records / lastTotals.batches))) : 10;
    const body = { payload, records_per_batch: perBatch, levels };
    if (payload === "text") body.text = text;
    q("[data-compare-caption]").textContent = "Comparing…";
    const seq = ++compareSeq;
    try {
      const response = await fetch("/api/labs/compression/compare", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const result = await response.json();
      if (seq !== compareSeq) return;
      if (!response.ok) throw new Error(result.detail ?? response.statusText);
      q("[data-compare-caption]").textContent = `${result.batches} batches of ${result.records_per_batch} ${payload} records ` +
        `(${bytes(result.uncompressed_bytes)} uncompressed), each codec at the level set above`;
      q("[data-compare-table] tbody").replaceChildren(...result.rows.map((r) => {
        const tr = el("tr", { "data-codec": r.codec, "data-ratio": String(r.ratio) });
        if (r.codec === settings["compression.type"]) tr.dataset.current = "";
        for (const c of [`${r.codec === settings["compression.type"] ? "▶ " : ""}${r.codec}`, r.level ?? "–", r.bytes, r.ratio.toFixed(3), r.us_per_batch]) tr.append(el("td", {}, String(c)));
        return tr;
      }));
      q("[data-compare-note]").textContent = result.cpu_note;
      ctx.narrate(`Compared every codec on ${payload} data: ${result.rows.map((r) => `${r.codec} ${r.ratio.toFixed(2)}`).join(", ")}.`);
    } catch (e) {
      if (seq !== compareSeq) return;
      error.textContent = `Not compared: ${e.message}`;
      q("[data-compare-caption]").textContent = "Compressed size of the same batches with each codec";
    }
  }
  q("[data-compare-run]").addEventListener("click", runCompare);

  // The pasted text as the live run's payload: two start settings, text then payload=text (the server checks both).
  q("[data-run-text]").addEventListener("click", () => {
    error.textContent = "";
    const text = textArea.value;
    if (!text.trim()) {
      error.textContent = "Paste some text first: there is nothing to send.";
      textArea.focus();
      return;
    }
    const size = new TextEncoder().encode(text).length;
    if (size > RUN_TEXT_BYTES) {
      error.textContent = `The live run takes at most ${RUN_TEXT_BYTES} bytes of text; this is ${size}. Shorten it.`;
      return;
    }
    if (settings.text !== text) ctx.send("set_config", { name: "text", value: text });
    if (settings.payload !== "text") ctx.send("set_config", { name: "payload", value: "text" });
  });

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    settings = frame.settings;
    whatif?.current(settings);
    const codec = settings["compression.type"];
    for (const [c, name] of Object.entries(LEVELS)) {
      const row = root.querySelector(`[data-lab-setting="${name}"]`);
      if (row) row.hidden = c !== codec;
    }
    lastTotals = lab.totals;
    const level = LEVELS[codec] ? ` · ${LEVELS[codec]}=${settings[LEVELS[codec]]}` : "";
    q("[data-pl-config]").textContent = `Producer: compression.type=${codec}${level} · payload: ${settings.payload} values of 200 bytes`;
    const w = lab.window;
    // Before a first half second has finished: the run so far, said so (sofar.js).
    const t = lab.totals;
    const now = frame.timeline.now;
    const note = soFarNote(now);
    const put = (k, text, value, soFar) => {
      const d = q(`[data-pl-metric="${k}"]`);
      d.textContent = windowOrSoFar(w, text, t.batches ? soFar : null);
      d.dataset.value = String(value);
      d.dataset.measured = String(Boolean(w.measured));
    };
    put("ratio", w.ratio.toFixed(3), w.ratio, `${t.raw ? (t.wire / t.raw).toFixed(3) : "–"} ${note}`);
    put("wire_per_sec", `${bytes(w.wire_per_sec)}/s`, w.wire_per_sec, `${bytes(perSecond(t.wire, now))}/s ${note}`);
    put("throughput", `${Math.round(w.throughput)} records/s`, w.throughput, `${Math.round(perSecond(frame.ledger.acked, now))} records/s ${note}`);
    put("latency", `${w.p50.toFixed(1)} / ${w.p99.toFixed(1)} ms`, w.p99, `request-latency-avg ${Number(frame.metrics["request-latency-avg"]).toFixed(1)} ms ${note}`);
    q("[data-compression-totals]").textContent = `Whole run: ${bytes(t.raw)} of records became ${bytes(t.wire)} on the wire ` +
      `(${t.raw ? ((1 - t.wire / t.raw) * 100).toFixed(0) : 0}% saved, ratio ${t.raw ? (t.wire / t.raw).toFixed(3) : "–"}).`;
    const sent = lab.departed.filter((d) => d.bytes !== undefined).slice(-8).reverse();
    list.replaceChildren(...sent.map((d) => {
      const li = el("li", { "data-ratio": String(d.ratio) });
      li.append(el("span", {}, `#${d.batch} · partition ${d.partition} · ${d.records} records · ${bytes(d.uncompressed)} → ${bytes(d.bytes)} · ratio ${d.ratio.toFixed(3)}`));
      const bar = el("div", { class: "compression-bar", "aria-hidden": "true" });
      bar.style.setProperty("--fill", `${Math.min(100, (d.bytes / Math.max(d.uncompressed, 1)) * 100).toFixed(1)}%`);
      li.append(bar);
      return li;
    }));
    table.replaceChildren(...sent.map((d) => {
      const tr = el("tr");
      for (const c of [`#${d.batch}`, d.partition, d.records, d.uncompressed, d.bytes, d.ratio.toFixed(3)]) tr.append(el("td", {}, String(c)));
      return tr;
    }));
    drawCharts(root, lab.series, ctx.animate());
    const key = `${settings.payload}|${codec}|${settings[LEVELS[codec]] ?? ""}`;
    if (key !== comparedFor && lab.totals.batches) {
      comparedFor = key;
      if (settings.payload === "text" && !textArea.value) textArea.value = settings.text;  // a link's text
      if (payloadSelect.value !== "text") payloadSelect.value = settings.payload;
      textBox.hidden = payloadSelect.value !== "text";
      runCompare();
    }
    const newest = sent[0];
    if (codec !== codecSaid && newest && newest.t > (frame.timeline.marks.at(-1)?.[0] ?? 0)) {
      ctx.narrate(`compression.type=${codec}: the newest batch went out at ratio ${newest.ratio.toFixed(2)} of its size.`);
      codecSaid = codec;
    }
  }

  return { events() {}, render, reset() { comparedFor = ""; } };
}
