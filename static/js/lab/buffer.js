// The buffer lab's renderer: send() and how long it has been blocked against max.block.ms, the BufferPool
// gauge (buffer-available-bytes of buffer.memory, one slot per batch.size buffer), the batches holding the
// buffers per partition, the broker with its slow-down buttons, the exceptions send() returned, the metrics,
// a state table, and narration of the moments that matter. Everything drawn comes from frame.state.buffer,
// frame.metrics and frame.ledger (the simulator); nothing is computed here that the simulator decides.
const MAX_SLOTS = 128; // more buffers than this (32 MiB / 16 KiB = 2048) are drawn as the gauge alone

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const bytes = (n) => `${Number(n).toLocaleString("en")} bytes`;
const pct = (part, whole) => (whole ? Math.round((100 * part) / whole) : 0);

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const sendBox = q("[data-buffer-send]");
  const pool = q("[data-buffer-pool]");
  const gauge = q("[data-gauge]");
  const slots = q("[data-slots]");
  const partitions = q("[data-partitions]");
  const brokers = q("[data-brokers]");
  const errors = q("[data-buffer-errors]");
  const exception = q("[data-exception]");
  const table = q("[data-lab-table] tbody");
  let builtBrokers = "";
  let wasFull = false;
  let wasBlocked = false;

  brokers.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (button) ctx.send("fault", { action: button.dataset.fault, broker: Number(button.dataset.faultBroker) });
  });

  function buildBrokers(state) {
    brokers.replaceChildren(...state.brokers.map((b) => {
      const card = el("div", { class: "buffer-broker-card", "data-broker": String(b.broker) });
      card.append(el("h4", {}, `Broker ${b.broker}`), el("p", { class: "buffer-broker-state", "data-broker-state": "" }));
      const slow = el("button", { type: "button", "data-fault": "slow_broker", "data-fault-broker": String(b.broker) }, `Slow down broker ${b.broker}`);
      const restore = el("button", { type: "button", "data-fault": "restore_broker", "data-fault-broker": String(b.broker) }, `Restore broker ${b.broker}'s speed`);
      const buttons = el("div", { class: "buffer-fault-buttons" });
      buttons.append(slow, restore);
      card.append(buttons);
      return card;
    }));
    builtBrokers = String(state.brokers.length);
  }

  function drawSlots(buf) {
    const count = Math.round(buf.total / buf.batch_size);
    slots.hidden = count > MAX_SLOTS;
    if (slots.hidden) return;
    if (slots.children.length !== count) slots.replaceChildren(...Array.from({ length: count }, () => el("span", { class: "buffer-slot" })));
    const inFlight = buf.partitions.reduce((s, p) => s + p.in_flight, 0);
    const used = Math.round((buf.total - buf.available) / buf.batch_size);
    for (let i = 0; i < count; i++) {
      slots.children[i].dataset.slot = i < Math.min(inFlight, used) ? "in-flight" : i < used ? "queued" : "free";
    }
  }

  function render(frame) {
    const { state, metrics, ledger } = frame;
    const buf = state.buffer;
    if (builtBrokers !== String(state.brokers.length)) buildBrokers(state);

    // send(): returning at once, or blocked since t against max.block.ms.
    const blocked = buf.blocked_since !== null;
    const waited = blocked ? Math.max(0, state.now - buf.blocked_since) : 0;
    sendBox.dataset.blocked = String(blocked);
    q("[data-send-state]").textContent = blocked
      ? `‖ send() is blocked: it needs ${bytes(buf.blocked_bytes)} and no buffer is free. Waited ${(waited / 1000).toFixed(1)} s of max.block.ms=${buf.max_block_ms}.`
      : "▶ send() returns at once: the record went into a batch.";
    q("[data-block-fill]").style.width = `${blocked ? Math.min(100, pct(waited, buf.max_block_ms)) : 0}%`;
    const blocks = frame.totals["record.blocked"] ?? 0;
    q("[data-send-waiting]").textContent = (buf.waiting_sends > 1
      ? `${buf.waiting_sends - 1} more send() calls wait behind it (the application thread is stuck). ` : "") +
      (blocks ? `send() has blocked ${blocks} time${blocks > 1 ? "s" : ""} so far (record.blocked).` : "");

    // The pool.
    const used = buf.total - buf.available;
    const full = buf.available < buf.batch_size;
    pool.dataset.full = String(full);
    pool.dataset.available = String(buf.available);
    gauge.setAttribute("aria-valuemax", String(buf.total));
    gauge.setAttribute("aria-valuenow", String(used));
    gauge.setAttribute("aria-valuetext", `${pct(used, buf.total)}% used${full ? ", full" : ""}`);
    q("[data-gauge-fill]").style.width = `${pct(used, buf.total)}%`;
    q("[data-gauge-text]").textContent = `${full ? "■ FULL: " : ""}buffer-available-bytes ${bytes(buf.available)} of buffer.memory ` +
      `${bytes(buf.total)} (${pct(used, buf.total)}% used: ${Math.round(used / buf.batch_size)} of ${Math.round(buf.total / buf.batch_size)} buffers of batch.size ${buf.batch_size})`;
    drawSlots(buf);
    partitions.replaceChildren(...buf.partitions.map((p) => el("li", { "data-partition": String(p.partition) },
      `Partition ${p.partition}: ${p.queued} queued ▮, ${p.in_flight} in flight ▨, holding ${bytes(p.bytes)}`)));

    // The broker(s).
    for (const b of state.brokers) {
      const card = brokers.querySelector(`[data-broker="${b.broker}"]`);
      const extra = buf.slow_brokers[String(b.broker)] ?? 0;
      card.dataset.state = extra ? "slow" : "normal";
      card.querySelector("[data-broker-state]").textContent = extra
        ? `▼ slowed: +${extra} ms each way; a produce request is answered in about ${Math.round((2 * extra) / 1000)} s`
        : "▲ normal speed: answers in milliseconds";
      card.querySelector('[data-fault="slow_broker"]').disabled = Boolean(extra);
      card.querySelector('[data-fault="restore_broker"]').disabled = !extra;
    }

    // What send() returned.
    const failed = Object.entries(ledger.failed);
    errors.querySelector('[data-ledger="acked"]').textContent = String(ledger.acked);
    errors.querySelector('[data-ledger="pending"]').textContent = String(ledger.pending);
    errors.querySelector('[data-ledger="failed"]').textContent = failed.length ? failed.map(([n, c]) => `${n}: ${c}`).join(", ") : "none";
    errors.dataset.exhausted = String(ledger.failed.BufferExhaustedException ?? 0);
    errors.querySelector('[data-metric="bufferpool-wait-ratio"]').textContent = Number(metrics["bufferpool-wait-ratio"]).toFixed(3);
    errors.querySelector('[data-metric="request-latency-avg"]').textContent = `${Math.round(metrics["request-latency-avg"])} ms`;

    const rows = [
      ["buffer.memory", bytes(buf.total)], ["buffer-available-bytes", bytes(buf.available)], ["buffer full", full ? "yes" : "no"],
      ["batch.size", bytes(buf.batch_size)], ["max.block.ms", String(buf.max_block_ms)],
      ["send() blocked", blocked ? `yes, for ${Math.round(waited)} ms` : "no"], ["send() calls waiting", String(buf.waiting_sends)],
      ...buf.partitions.map((p) => [`partition ${p.partition} batches`, `${p.queued} queued, ${p.in_flight} in flight (${bytes(p.bytes)})`]),
      ...state.brokers.map((b) => [`broker ${b.broker}`, buf.slow_brokers[String(b.broker)] ? `slowed, +${buf.slow_brokers[String(b.broker)]} ms each way` : "normal"]),
      ["bufferpool-wait-ratio", Number(metrics["bufferpool-wait-ratio"]).toFixed(3)],
      ["BufferExhaustedException", String(ledger.failed.BufferExhaustedException ?? 0)],
    ];
    table.replaceChildren(...rows.map(([k, v]) => {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, k), el("td", {}, v));
      return tr;
    }));

    if (full && !wasFull) ctx.narrate(`The buffer is full: all ${bytes(buf.total)} of buffer.memory are held by batches that have not completed.`);
    // Once per episode: while the buffer stays full, send() blocks and resumes every few seconds.
    if (blocked && !wasBlocked) ctx.narrate(`send() blocked, waiting for a free buffer for at most max.block.ms=${buf.max_block_ms}.`);
    wasFull = full;
    wasBlocked = blocked || (wasBlocked && full);
  }

  function events(list) {
    for (const e of list) {
      if (e.kind === "buffer.exhausted") {
        exception.hidden = false;
        exception.textContent = `✕ At ${(e.t / 1000).toFixed(2)} s send() failed: org.apache.kafka.clients.producer.BufferExhaustedException: ${e.message}`;
        ctx.narrate(`BufferExhaustedException: ${e.message}`);
      } else if (e.kind === "network.latency") {
        ctx.narrate(e.extra_ms ? `Broker ${e.broker} slowed down: ${e.extra_ms} ms added each way.` : `Broker ${e.broker} is back to normal speed.`);
      }
    }
  }

  return {
    events,
    render,
    reset() {
      exception.hidden = true;
      exception.textContent = "";
      wasFull = false;
      wasBlocked = false;
    },
  };
}
