// The acks lab's renderer: brokers with their fault buttons, each partition's replicas with
// their log end offset (LEO) and high watermark (HW), the leader and the ISR marked by label
// and shape, the ledger, a state table, and narration of the events that matter.
import { attachWhatif } from "./whatif.js";

const TAIL = 24; // offsets drawn per replica: the newest ones

const ACKS = { "-1": "all", 0: "0", 1: "1" };

// What each acks setting shows on the picture (static/js/flow/): said when the run starts and when it changes.
const STORY = {
  0: "acks=0: the producer sends and forgets. No produce response comes back (no diamonds on the producer's links): a batch counts as sent once it is on the socket.",
  1: "acks=1: the leader answers as soon as it has appended the batch, before its followers' fetches carry it: the answer leaves while the followers' logs still lack those offsets.",
  all: "acks=all: the leader answers only once the high watermark has passed the batch, that is once every replica in the ISR has fetched it.",
};

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// An ISR in words: never a bare "0", which reads as "empty" (the ISR is never emptied).
function isrText(isr) {
  return isr.length === 1 ? `broker ${isr[0]} alone` : `brokers ${isr.join(", ")}`;
}

function brokerState(b) {
  if (b.restarting) return "restarting";
  if (!b.alive) return "down";
  if (b.isolated) return "isolated";
  if (b.fenced) return "fenced";
  return "up";
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const brokersBox = q("[data-acks-brokers]");
  const partitionsBox = q("[data-acks-partitions]");
  const ledgerBox = q("[data-acks-ledger]");
  const producerBox = q("[data-acks-producer]");
  const table = q("[data-lab-table] tbody");
  let built = "";
  let settings = {};
  const whatif = attachWhatif(q("[data-whatif]"), () => settings);
  let lost = 0;
  let told = null; // the acks setting whose story was said last
  let batches = 0;
  let saidBatches = 0;

  brokersBox.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (!button) return;
    const broker = button.dataset.faultBroker === "all" ? null : Number(button.dataset.faultBroker);
    ctx.send("fault", { action: button.dataset.fault, broker });
  });

  function build(state) {
    brokersBox.replaceChildren(...state.brokers.map((b) => {
      const card = el("div", { class: "acks-broker", "data-broker": String(b.broker) });
      card.append(el("h4", {}, `Broker ${b.broker}`), el("p", { class: "acks-broker-state", "data-broker-state": "" }));
      const buttons = el("div", { class: "acks-fault-buttons" });
      for (const [action, label] of [["kill_broker", "Kill"], ["isolate_broker", "Isolate"], ["restart_broker", "Restart"], ["heal", "Heal"]]) {
        const button = el("button", { type: "button", "data-fault": action, "data-fault-broker": String(b.broker) }, label);
        button.setAttribute("aria-label", `${label} broker ${b.broker}`);
        buttons.append(button);
      }
      card.append(buttons);
      return card;
    }));
    partitionsBox.replaceChildren(...state.partitions.map((p) => {
      const box = el("section", { class: "acks-partition", "data-partition": String(p.partition), "aria-label": `Partition ${p.partition}` });
      box.append(el("h4", {}, `Partition ${p.partition}`), el("p", { class: "acks-isr", "data-isr": "" }));
      for (const r of p.replicas) {
        const row = el("div", { class: "acks-replica", "data-replica": String(r) });
        row.append(el("span", { class: "acks-role", "data-role-label": "" }), el("span", { class: "acks-name" }, `broker ${r}`));
        const log = el("span", { class: "acks-log", "aria-hidden": "true" });
        for (let i = 0; i < TAIL; i++) log.append(el("span", { class: "acks-cell" }));
        row.append(log, el("span", { class: "acks-offsets", "data-offsets": "" }));
        box.append(row);
      }
      return box;
    }));
    built = JSON.stringify([state.brokers.length, state.partitions.map((p) => p.replicas)]);
  }

  function render(frame) {
    const { state, ledger } = frame;
    settings = frame.settings;
    whatif?.current(settings);
    if (settings.acks !== told) {
      told = settings.acks;
      ctx.narrate(STORY[told]);
    }
    const shape = JSON.stringify([state.brokers.length, state.partitions.map((p) => p.replicas)]);
    if (shape !== built) build(state);
    for (const b of state.brokers) {
      const card = brokersBox.querySelector(`[data-broker="${b.broker}"]`);
      const s = brokerState(b);
      card.dataset.state = s;
      card.querySelector("[data-broker-state]").textContent =
        { up: "▲ up", down: "✕ down", restarting: "↻ restarting: waits for its old session to expire",
          isolated: "◇ isolated (network cut)", fenced: "■ fenced by the controller" }[s];
      card.querySelector('[data-fault="kill_broker"]').disabled = !b.alive;
      card.querySelector('[data-fault="restart_broker"]').disabled = b.alive || b.restarting;
      card.querySelector('[data-fault="isolate_broker"]').disabled = !b.alive || b.isolated;
      card.querySelector('[data-fault="heal"]').disabled = !b.isolated;
    }
    const rows = [];
    for (const p of state.partitions) {
      const box = partitionsBox.querySelector(`[data-partition="${p.partition}"]`);
      box.querySelector("[data-isr]").textContent =
        `Leader: ${p.leader < 0 ? "none (offline)" : `broker ${p.leader}`} · ISR: ${p.isr.join(", ")} (${p.isr.length} of ${p.replicas.length})`;
      box.dataset.isrSize = String(p.isr.length);
      const top = Math.max(...Object.values(p.logs).map((l) => l.leo));
      const first = Math.max(0, top - TAIL);
      for (const r of p.replicas) {
        const log = p.logs[String(r)];
        const row = box.querySelector(`[data-replica="${r}"]`);
        const leader = r === p.leader;
        const inIsr = p.isr.includes(r);
        row.dataset.role = leader ? "leader" : "follower";
        row.dataset.inIsr = String(inIsr);
        row.querySelector("[data-role-label]").textContent = `${leader ? "★ leader" : "follower"} · ${inIsr ? "● in ISR" : "○ out of ISR"}`;
        row.querySelector("[data-offsets]").textContent = `LEO ${log.leo} · HW ${log.hw}`;
        const cells = row.querySelector(".acks-log").children;
        for (let i = 0; i < TAIL; i++) {
          const offset = first + i;
          cells[i].className = offset < Math.min(log.hw, log.leo) ? "acks-cell committed" : offset < log.leo ? "acks-cell uncommitted" : "acks-cell";
        }
        const broker = state.brokers.find((b) => b.broker === r);
        rows.push([p.partition, `broker ${r}`, leader ? "leader" : "follower", inIsr ? "yes" : "no", log.leo, log.hw, brokerState(broker)]);
      }
    }
    table.replaceChildren(...rows.map((cells) => {
      const tr = el("tr");
      for (const c of cells) tr.append(el("td", {}, String(c)));
      return tr;
    }));
    const failed = Object.entries(ledger.failed);
    ledgerBox.querySelector('[data-ledger="sent"]').textContent = String(ledger.sent);
    ledgerBox.querySelector('[data-ledger="acked"]').textContent = String(ledger.acked);
    ledgerBox.querySelector('[data-ledger="lost"]').textContent = String(ledger.lost);
    ledgerBox.querySelector('[data-ledger="duplicated"]').textContent = String(ledger.duplicated);
    ledgerBox.querySelector('[data-ledger="pending"]').textContent = String(ledger.pending);
    ledgerBox.querySelector('[data-ledger="failed"]').textContent =
      failed.length ? failed.map(([name, n]) => `${name}: ${n}`).join(", ") : "none";
    ledgerBox.dataset.lost = String(ledger.lost);
    if (ledger.lost > lost) ctx.narrate(`${ledger.lost - lost} acknowledged record${ledger.lost - lost > 1 ? "s" : ""} lost: acked, but in no replica's committed log.`);
    lost = ledger.lost;
    const prod = state.producer;
    producerBox.textContent = `Producer: acks=${ACKS[prod.acks]}${prod.idempotent ? ", idempotent" : ""} · requests in flight: ${prod.in_flight} · ` +
      `min.insync.replicas=${state.topic["min.insync.replicas"]} · replication factor ${state.topic["replication.factor"]}`;
  }

  function events(list, frame) {
    let sent = 0;
    const refused = {};
    for (const e of list) {
      switch (e.kind) {
        case "request.sent": sent += 1; break;
        case "broker.down": ctx.narrate(`Broker ${e.broker} is down.`); break;
        case "broker.restarting": ctx.narrate(`Broker ${e.broker}'s process is back, but the controller still holds its old session: ` +
          `it can register only when that expires (broker.session.timeout.ms), at ${(e.registers_at / 1000).toFixed(2)} s.`); break;
        case "broker.up": ctx.narrate(`Broker ${e.broker} is up again.`); break;
        case "broker.fenced": ctx.narrate(`The controller fenced broker ${e.broker} (${e.reason}).`); break;
        case "network.isolated": ctx.narrate(`Broker ${e.broker} is cut off from the network.`); break;
        case "network.healed": ctx.narrate(`Broker ${e.broker} is reachable again.`); break;
        case "isr.shrunk": ctx.narrate(`Partition ${e.partition}: the ISR shrank to ${isrText(e.isr)}.`); break;
        case "isr.expanded": ctx.narrate(`Partition ${e.partition}: the ISR grew to ${isrText(e.isr)}.`); break;
        case "leader.elected": ctx.narrate(`Partition ${e.partition}: broker ${e.leader} is the new leader.`); break;
        case "partition.offline": ctx.narrate(`Partition ${e.partition} is offline: no replica can lead.`); break;
        case "log.truncated": ctx.narrate(`Broker ${e.broker} truncated partition ${e.partition}'s log to match the leader.`); break;
        case "produce.error": if (e.error) refused[e.error] = (refused[e.error] ?? 0) + 1; break;
        default: break;
      }
    }
    // Batches are many: say how many went out every few seconds, not each one.
    batches += frame.counts["request.sent"] ?? sent;
    if (batches && performance.now() - saidBatches > 4000) {
      ctx.narrate(`${batches} batch${batches > 1 ? "es" : ""} sent to the leaders.`, { routine: true });
      batches = 0;
      saidBatches = performance.now();
    }
    // An error answer is not yet a failure: the producer retries until delivery.timeout.ms (the ledger says what failed for good).
    for (const [error, n] of Object.entries(refused)) ctx.narrate(`${n} batch${n > 1 ? "es" : ""} got ${error}${error.startsWith("NOT_ENOUGH_REPLICAS") ? " (too few replicas in the ISR)" : ""}; the producer retries while delivery.timeout.ms allows.`, { routine: true });
  }

  return {
    events,
    render,
    reset() { lost = 0; },
  };
}
