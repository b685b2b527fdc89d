// The partitioning lab's renderer. The server computes every number: a typed key's bytes, murmur2, toPositive
// and partition and other clients' partitions (POST /api/labs/partitioning/key, app.sim.murmur2); the null-key
// comparison (GET /api/labs/partitioning/null-keys, three simulator runs); and the live run's record.sent
// events say where the producer put each key. The page only draws them.
import { attachByteLimit } from "./textlimit.js";

const CHIPS = 6; // keys shown per partition column: the newest

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function row(cells, header = 0) {
  const tr = el("tr");
  cells.forEach((c, i) => {
    const cell = i < header ? el("th", { scope: "row" }, String(c)) : el("td", {}, String(c));
    tr.append(cell);
  });
  return tr;
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) {
    const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg.replace(/^Value error, /, "")).join("; ") : body.detail;
    throw new Error(detail);
  }
  return body;
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const input = q("[data-key-input]");
  const keyBox = q("[data-part-key]");
  const error = q("[data-key-error]");
  const columns = q("[data-part-columns]");
  const keysTable = q("[data-keys-table] tbody");
  const moves = q("[data-part-moves]");
  const nullRuns = q("[data-null-runs]");
  let partitions = null;
  let previous = null;
  let generated = null;
  let placed = {}; // key -> partition, from the simulator's record.sent events
  let perPartition = [];
  let typed = 0;
  // MAX_KEY_BYTES (app/live/labs/partitioning.py), stated beside the box and counted as one types.
  const limit = attachByteLimit(input, q("[data-key-count]"));

  function refuse(message) {
    error.hidden = false;
    error.textContent = `Not hashed: ${message}`;
    keyBox.dataset.error = "true";
  }

  async function explain(announce = false) {
    if (partitions === null) return;
    const asked = ++typed;
    const key = input.value;
    const tooLong = limit.problem("key");
    if (tooLong) {
      refuse(tooLong);
      return;
    }
    try {
      const answer = await getJSON("/api/labs/partitioning/key", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ key, partitions, previous }),
      });
      if (asked !== typed) return;
      error.hidden = true;
      keyBox.dataset.error = "false";
      drawKey(answer.key);
      if (announce) ctx.narrate(`Key "${answer.key.key}": murmur2 ${answer.key.murmur2}, toPositive ${answer.key.to_positive}, partition ${answer.key.partition} of ${partitions}.`);
      generated = answer.generated;
      drawKeys();
    } catch (e) {
      if (asked !== typed) return;
      refuse(e.message);
    }
  }

  function drawKey(k) {
    keyBox.dataset.key = k.key;
    q("[data-key-bytes]").textContent = k.length ? `${k.bytes_hex} (${k.length} byte${k.length > 1 ? "s" : ""})` : "(empty: 0 bytes, hashed like any key)";
    q("[data-key-murmur2]").textContent = String(k.murmur2);
    q("[data-key-positive]").textContent = String(k.to_positive);
    q("[data-key-modulo]").textContent = `${k.to_positive} % ${k.partitions} = ${k.partition}`;
    const result = q("[data-key-partition]");
    result.textContent = `partition ${k.partition} of ${k.partitions}`;
    result.dataset.partition = String(k.partition);
    const notes = [];
    if (k.murmur2 < 0 && k.abs_partition !== k.partition) notes.push(`murmur2 is negative: abs(murmur2) % ${k.partitions} would give partition ${k.abs_partition}, not ${k.partition}. Kafka clears the sign bit instead.`);
    if (k.previous && k.previous !== k.partitions) notes.push(`With ${k.previous} partitions this key went to partition ${k.previous_partition}${k.previous_partition === k.partition ? " too" : ": it moved"}.`);
    q("[data-key-note]").textContent = notes.join(" ");
    q("[data-key-clients] tbody").replaceChildren(
      row(["Java client (Kafka's own)", "murmur2", k.partition, "—"], 1),
      ...k.others.map((o) => row([o.label, o.hash, o.partition, o.same ? "✓ same" : "✕ different: the key is split"], 1)),
    );
  }

  function drawKeys() {
    if (!generated) return;
    const g = generated;
    const changed = g.previous !== g.partitions;
    q("[data-col-previous]").textContent = `Before (${g.previous} partitions)`;
    q("[data-col-now]").textContent = `Now (${g.partitions} partitions)`;
    moves.dataset.moved = String(g.moved);
    moves.dataset.from = String(g.previous);
    moves.dataset.to = String(g.partitions);
    q("[data-moved-text]").textContent = changed
      ? `From ${g.previous} to ${g.partitions} partitions: ${g.moved} of ${g.total} generated keys moved (${Math.round((100 * g.moved) / g.total)}%); ` +
        `over key-0 … key-${g.sample_total - 1}: ${g.sample_moved} of ${g.sample_total} (${((100 * g.sample_moved) / g.sample_total).toFixed(1)}%). ` +
        (g.partitions > g.previous
          ? "Added to a live topic (kafka-topics.sh --alter --partitions), the records already written stay where they are, " +
            "and a moved key's next records go to its new partition: a consumer can read them before the key's older ones."
          : "Kafka cannot take partitions away; this compares with a topic created with fewer partitions.")
      : "Change “partitions” above to see which keys move.";
    keysTable.replaceChildren(...g.keys.map((k) => {
      const tr = row([k.key, k.murmur2, k.previous_partition, k.partition, k.moved ? "↪ moved" : "stays",
        placed[k.key] ?? "not sent yet", k.others.librdkafka, k.others.sarama, k.others.murmur3], 1);
      tr.dataset.key = k.key;
      tr.dataset.moved = String(k.moved);
      return tr;
    }));
    q("[data-split-text]").textContent = `Other clients on the same topic would put these keys elsewhere: librdkafka ${g.split.librdkafka}, ` +
      `Sarama ${g.split.sarama}, murmur3 ${g.split.murmur3} of ${g.total} keys. Records of one key from two such producers land in two partitions.`;
  }

  async function loadNullKeys() {
    const n = partitions;
    try {
      const runs = await getJSON(`/api/labs/partitioning/null-keys?partitions=${n}`);
      if (n !== partitions) return;
      nullRuns.dataset.partitions = String(n);
      nullRuns.replaceChildren(...runs.map((r) => {
        const box = el("section", { class: "part-null-run", "data-strategy": r.strategy, "aria-label": `${r.versions}: ${r.name}` });
        box.append(el("h4", {}, `${r.versions}: ${r.name}`), el("p", { class: "part-how" }, r.how));
        const strip = el("ol", { class: "part-strip", "aria-label": `Partitions of the first ${r.first.length} records` });
        for (const p of r.first) strip.append(el("li", { "data-p": String(p % 8) }, String(p)));
        const max = Math.max(...r.per_partition, 1);
        const bars = el("ul", { class: "part-bars", "aria-label": "Records per partition" });
        r.per_partition.forEach((c, p) => {
          const li = el("li");
          const bar = el("span", { class: "part-bar" });
          bar.style.width = `${(100 * c) / max}%`;
          li.append(el("span", { class: "part-bar-label" }, `P${p}`), bar, el("span", { class: "part-bar-count" }, String(c)));
          bars.append(li);
        });
        box.append(strip, bars, el("p", { class: "part-batches" },
          `${r.batches} batches · records per batch: ${r.records_per_batch} · batch-size-avg: ${Math.round(r.batch_size_avg)} bytes`));
        return box;
      }));
    } catch (e) {
      nullRuns.replaceChildren(el("p", {}, `The comparison did not run: ${e.message}`));
    }
  }

  function buildColumns(n) {
    perPartition = Array.from({ length: n }, () => ({ count: 0, keys: [] }));
    columns.replaceChildren(...perPartition.map((_, p) => {
      const col = el("div", { class: "part-column", "data-partition": String(p) });
      col.append(el("h4", {}, `Partition ${p}`), el("p", { class: "part-count", "data-count": "" }, "0 records"), el("ol", { class: "part-chips" }));
      return col;
    }));
  }

  function drawColumns() {
    perPartition.forEach((c, p) => {
      const col = columns.children[p];
      col.querySelector("[data-count]").textContent = `${c.count} record${c.count === 1 ? "" : "s"}`;
      col.querySelector(".part-chips").replaceChildren(...c.keys.map((k) => el("li", {}, k)));
    });
  }

  function setPartitions(n) {
    if (n === partitions) return;
    if (partitions !== null) {
      previous = partitions;
      ctx.narrate(`The topic now has ${n} partitions (it had ${previous}).`);
    }
    partitions = n;
    buildColumns(n);
    placed = {};
    explain();
    loadNullKeys();
  }

  q("[data-key-form]").addEventListener("submit", (e) => { e.preventDefault(); explain(true); });
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(explain, 150); });

  return {
    events(list) {
      for (const e of list) {
        if (e.kind !== "record.sent" || e.key === null || !perPartition[e.partition]) continue;
        const c = perPartition[e.partition];
        c.count += 1;
        c.keys = [e.key, ...c.keys].slice(0, CHIPS);
        if (placed[e.key] === undefined) {
          placed[e.key] = e.partition;
          if (Object.keys(placed).length === generated?.total) ctx.narrate(`Every generated key has been sent: each went to the partition its murmur2 gives.`);
        }
      }
    },
    render(frame) {
      setPartitions(Number(frame.settings.partitions));
      drawColumns();
      for (const tr of keysTable.children) {
        const cell = tr.children[5];
        const p = placed[tr.dataset.key];
        const text = p === undefined ? "not sent yet" : String(p);
        if (cell && cell.textContent !== text) cell.textContent = text;
      }
    },
    reset(frame) {
      placed = {};
      const n = Number(frame.settings.partitions);
      if (n !== partitions) setPartitions(n);
      else buildColumns(n);
    },
  };
}
