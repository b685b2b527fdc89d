// The retries lab's renderer (the idempotence lab uses it too): the producer's settings, fault
// buttons aimed at the partition's leader, the ledger, and the partition as a consumer reads it:
// committed records in offset order, each marked when it is reordered (⇄), a duplicate (✕✕) or
// from a retried batch (↻), with a list of the flagged records and of the broker's answers.
const ACKS = { "-1": "all", 0: "0", 1: "1" };
const MAX_INT = 2147483647;
const LIST = 8; // newest entries shown in each list

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function answerText(a) {
  switch (a.kind) {
    case "produce.error": return `Broker ${a.broker} answered ${a.error} for batch ${a.batch}: not appended.`;
    case "record.retried": return `Producer retries batch ${a.batch} (${a.error}), attempt ${a.attempt + 1}, after ${Math.round(a.backoff_ms)} ms.`;
    case "response.dropped": return a.reason === "connection broken"
      ? `Broker ${a.broker} appended request ${a.request}, but its response went down the same broken connection and was lost too.`
      : `Broker ${a.broker} appended request ${a.request}, but its response was lost.`;
    case "request.timeout": return `Request ${a.request} to broker ${a.broker} timed out after ${a.timeout_ms} ms; its batches will be retried.`;
    case "duplicate.rejected": return `Broker ${a.broker} recognised producer ${a.producer_id}, sequence ${a.base_sequence} as a retry: ` +
      `not appended again, answered with the first copy's offset ${a.offset}.`;
    default: return a.kind;
  }
}

function recordLabel(r) {
  const marks = [];
  if (r.reordered) marks.push("⇄ reordered");
  if (r.duplicate) marks.push("✕✕ duplicate");
  if (r.attempts > 1) marks.push(`↻ ${r.attempts} attempts`);
  return marks;
}

