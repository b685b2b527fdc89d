// The consumers lab's renderer: the group's ledger (records processed once, twice, never), its members with the
// faults that kill, close, restart and add them, the brokers with the coordinator marked and a kill button each,
// the rebalance chart (who reads each partition, lanes.js), per partition the reader, position, committed offset,
// high watermark and lag, the members' table, the last commits, and fetching from the nearest replica (KIP-392)
// with the bytes that crossed zones. Everything is drawn from frame.lab (app/live/labs/group_view.py).
import { Lanes, seconds, stopsIn, stopWords } from "./lanes.js";
import { attachMemberFaults, MEMBER_STATE } from "./members.js";
import { el } from "./retries.js";

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const STRATEGY = {
  range: "range (eager): in a rebalance every member gives up all its partitions until SyncGroup.",
  roundrobin: "roundrobin (eager): in a rebalance every member gives up all its partitions until SyncGroup.",
  sticky: "sticky (eager): keeps partitions where they were, but everyone still stops until SyncGroup.",
  "cooperative-sticky": "cooperative-sticky (KIP-429): only the partitions that move stop, over two rebalances.",
};
const PROTOCOL = "group.protocol=consumer (KIP-848): the coordinator assigns in heartbeats; only the partitions that move stop.";

function bytes(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KB` : `${n} B`;
}

function row(cells, attrs = {}) {
  const tr = el("tr", attrs);
  for (const c of cells) tr.append(el("td", {}, String(c)));
  return tr;
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const ledgerBox = q("[data-group-ledger]");
  const summaryBox = q("[data-group-summary]");
  const brokersBox = q("[data-broker-faults]");
  const lanes = new Lanes(q("[data-group-lanes]"));
  const stopsBox = q("[data-group-stops]");
  const partitionsTable = q("[data-group-partitions] tbody");
  const membersTable = q("[data-group-members] tbody");
  const commitsBox = q("[data-group-commits]");
  const fetchBox = q("[data-group-fetch]");
  const faults = attachMemberFaults(q("[data-member-faults]"), ctx, "billing");
  let told = null; // the protocol and assignor whose story was said
  let said = { redelivered: 0, missed: 0 };
  let coordinator = null;
  let brokers = "";
  const preferred = new Set(); // partitions whose follower choice was said

  brokersBox.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (!button) return;
    const broker = Number(button.dataset.faultBroker);
    ctx.send("fault", { action: button.dataset.fault, broker });
    if (button.dataset.fault === "kill_broker" && broker === coordinator) {
      ctx.narrate(`Broker ${broker}, the group's coordinator, is killed. The controller fences it after broker.session.timeout.ms; ` +
        "then another replica of its __consumer_offsets partition leads, and that broker becomes the coordinator.");
    }
  });

  // One card per broker: its state, ⚑ on the coordinator, and one button that kills it, or restarts it once down.
  function buildBrokers(state) {
    brokersBox.replaceChildren(el("p", { class: "broker-faults-head" }, "Brokers"), ...state.brokers.map((b) => {
      const card = el("div", { class: "broker-fault", "data-broker": String(b.broker) });
      card.append(el("span", { "data-broker-state": "" }), el("button", { type: "button", "data-fault-broker": String(b.broker) }));
      return card;
    }));
    brokers = state.brokers.map((b) => b.broker).join();
  }

  function renderBrokers(state, lab) {
    if (state.brokers.map((b) => b.broker).join() !== brokers) buildBrokers(state);
    for (const b of state.brokers) {
      const card = brokersBox.querySelector(`[data-broker="${b.broker}"]`);
      const s = b.restarting ? "restarting" : b.alive ? "up" : "down";
      card.dataset.state = s;
      card.dataset.coordinator = String(b.broker === lab.coordinator);
      card.querySelector("[data-broker-state]").textContent =
        `Broker ${b.broker} ${{ up: "▲ up", down: "✕ down", restarting: "↻ restarting" }[s]}${b.broker === lab.coordinator ? " ⚑" : ""}`;
      const button = card.querySelector("button");
      const action = b.alive ? "kill_broker" : "restart_broker";
      const label = `${b.alive ? "Kill" : "Restart"} broker ${b.broker}`;
      if (button.dataset.fault !== action) button.dataset.fault = action;
      if (button.textContent !== (b.alive ? "Kill" : "Restart")) button.textContent = b.alive ? "Kill" : "Restart";
      if (button.getAttribute("aria-label") !== label) button.setAttribute("aria-label", label);
      button.disabled = b.restarting;
    }
  }

  function renderLedger(frame, lab) {
    const ledger = lab.ledger;
    for (const k of ["consumed", "redelivered", "missed"]) ledgerBox.querySelector(`[data-ledger="${k}"]`).textContent = String(ledger[k]);
    const lags = lab.partitions.filter((p) => p.lag !== null);
    ledgerBox.querySelector('[data-ledger="lag"]').textContent = lags.length ? String(lags.reduce((s, p) => s + p.lag, 0)) : "no commit yet";
    ledgerBox.dataset.redelivered = String(ledger.redelivered);
    ledgerBox.dataset.missed = String(ledger.missed);
    const s = frame.settings;
    const members = lab.members.filter((m) => m.state !== "killed" && m.state !== "closed" && m.state !== "failed");
    summaryBox.textContent = `${s["group.protocol"] === "consumer" ? "group.protocol=consumer (KIP-848)" : `classic, ${s["partition.assignment.strategy"]}`}` +
      ` · generation ${lab.generation} · ${plural(members.length, "member")} running · coordinator: ${lab.coordinator < 0 ? "none" : `broker ${lab.coordinator}`}` +
      ` · commits: ${s.commit}`;
    if (ledger.redelivered > said.redelivered) ctx.narrate(`${ledger.redelivered - said.redelivered} records processed a second time: a member that took over read from the last committed offset.`);
    if (ledger.missed > said.missed) ctx.narrate(`${ledger.missed - said.missed} records will never be processed: their offsets were committed before they were, and the member died.`);
    said = { redelivered: ledger.redelivered, missed: ledger.missed };
  }

  function renderPartitions(lab) {
    const last = new Map();
    for (const s of stopsIn(lab.lanes.partitions, 0, lab.now, lab.now)) last.set(s.partition, s);
    partitionsTable.replaceChildren(...lab.partitions.map((p) => {
      const stop = last.get(p.partition);
      const from = p.from === null ? "-" : p.from === p.leader ? `broker ${p.from} (leader)` : `broker ${p.from} (follower, KIP-392)`;
      return row([p.partition, p.reader ?? "✕ nobody", from, p.position ?? "-", p.committed ?? "none", p.high_watermark,
        p.lag ?? "-", p.records_lag ?? "-", stop ? `${seconds(stop.ms)}${stop.end === null ? " so far" : ""} at ${seconds(stop.start)}` : "never"],
      { "data-partition": String(p.partition), "data-reader": p.reader ?? "" });
    }));
  }

  function renderMembers(lab) {
    membersTable.replaceChildren(...lab.members.map((m) => row([m.name, MEMBER_STATE[m.state] ?? m.state,
      m.partitions.length ? m.partitions.join(", ") : "none", m.from.length ? [...new Set(m.from)].map((b) => `broker ${b}`).join(", ") : "-",
      m.rack ?? "-", m.instance_id ?? "unset (dynamic)", m.client_id, m.processed,
      m.processing ? `${plural(m.processing, "record")} of its last poll` : "-"], { "data-member": m.name, "data-state": m.state })));
    faults.update(lab.members);
  }

  function renderFetch(lab) {
    const f = lab.fetch;
    const share = f.bytes ? Math.round((100 * f.cross_az_bytes) / f.bytes) : 0;
    fetchBox.dataset.crossAz = String(share);
    fetchBox.textContent = `${f.selector ? "replica.selector.class=RackAwareReplicaSelector: each member fetches from the replica in its own zone." : "No replica.selector.class: every member fetches from each partition's leader, wherever it is."}` +
      ` Fetched by the group: ${bytes(f.bytes)}, of which ${bytes(f.cross_az_bytes)} (${share} %) crossed zones.`;
    commitsBox.replaceChildren(...lab.commits.slice(-5).reverse().map((c) => el("li", {},
      `${seconds(c.t)} ${c.member}: ${c.ok ? `✓ committed ${c.offsets.map(([p, o]) => `P${p}@${o}`).join(" ")}` : `✕ commit failed: ${c.error}`}`)));
  }

  function render(frame) {
    const lab = frame.lab;
    if (!lab) return;
    const story = frame.settings["group.protocol"] === "consumer" ? "consumer" : frame.settings["partition.assignment.strategy"];
    if (story !== told) {
      told = story;
      ctx.narrate(story === "consumer" ? PROTOCOL : STRATEGY[story]);
    }
    if (coordinator !== null && coordinator >= 0 && lab.coordinator !== coordinator && lab.coordinator >= 0) {
      ctx.narrate(`Broker ${lab.coordinator} is the group's coordinator now: it leads the group's __consumer_offsets partition and loaded the group and its offsets from it.`);
    }
    coordinator = lab.coordinator;
    renderLedger(frame, lab);
    renderBrokers(frame.state, lab);
    lanes.draw(lab);
    stopsBox.textContent = stopWords(lab);
    renderPartitions(lab);
    renderMembers(lab);
    renderFetch(lab);
  }

  // The coordinator names members by member id (client.id and a suffix, or a KIP-848 Uuid): said by their lab name.
  let names = new Map(); // client.id -> member name, from the last frame
  const named = (text) => String(text).split(" ").map((word) => {
    for (const [client, name] of names) if (word.startsWith(`${client}-billing-`)) return name;
    return word;
  }).join(" ");
  function assignmentText(assignment) {
    const parts = Object.entries(assignment ?? {}).flatMap(([id, tps]) => tps.map(([, p]) => [p, named(id)]));
    return parts.sort((a, b) => a[0] - b[0]).map(([p, who]) => `P${p} → ${who}`).join(", ");
  }

  function events(list, frame) {
    if (frame?.lab) names = new Map(frame.lab.members.map((m) => [m.client_id, m.name]));
    for (const e of list) {
      switch (e.kind) {
        case "group.rebalancing": ctx.narrate(`The group is rebalancing: ${named(e.reason)}.`); break;
        case "group.stable": {
          const who = e.protocol === "classic" ? assignmentText(e.assignment) : "";
          ctx.narrate(`Rebalance done: generation ${e.generation} (${e.assignor})${who ? `: ${who}` : ""}.`);
          break;
        }
        case "group.member_expired": ctx.narrate(`The coordinator removed a member after ${seconds(e.session_timeout_ms ?? e.rebalance_timeout_ms ?? 0)} without a heartbeat (${e.reason ?? "session timeout"}).`); break;
        case "consumer.revoked": ctx.narrate(`${e.member} gives up partition${e.partitions.length > 1 ? "s" : ""} ${e.partitions.map((p) => p[1]).join(", ")}.`, { routine: true }); break;
        case "consumer.commit_failed": ctx.narrate(`${e.member}'s commit failed: ${e.error}.`); break;
        case "consumer.preferred_replica":
          if (!preferred.has(e.partition)) {
            preferred.add(e.partition);
            ctx.narrate(`The leader of partition ${e.partition} told a member to fetch from broker ${e.replica}, the replica in its zone (KIP-392).`, { routine: true });
          }
          break;
        default: break;
      }
    }
  }

  return {
    render,
    events,
    reset() {
      said = { redelivered: 0, missed: 0 };
      coordinator = null;
      preferred.clear();
    },
  };
}
