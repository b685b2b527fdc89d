// The safe-producer lab's renderer: four producers side by side (the pre-0.11 recipe, Kafka 2.8,
// 3.x and 4.0 defaults), each in its own simulated cluster with the same records and faults.
// Per column: the settings it runs with against the version's defaults, the ledger and the
// throughput. Problems are marked by symbol and word (✕ lost, ✕✕ duplicated, ⇄ reordered).
import { el } from "./retries.js";

const BAD = [["lost", "✕ lost (acked, then gone)"], ["duplicated", "✕✕ duplicated"], ["reordered", "⇄ reordered"]];

function failedText(failed) {
  const entries = Object.entries(failed);
  return entries.length ? entries.map(([n, c]) => `${n}: ${c}`).join(", ") : "none";
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const columnsBox = q("[data-safe-columns]");
  const faultsBox = q("[data-safe-faults]");
  const table = q("[data-lab-table] tbody");
  let leader = -1;
  let said = {};

  faultsBox.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (!button) return;
    ctx.send("fault", { action: button.dataset.fault, broker: Number(button.dataset.faultBroker) });
  });

  function renderFaults(lab) {
    leader = lab.leader;
    const buttons = [];
    if (leader >= 0) {
      buttons.push(el("button", { type: "button", "data-fault": "kill_broker", "data-fault-broker": String(leader) }, `Kill the leader (broker ${leader})`));
      buttons.push(el("button", { type: "button", "data-fault": "drop_responses", "data-fault-broker": String(leader) }, `Lose the leader's next response (broker ${leader})`));
    }
    for (const b of lab.brokers.filter((x) => !x.alive)) {
      buttons.push(el("button", { type: "button", "data-fault": "restart_broker", "data-fault-broker": String(b.broker) }, `Restart broker ${b.broker}`));
    }
    const shape = buttons.map((b) => b.textContent).join("|");
    if (faultsBox.dataset.shape !== shape) {
      const focused = document.activeElement?.closest?.("[data-safe-faults] button")?.dataset.fault;
      faultsBox.replaceChildren(...buttons);
      faultsBox.dataset.shape = shape;
      if (focused) faultsBox.querySelector(`[data-fault="${focused}"]`)?.focus();
    }
    q("[data-safe-brokers]").textContent = "Brokers: " + lab.brokers.map((b) => `${b.broker} ${b.alive ? "▲ up" : "✕ down"}`).join(" · ") +
      (leader >= 0 ? ` · partition 0's leader: broker ${leader} (★)` : " · partition 0 has no leader");
  }

  function column(c) {
    const box = el("section", { class: "safe-column", "data-column": c.key, "aria-label": c.title });
    box.append(el("h4", {}, c.title));
    const dl = el("dl", { class: "safe-settings" });
    for (const s of c.settings) {
      const row = el("div", { "data-setting": s.name });
      const note = s.set ? "set" : s.value === s.default ? "default" : `default ${s.default}`;
      // A config name may wrap after its dots (max.in.flight.requests.per.<wbr>connection), never mid-word.
      const name = el("dt");
      s.name.split(".").forEach((part, i) => {
        if (i) name.append(".", document.createElement("wbr"));
        name.append(part);
      });
      row.append(name, el("dd", {}, `${s.value} (${note})`));
      dl.append(row);
    }
    box.append(dl);
    const l = c.ledger;
    const ledger = el("dl", { class: "safe-ledger", "data-ledger-box": "" });
    const add = (name, label, value) => {
      const row = el("div", { "data-ledger-row": name });
      row.append(el("dt", {}, label), el("dd", { "data-ledger": name }, String(value)));
      ledger.append(row);
      return row;
    };
    add("acked", "acked", l.acked);
    for (const [name, label] of BAD) add(name, label, l[name]).dataset.bad = String(l[name] > 0);
    add("failed", "failed, by error", failedText(l.failed));
    add("pending", "waiting for an answer", l.pending);
    add("throughput", "throughput, last 5 s", `${c.throughput} records/s`);
    add("latency", "request latency, average", `${c.latency_avg} ms`);
    for (const [name] of BAD) box.dataset[name] = String(l[name]);
    const clean = BAD.every(([name]) => l[name] === 0);
    box.append(ledger, el("p", { class: "safe-verdict", "data-verdict": clean ? "clean" : "bad" },
      clean ? "✓ nothing lost, duplicated or reordered" : `✕ ${BAD.filter(([n]) => l[n] > 0).map(([n]) => `${l[n]} ${n}`).join(", ")}`));
    return box;
  }

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    renderFaults(lab);
    columnsBox.replaceChildren(...lab.columns.map(column));
    table.replaceChildren(...lab.columns.map((c) => {
      const tr = el("tr", { "data-column": c.key });
      const s = Object.fromEntries(c.settings.map((x) => [x.name, x.value]));
      for (const v of [c.title, s.acks, s["enable.idempotence"], s["max.in.flight.requests.per.connection"], c.ledger.acked,
        c.ledger.lost, c.ledger.duplicated, c.ledger.reordered, failedText(c.ledger.failed), c.throughput]) tr.append(el("td", {}, String(v)));
      return tr;
    }));
    for (const c of lab.columns) {
      // Say each count once, when it reaches a new high.
      const before = said[c.key] ?? { lost: 0, duplicated: 0, reordered: 0 };
      for (const [name] of BAD) {
        if (c.ledger[name] > before[name]) {
          ctx.narrate(`${c.title}: ${c.ledger[name]} record${c.ledger[name] > 1 ? "s" : ""} ${name} so far.`);
          before[name] = c.ledger[name];
        }
      }
      said[c.key] = before;
    }
  }

  function events(list) {
    for (const e of list) {
      if (e.kind === "broker.down") ctx.narrate(`Broker ${e.broker} is down, in all four clusters.`);
      else if (e.kind === "broker.restarting") ctx.narrate(`Broker ${e.broker} restarts, and registers when its old session expires.`);
      else if (e.kind === "broker.up") ctx.narrate(`Broker ${e.broker} is up again.`);
      else if (e.kind === "leader.elected") ctx.narrate(`Broker ${e.leader} is partition ${e.partition}'s new leader.`);
      else if (e.kind === "network.drop_responses") ctx.narrate(`Broker ${e.broker}'s next response will be lost, in all four clusters.`);
    }
  }

  return { events, render, reset() { said = {}; } };
}