export function createLogRenderer(root, ctx, { sequences = false } = {}) {
  const q = (sel) => root.querySelector(sel);
  const producerBox = q("[data-rlab-producer]");
  const faultsBox = q("[data-rlab-faults]");
  const ledgerBox = q("[data-rlab-ledger]");
  const logBox = q("[data-rlab-log]");
  const flaggedBox = q("[data-rlab-flagged]");
  const answersBox = q("[data-rlab-answers]");
  const aroundBox = q("[data-rlab-around]");
  const table = q("[data-lab-table] tbody");
  let leader = -1;
  let said = { reordered: 0, duplicated: 0 };

  faultsBox.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (!button || leader < 0) return;
    ctx.send("fault", { action: button.dataset.fault, broker: leader });
    ctx.narrate(`${button.textContent.trim()}: on broker ${leader}, the leader.`);
  });

  function renderProducer(lab) {
    const c = lab.producer.config;
    const parts = [`acks=${ACKS[c.acks]}`, `enable.idempotence=${c["enable.idempotence"]}`,
      `max.in.flight.requests.per.connection=${c["max.in.flight.requests.per.connection"]}`,
      `retries=${c.retries === MAX_INT ? "2147483647 (MAX_INT)" : c.retries}`, `retry.backoff.ms=${c["retry.backoff.ms"]}`,
      `delivery.timeout.ms=${c["delivery.timeout.ms"]}`, `request.timeout.ms=${c["request.timeout.ms"]}`];
    const id = lab.producer.idempotent
      ? ` · producer id ${lab.producer.producer_id}, epoch ${lab.producer.producer_epoch}, next sequence ${lab.producer.next_sequence}`
      : " · no producer id (not idempotent)";
    producerBox.textContent = `Producer: ${parts.join(", ")}${id} · requests in flight: ${lab.producer.in_flight}`;
    producerBox.dataset.idempotent = String(lab.producer.idempotent);
    producerBox.dataset.producerId = String(lab.producer.producer_id);
  }

  function renderLedger(ledger, lab) {
    const set = (name, value) => { ledgerBox.querySelector(`[data-ledger="${name}"]`).textContent = String(value); };
    for (const k of ["sent", "acked", "reordered", "duplicated", "lost", "pending"]) set(k, ledger[k]);
    const failed = Object.entries(ledger.failed);
    set("failed", failed.length ? failed.map(([n, c]) => `${n}: ${c}`).join(", ") : "none");
    set("retried", lab.counts.retried_batches);
    ledgerBox.dataset.reordered = String(ledger.reordered);
    ledgerBox.dataset.duplicated = String(ledger.duplicated);
    ledgerBox.dataset.lost = String(ledger.lost);
  }

  function cells(records) {
    return records.map((r) => {
      const marks = recordLabel(r);
      const cell = el("li", { class: "rlab-record", "data-offset": String(r.offset), "data-key": r.key ?? "",
        "data-reordered": String(r.reordered), "data-duplicate": String(r.duplicate), "data-retried": String(r.attempts > 1) });
      cell.append(el("span", { class: "rlab-offset" }, `offset ${r.offset}`), el("span", { class: "rlab-key" }, r.key ?? "null"),
        el("span", { class: "rlab-sent" }, `sent #${r.record}`));
      if (sequences && r.sequence >= 0) cell.append(el("span", { class: "rlab-seq" }, `seq ${r.sequence}`));
      if (marks.length) cell.append(el("span", { class: "rlab-marks" }, marks.join(" · ")));
      return cell;
    });
  }

  function renderLog(lab) {
    logBox.replaceChildren(...cells(lab.records));
    aroundBox.replaceChildren(...cells(lab.around));
    aroundBox.closest("section").hidden = !lab.around.length;
    logBox.setAttribute("aria-label", `The last ${lab.records.length} committed records of partition 0, in offset order`);
    const keys = Object.entries(lab.reordered_keys);
    q("[data-rlab-keys]").textContent = keys.length
      ? `Reordered keys: ${keys.map(([k, offs]) => `${k} (offset${offs.length > 1 ? "s" : ""} ${offs.join(", ")})`).join("; ")}`
      : "Reordered keys: none so far.";
    q("[data-rlab-keys]").dataset.count = String(keys.length);
    flaggedBox.replaceChildren(...lab.flagged.slice(-LIST).reverse().map((r) => el("li", {}, r.reordered
      ? `⇄ ${r.key}: record #${r.record} at offset ${r.offset}, after record #${r.after} of the same key that was sent later.`
      : `✕✕ ${r.key}: record #${r.record} again at offset ${r.offset}${r.first_offset != null ? ` (first copy at offset ${r.first_offset})` : ""}.`)));
    if (!lab.flagged.length) flaggedBox.replaceChildren(el("li", {}, "No reordered or duplicated record yet."));
    const older = lab.flagged_total - Math.min(lab.flagged.length, LIST);
    if (older > 0) flaggedBox.append(el("li", { "data-older": String(older) }, `… and ${older} earlier in the log (the ledger counts them all).`));
    answersBox.replaceChildren(...lab.answers.slice(-LIST).reverse().map((a) => el("li", { "data-kind": a.kind }, `${(a.t / 1000).toFixed(3)} s · ${answerText(a)}`)));
    if (!lab.answers.length) answersBox.replaceChildren(el("li", {}, "Nothing yet: every batch appended on its first attempt."));
    table.replaceChildren(...lab.batches.slice().reverse().map((b) => {
      const tr = el("tr", { "data-batch-offset": String(b.base_offset) });
      const cells = [`${b.base_offset}–${b.last_offset}`, b.records, b.attempts, b.producer_id,
        b.producer_id >= 0 ? b.producer_epoch : "–", b.base_sequence >= 0 ? `${b.base_sequence}–${b.last_sequence}` : "–", b.duplicates];
      for (const c of cells) tr.append(el("td", {}, String(c)));
      return tr;
    }));
  }

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    leader = lab.leader;
    q("[data-rlab-leader]").textContent = leader >= 0 ? `The faults act on broker ${leader}, partition 0's leader.` : "Partition 0 has no leader.";
    for (const b of faultsBox.querySelectorAll("button")) b.disabled = leader < 0;
    renderProducer(lab);
    renderLedger(frame.ledger, lab);
    renderLog(lab);
    const { reordered, duplicated } = frame.ledger;
    if (reordered > said.reordered) ctx.narrate(`${plural(reordered - said.reordered, "more record")} out of order: placed after a later record of the same key.`);
    if (duplicated > said.duplicated) ctx.narrate(`${plural(duplicated - said.duplicated, "more record")} written twice: the log holds duplicates.`);
    said = { reordered, duplicated };
  }

  function events(list) {
    for (const e of list) {
      if (e.kind === "produce.error" && e.side === "broker") ctx.narrate(`Broker ${e.broker} answered ${e.error} for batch ${e.batch}.`, { routine: true });
      else if (e.kind === "response.dropped" && e.reason === "connection broken") ctx.narrate(`Broker ${e.broker} appended request ${e.request} too, but its answer went down the same broken connection and was lost as well.`, { routine: true });
      else if (e.kind === "response.dropped") ctx.narrate(`Broker ${e.broker}'s response to request ${e.request} was lost: the producer never hears, and the connection stays silent until request.timeout.ms closes it.`);
      else if (e.kind === "duplicate.rejected") ctx.narrate(`Broker ${e.broker} recognised a retry from producer ${e.producer_id} (sequence ${e.base_sequence}) and did not append it again.`);
      else if (e.kind === "request.timeout") ctx.narrate(`Request ${e.request} timed out; the producer retries its batches.`, { routine: true });
    }
  }

  return { events, render, reset() { said = { reordered: 0, duplicated: 0 }; } };
}

export function createRenderer(root, ctx) {
  return createLogRenderer(root, ctx);
}
