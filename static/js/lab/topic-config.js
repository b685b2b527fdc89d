// The topic-configuration lab's renderer: brokers grouped by rack (with Stop, Kill and Restart), and every
// topic as a card: its overrides, and per partition the leader (★), the replicas in (●) and out of (○) the ISR
// with their racks, and the log start offset, high watermark, log end offset and segments. What the terminal
// changes shows here in the next frame; the events that matter are narrated (a batch the leader recompresses
// into the topic's compression.type once per change).
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const FAULTS = [["controlled_shutdown", "Stop"], ["kill_broker", "Kill"], ["restart_broker", "Restart"]];

function brokerState(b) {
  if (!b.alive) return "down";
  return b.fenced ? "fenced" : "up";
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const brokersBox = q("[data-tc-brokers]");
  const topicsBox = q("[data-tc-topics]");
  const table = q("[data-lab-table] tbody");
  let seen = null;
  let racks = {};
  let recompressing = {};  // topic -> the rebuild last narrated (codecs and level)

  brokersBox.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-fault]");
    if (button) ctx.send("fault", { action: button.dataset.fault, broker: Number(button.dataset.faultBroker) });
  });

  function drawBrokers(brokers) {
    racks = Object.fromEntries(brokers.map((b) => [b.broker, b.rack]));
    const byRack = {};
    for (const b of brokers) (byRack[b.rack ?? "no rack"] ??= []).push(b);
    const key = JSON.stringify(brokers);
    if (brokersBox.dataset.key === key) return;
    brokersBox.dataset.key = key;
    brokersBox.replaceChildren(...Object.entries(byRack).map(([rack, list]) => {
      const box = el("section", { class: "tc-rack", "aria-label": `Rack ${rack}` });
      box.append(el("h4", {}, `Rack ${rack}`));
      for (const b of list) {
        const state = brokerState(b);
        const row = el("div", { class: "tc-broker", "data-broker": String(b.broker), "data-state": state });
        row.append(el("span", { class: "tc-broker-name" }, `${state === "down" ? "✕ " : ""}Broker ${b.broker}: ${state}`));
        for (const [action, label] of FAULTS) {
          const button = el("button", { type: "button", "data-fault": action, "data-fault-broker": String(b.broker) }, label);
          button.setAttribute("aria-label", `${label} broker ${b.broker}`);
          button.disabled = (action === "restart_broker") === b.alive;
          row.append(button);
        }
        box.append(row);
      }
      return box;
    }));
  }

  function offsets(p) {
    const leader = p.logs[String(p.leader)] ?? Object.values(p.logs)[0];
    return leader ? `${leader.start} → ${leader.hw} / ${leader.leo}, ${leader.segments} segment${leader.segments === 1 ? "" : "s"}` : "";
  }

  function drawTopics(topics) {
    const names = topics.map((t) => t.name);
    topicsBox.replaceChildren(...topics.map((t) => {
      const card = el("section", { class: "tc-topic", "data-topic": t.name, "aria-label": `Topic ${t.name}` });
      if (seen && !seen.includes(t.name)) card.setAttribute("data-new", "");
      card.append(el("h4", {}, t.name));
      card.append(el("p", { class: "tc-summary" }, `${t.partitions.length} partition${t.partitions.length === 1 ? "" : "s"}, `
        + `replication factor ${t.replication_factor}, min.insync.replicas ${t.min_isr}, cleanup.policy ${t.cleanup_policy}`));
      const overrides = Object.entries(t.overrides);
      card.append(el("p", { class: "tc-overrides", "data-overrides": "" },
        overrides.length ? `Overrides: ${overrides.map(([k, v]) => `${k}=${v}`).join(", ")}` : "No overrides: every value from the brokers."));
      for (const p of t.partitions) {
        const row = el("div", { class: "tc-partition", "data-partition": String(p.partition), "data-isr-size": String(p.isr.length) });
        row.append(el("span", {}, `P${p.partition}`));
        const reps = el("span", { class: "tc-replicas" });
        for (const r of p.replicas) {
          const inIsr = p.isr.includes(r);
          const mark = `${r === p.leader ? "★" : ""}${inIsr ? "●" : "○"}`;
          const rep = el("span", { class: "tc-replica", "data-replica": String(r), "data-isr": String(inIsr) },
            `${mark}${r} (${racks[r] ?? "no rack"})`);
          reps.append(rep);
        }
        if (p.leader < 0) reps.append(el("span", { class: "tc-offline" }, "no leader: offline"));
        row.append(reps, el("span", { class: "tc-offsets", "data-offsets": "" }, offsets(p)));
        card.append(row);
      }
      return card;
    }));
    seen = names;
  }

  function drawTable(topics) {
    table.replaceChildren(...topics.flatMap((t) => t.partitions.map((p) => {
      const leader = p.logs[String(p.leader)] ?? {};
      const tr = el("tr");
      for (const v of [t.name, p.partition, p.leader < 0 ? "none" : p.leader, p.replicas.join(","), p.isr.join(","),
        leader.start ?? "", leader.hw ?? "", leader.segments ?? ""]) tr.append(el("td", {}, String(v)));
      return tr;
    })));
  }

  return {
    events(list) {
      for (const e of list) {
        if (e.kind === "topic.created") ctx.narrate(`Topic ${e.topic} created: ${e.partitions} partitions, replication factor ${e.replication_factor}.`);
        else if (e.kind === "topic.deleted") ctx.narrate(`Topic ${e.topic} deleted.`);
        else if (e.kind === "config.altered" && e.resource === "topic") {
          ctx.narrate(`Topic ${e.name}: ${e.changed.join(", ")} changed.`);
          delete recompressing[e.name];  // the next rebuilt batch is narrated again
        } else if (e.kind === "batch.recompressed") {
          // The first batch a topic's leaders rebuild with its compression.type (LogValidator), and again after a change.
          const key = `${e.source}>${e.target}:${e.level}`;
          if (recompressing[e.topic] !== key) {
            recompressing[e.topic] = key;
            ctx.narrate(`Broker ${e.broker} recompressed batch #${e.batch} of ${e.topic}-${e.partition} from ${e.source} to ` +
              `${e.target}${e.level === null ? "" : ` (level ${e.level})`}: ${e.bytes_before} bytes sent, ${e.bytes_after} stored. ` +
              `The leaders rebuild every batch for ${e.topic} while its compression.type differs from the producer's codec.`);
          }
        }
        else if (e.kind === "produce.error" && e.side === "broker" && (e.error === "MESSAGE_TOO_LARGE" || e.error === "NOT_ENOUGH_REPLICAS")) {
          ctx.narrate(`Broker ${e.broker} refused a batch for ${e.topic}-${e.partition}: ${e.error}.`);
        } else if (e.kind === "log.retention") ctx.narrate(`Retention deleted ${e.records} record${e.records === 1 ? "" : "s"} on broker ${e.broker}; the log now starts at ${e.log_start_offset}.`);
        else if (e.kind === "log.cleaned" && e.removed) ctx.narrate(`The log cleaner compacted ${e.topic}-${e.partition} on broker ${e.broker}: ${e.removed} older record${e.removed === 1 ? "" : "s"} removed.`);
        else if (e.kind === "broker.down") ctx.narrate(`Broker ${e.broker} is down.`);
        else if (e.kind === "isr.shrunk") ctx.narrate(`The ISR of ${e.topic ?? "a partition"}-${e.partition} shrank to ${(e.isr ?? []).join(", ")}.`);
      }
    },
    render(frame) {
      const view = frame.lab;
      if (!view) return;
      drawBrokers(view.brokers);
      drawTopics(view.topics);
      drawTable(view.topics);
      root.dataset.topics = view.topics.map((t) => t.name).join(",");
    },
    reset() { seen = null; recompressing = {}; },
  };
}
