// The basics lab's renderer: the topic as its partitions, each a log of offsets with the newest records
// (offset, key, read or not yet), where the consumer will read next (its position) and where the group
// would start again (the committed offset); the consumers of the group with their partitions; and what
// each piece is, in this run's own values. Everything comes from the frame (app/live/labs/basics.py).
import { attachMemberFaults, MEMBER_STATE } from "./members.js";
import { el } from "./retries.js";

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function offsetsText(p) {
  return p.log_end_offset ? `offsets 0-${p.log_end_offset - 1}` : "no records yet";
}

export function createRenderer(root, ctx) {
  const q = (sel) => root.querySelector(sel);
  const partitionsBox = q("[data-basics-partitions]");
  const membersBox = q("[data-basics-members]");
  const countsBox = q("[data-basics-counts]");
  const glossary = q("[data-basics-glossary]");
  const table = q("[data-lab-table] tbody");
  let lab = null;
  const faults = attachMemberFaults(q("[data-member-faults]"), ctx, "readers");
  const told = new Set(); // partitions whose first record was said

  function cell(r, position, committed) {
    const read = r.read_by !== null;
    const li = el("li", { class: "basics-record", "data-offset": String(r.offset), "data-read": String(read) });
    if (r.offset === position) li.dataset.position = "";
    if (r.offset === committed) li.dataset.committed = "";
    li.append(el("span", { class: "basics-offset" }, String(r.offset)), el("span", { class: "basics-key" }, r.key ?? "null"),
      el("span", { class: "basics-mark" }, read ? "✓ read" : "… unread"));
    li.title = `offset ${r.offset}, key ${r.key}: ${read ? `read by ${r.read_by}` : "not read yet"}`;
    return li;
  }

  function renderPartitions(view, committed) {
    const readers = new Map();
    for (const c of view.consumers) for (const p of c.partitions) readers.set(p, c);
    partitionsBox.replaceChildren(...view.partitions.map((p) => {
      const reader = readers.get(p.partition);
      const position = reader?.positions[String(p.partition)] ?? null;
      const done = committed[`${view.topic}-${p.partition}`] ?? null;
      const box = el("section", { class: "basics-partition", "data-partition": String(p.partition), "aria-label": `Partition ${p.partition}` });
      const head = el("p", { class: "basics-partition-head" });
      head.append(el("strong", {}, `Partition ${p.partition}`),
        ` · ★ leader: broker ${p.leader < 0 ? "none" : p.leader} · log end offset ${p.log_end_offset ?? "?"}`);
      const log = el("ol", { class: "basics-log", "aria-label": `Newest records of partition ${p.partition}` });
      for (const r of p.records) log.append(cell(r, position, done));
      // The next offset to read is one no record has yet: drawn as an empty slot at the end.
      if (position !== null && position >= (p.log_end_offset ?? 0)) {
        const next = el("li", { class: "basics-record basics-next", "data-offset": String(position), "data-position": "" });
        next.append(el("span", { class: "basics-offset" }, String(position)), el("span", { class: "basics-key" }, "next"));
        next.title = `offset ${position}: the next one ${reader.name} reads, not written yet`;
        log.append(next);
      }
      const where = el("p", { class: "basics-where", "data-where": "" });
      where.textContent = reader
        ? `▼ ${reader.name} reads it: position ${position ?? "being looked up"} (the next offset it reads) · ` +
          `│ committed ${done ?? "none yet"} (where the group would start again)`
        : `No consumer reads it now · │ committed ${done ?? "none yet"}: the records wait in the log.`;
      box.append(head, log, where);
      return box;
    }));
  }

  function renderMembers(view) {
    membersBox.replaceChildren(...view.consumers.map((c) => {
      const li = el("li", { class: "basics-member", "data-member": c.name, "data-state": c.state });
      li.append(el("strong", {}, c.name), ` ${MEMBER_STATE[c.state] ?? c.state} · `,
        c.partitions.length ? `reads ${plural(c.partitions.length, "partition")}: ${c.partitions.join(", ")}` : "reads nothing");
      return li;
    }));
    faults.update(view.consumers);
  }

  function renderGlossary(view, frame) {
    const { partitions, consumers } = view;
    const busiest = [...partitions].sort((a, b) => (b.log_end_offset ?? 0) - (a.log_end_offset ?? 0))[0];
    const newest = busiest?.records.at(-1);
    const reader = consumers.find((c) => c.partitions.length);
    const keyed = new Map();
    for (const p of partitions) for (const r of p.records) keyed.set(r.key, p.partition);
    const keys = [...keyed].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }));
    const done = Object.entries(frame.lab.committed);
    const entries = [
      ["Topic", `${view.topic}: a named stream of records, split into ${plural(partitions.length, "partition")}.`],
      ["Partition", busiest ? `an ordered log, appended to at its end. Partition ${busiest.partition} holds ${offsetsText(busiest)}.` : "an ordered log."],
      ["Offset", newest ? `a record's number in its partition, from 0. The newest acknowledged record of partition ${busiest.partition} is offset ${newest.offset}; partition ${partitions.find((p) => p !== busiest)?.partition ?? 0} counts its own offsets.` : "a record's number in its partition, from 0."],
      ["Key", keys.length ? `decides the partition: the same key always goes to the same one (${keys.slice(0, 3).map(([k, p]) => `${k} → ${p}`).join(", ")}).` : "decides the partition."],
      ["Broker", `a server that stores partitions: ${frame.state.brokers.length} here, one per zone. Each partition has a leader (★) that takes the writes, and followers that copy it.`],
      ["Producer", `appends records to the leaders: ${plural(frame.ledger.sent, "record")} sent, ${frame.ledger.acked} acknowledged.`],
      ["Consumer", reader ? `reads its partitions in offset order. ${reader.name} reads ${reader.partitions.join(", ")}; reading deletes nothing.` : "reads partitions in offset order; none reads now."],
      ["Consumer group", `${view.group}: ${plural(consumers.filter((c) => c.partitions.length).length, "member")} sharing the partitions, each partition read by one member only.`],
      ["Committed offset", done.length ? `where the group starts again after a restart: ${done.map(([tp, o]) => `${tp.split("-").pop()}: ${o}`).join(", ")} (by partition).` : "where the group starts again after a restart; none committed yet."],
    ];
    glossary.replaceChildren(...entries.map(([term, text]) => {
      const div = el("div", { "data-term": term });
      div.append(el("dt", {}, term), el("dd", {}, text));
      return div;
    }));
  }

  function renderTable(view, committed) {
    const rows = view.partitions.map((p) => {
      const reader = view.consumers.find((c) => c.partitions.includes(p.partition));
      return [p.partition, p.leader, p.log_end_offset, reader?.name ?? "nobody", reader?.positions[String(p.partition)] ?? "-",
        committed[`${view.topic}-${p.partition}`] ?? "none"];
    });
    table.replaceChildren(...rows.map((cells) => {
      const tr = el("tr");
      for (const c of cells) tr.append(el("td", {}, String(c)));
      return tr;
    }));
  }

  function render(frame) {
    if (!frame.lab) return;
    lab = frame.lab;
    renderPartitions(lab, lab.committed);
    renderMembers(lab);
    renderGlossary(lab, frame);
    renderTable(lab, lab.committed);
    const stored = lab.partitions.reduce((s, p) => s + (p.log_end_offset ?? 0), 0);
    const read = lab.partitions.reduce((s, p) => s + p.records.filter((r) => r.read_by).length, 0);
    countsBox.querySelector('[data-count="sent"]').textContent = String(frame.ledger.sent);
    countsBox.querySelector('[data-count="stored"]').textContent = String(stored);
    countsBox.querySelector('[data-count="shown-read"]').textContent = `${read} of ${lab.partitions.reduce((s, p) => s + p.records.length, 0)}`;
  }

  function events(list) {
    for (const e of list) {
      switch (e.kind) {
        case "produce.appended":
          if (!told.has(e.partition)) {
            told.add(e.partition);
            ctx.narrate(`Partition ${e.partition} got its first record: offset ${e.base_offset}, on its leader, broker ${e.broker}.`);
          }
          break;
        case "consumer.assigned": ctx.narrate(`${e.member} now reads partition${e.partitions.length > 1 ? "s" : ""} ${e.partitions.map((p) => p[1]).join(", ")}.`); break;
        case "consumer.revoked": ctx.narrate(`${e.member} gives up partition${e.partitions.length > 1 ? "s" : ""} ${e.partitions.map((p) => p[1]).join(", ")}: the group is sharing them out again.`); break;
        case "consumer.committed": ctx.narrate(`${e.member} committed ${e.offsets.map(([, p, o]) => `partition ${p} at ${o}`).join(", ")}.`, { routine: true }); break;
        case "consumer.closed": ctx.narrate(`${e.member} closed: its partitions go to the members left; the records stay in the log.`); break;
        default: break;
      }
    }
  }

  return { render, events, reset() { told.clear(); } };
}
