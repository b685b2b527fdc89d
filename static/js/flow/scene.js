// The still part of the cluster picture, in SVG: clients and their accumulator, racks, brokers
// with their replicas as logs (leader ★ and ISR ● / ○ by shape and word, the log's committed
// cells filled, uncommitted ones hatched, the high watermark a line), the links, and faults
// drawn: a killed broker greyed and crossed, an isolated one's links cut, a slowed one's links
// long. Built once per layout, then updated in place from each frame's state; consumers and coordinators
// are consumers.js's.
import { updateConsumers } from "./consumers.js";
import { pathData } from "./geometry.js";
import { ROW } from "./layout.js";

const NS = "http://www.w3.org/2000/svg";
export const TAIL = 10; // offsets drawn per replica: the newest ones
const CELL = 13;

function node(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function setAttr(el, name, value) {
  const v = String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

export function brokerState(b) {
  if (!b) return "up";
  if (b.restarting) return "restarting";
  if (!b.alive) return "down";
  if (b.isolated) return "isolated";
  if (b.fenced) return "fenced";
  return "up";
}

export const STATE_TEXT = { up: "▲ up", down: "✕ down", restarting: "↻ restarting", isolated: "◇ cut off", fenced: "■ fenced" };

function defs() {
  const d = node("defs");
  const hatch = node("pattern", { id: "flow-hatch", width: 5, height: 5, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  hatch.append(node("rect", { width: 2.5, height: 5, class: "flow-hatch-ink" }));
  const grey = node("pattern", { id: "flow-down", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(-45)" });
  grey.append(node("rect", { width: 1.5, height: 8, class: "flow-down-ink" }));
  d.append(hatch, grey);
  return d;
}

export class Scene {
  constructor(svg) {
    this.svg = svg;
    this.layout = null;
  }

  /** Everything drawn again for a new layout (layout.js). */
  build(layout) {
    this.layout = layout;
    const svg = this.svg;
    svg.setAttribute("viewBox", `0 0 ${layout.W} ${layout.H}`);
    const links = node("g", { class: "flow-links" });
    this.links = new Map();
    for (const [key, link] of layout.links) {
      const g = node("g", { class: "flow-link", "data-link": key, "data-slow": String(link.slow > 0) });
      g.append(node("path", { d: pathData(link.request.points), class: "flow-lane" }));
      if (link.response) g.append(node("path", { d: pathData(link.response.points), class: "flow-lane" }));
      const mid = link.request.points[Math.floor(link.request.points.length / 2)];
      const cut = node("text", { x: mid[0], y: mid[1] - 12, class: "flow-cut", "text-anchor": "middle" }, "✂ cut");
      g.append(cut);
      if (link.slow > 0) g.append(node("text", { x: mid[0], y: mid[1] - 16, class: "flow-slow", "text-anchor": "middle" }, `+${link.slow} ms`));
      links.append(g);
      this.links.set(key, g);
    }
    const racks = node("g", { class: "flow-racks" });
    for (const r of layout.racks) {
      racks.append(node("rect", { x: r.x, y: r.y, width: r.w, height: r.h, rx: 8, class: "flow-rack" }),
        node("text", { x: r.x + 8, y: r.y + 13, class: "flow-rack-label" }, `rack ${r.name}`));
    }
    const clients = node("g", { class: "flow-clients" });
    this.clients = new Map();
    for (const [name, box] of layout.clients) {
      const g = node("g", { class: "flow-client", "data-client": name, "data-client-kind": box.kind });
      const title = box.member ?? name;
      g.append(node("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6, class: "flow-box" }),
        node("text", { x: box.x + 10, y: box.y + 20, class: "flow-title" }, title.startsWith(box.kind) ? title : `${box.kind} ${title}`),
        node("text", { x: box.x + box.w - 10, y: box.y + 20, class: "flow-state", "text-anchor": "end", "data-client-state": "" }),
        node("text", { x: box.x + 10, y: box.y + 38, class: "flow-note", "data-client-config": "" }));
      const rows = new Map();
      for (const [p, row] of box.rows) {
        const r = node("g", { class: "flow-acc-row", "data-acc-partition": p });
        r.append(node("text", { x: row.x, y: row.y + ROW / 2 + 5, class: "flow-label" }, `P${p}`),
          node("g", { "data-batches": "" }),
          node("text", { x: row.x + row.w, y: row.y + ROW / 2 + 5, class: "flow-note", "text-anchor": "end", "data-inflight": "" }));
        rows.set(p, r);
        g.append(r);
      }
      if (box.records) g.append(node("g", { class: "flow-records", "data-records": "" }));
      if (box.buffer) {
        const b = box.buffer;
        g.append(node("text", { x: b.x, y: b.y + 12, class: "flow-note", "data-buffer-text": "" }),
          node("rect", { x: b.x, y: b.y + 18, width: b.w, height: 12, class: "flow-gauge" }),
          node("rect", { x: b.x, y: b.y + 18, width: 0, height: 12, class: "flow-gauge-used", "data-buffer-used": "" }));
      }
      this.clients.set(name, { g, box, rows });
      clients.append(g);
    }
    const brokers = node("g", { class: "flow-brokers" });
    this.brokers = new Map();
    for (const [id, box] of layout.brokers) {
      const g = node("g", { class: "flow-broker", "data-flow-broker": id, "data-state": "up" });
      // The cross over a dead broker, under its words: drawn always, shown by [data-state="down"] (flow.css).
      const cross = node("path", { d: `M${box.x + 4},${box.y + 4} L${box.x + box.w - 4},${box.y + box.h - 4} M${box.x + box.w - 4},${box.y + 4} L${box.x + 4},${box.y + box.h - 4}`, class: "flow-cross" });
      g.append(node("rect", { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6, class: "flow-box" }), cross,
        node("text", { x: box.x + 10, y: box.y + 20, class: "flow-title" }, `Broker ${id}`),
        node("text", { x: box.x + 92, y: box.y + 20, class: "flow-coordinator", "data-coordinator": "" }),
        node("text", { x: box.x + box.w - 10, y: box.y + 20, class: "flow-state", "text-anchor": "end", "data-broker-state": "" }));
      const reps = new Map();
      for (const [p, rep] of box.replicas) {
        const r = node("g", { class: "flow-replica", "data-replica-partition": p });
        const y = rep.y;
        r.append(node("text", { x: box.x + 10, y: y + ROW / 2 + 5, class: "flow-label", "data-rep-label": "" }));
        const cells = node("g", { "aria-hidden": "true" });
        for (let i = 0; i < TAIL; i++) cells.append(node("rect", { x: box.x + 84 + i * CELL, y: y + 5, width: CELL - 2, height: ROW - 10, class: "flow-cell" }));
        r.append(cells, node("line", { x1: 0, y1: y + 2, x2: 0, y2: y + ROW - 2, class: "flow-hw", "data-hw-line": "" }),
          node("text", { x: box.x + box.w - 8, y: y + ROW / 2 + 5, class: "flow-note", "text-anchor": "end", "data-offsets": "" }));
        reps.set(p, { g: r, cells: [...cells.children] });
        g.append(r);
      }
      this.brokers.set(id, { g, box, reps });
      brokers.append(g);
    }
    svg.replaceChildren(defs(), racks, links, clients, brokers);
  }

  /** The state of one frame: brokers, replicas, the producer's accumulator and buffer. */
  update(state, extra = {}) {
    const byId = new Map(state.brokers.map((b) => [b.broker, b]));
    for (const [id, { g }] of this.brokers) {
      const s = brokerState(byId.get(id));
      setAttr(g, "data-state", s);
      setText(g.querySelector("[data-broker-state]"), STATE_TEXT[s]);
    }
    for (const [key, g] of this.links) {
      const [a, b] = key.split(">");
      const cut = [a, b].some((end) => byId.get(Number(end))?.isolated);
      setAttr(g, "data-cut", cut);
    }
    for (const p of state.partitions) this.updatePartition(p, extra.marked?.get(p.partition));
    const producer = [...this.clients.values()].find((c) => c.box.kind === "producer");
    if (producer) this.updateProducer(producer, state, extra);
    if (extra.groups) updateConsumers(this, extra.groups);
  }

  updatePartition(p, marked) {
    const top = Math.max(0, ...Object.values(p.logs).map((l) => l.leo));
    const first = Math.max(0, top - TAIL);
    for (const r of p.replicas) {
      const rep = this.brokers.get(r)?.reps.get(p.partition);
      if (!rep) continue;
      const log = p.logs[String(r)];
      const leader = r === p.leader;
      const inIsr = p.isr.includes(r);
      setAttr(rep.g, "data-role", leader ? "leader" : "follower");
      setAttr(rep.g, "data-in-isr", inIsr);
      setText(rep.g.querySelector("[data-rep-label]"), `P${p.partition} ${leader ? "★" : "·"} ${inIsr ? "●" : "○"}`);
      const committed = Math.min(log.hw, log.leo);
      rep.cells.forEach((cell, i) => {
        const offset = first + i;
        const cls = offset < committed ? "flow-cell committed" : offset < log.leo ? "flow-cell uncommitted" : "flow-cell";
        setAttr(cell, "class", marked?.has(offset) && offset < log.leo ? `${cls} followed` : cls);
      });
      const hwLine = rep.g.querySelector("[data-hw-line]");
      const x = Number(rep.cells[0].getAttribute("x")) + Math.max(0, Math.min(TAIL, log.hw - first)) * CELL - 1;
      setAttr(hwLine, "x1", x);
      setAttr(hwLine, "x2", x);
      setText(rep.g.querySelector("[data-offsets]"), `LEO ${log.leo} · HW ${log.hw}`);
    }
  }

  updateProducer({ g, box, rows }, state, extra) {
    const prod = state.producer;
    const acks = { "-1": "all", 0: "0", 1: "1" }[prod.acks] ?? prod.acks;
    setText(g.querySelector("[data-client-config]"), `acks=${acks}${prod.idempotent ? ` · idempotent (id ${prod.producer_id})` : ""} · ${prod.in_flight} in flight`);
    const buf = state.buffer;
    for (const [p, row] of rows) {
      const queue = extra.queues?.get(p) ?? [];
      const info = buf?.partitions?.[p];
      const slots = row.querySelector("[data-batches]");
      const rowBox = box.rows.get(p);
      // As many batches as the row holds beside its in-flight count (a short one when the send(key) column is drawn).
      const narrow = rowBox.w < 250;
      const shown = queue.slice(0, Math.max(1, Math.floor((rowBox.w - 34 - (narrow ? 70 : 150)) / 30)));
      while (slots.children.length > shown.length) slots.lastChild.remove();
      shown.forEach((b, i) => {
        let el = slots.children[i];
        if (!el) {
          el = node("g", { class: "flow-batch" });
          el.append(node("rect", { class: "flow-batch-box" }), node("rect", { class: "flow-batch-fill" }),
            node("text", { class: "flow-batch-count", "text-anchor": "middle" }));
          slots.append(el);
        }
        const x = rowBox.x + 34 + i * 30;
        const [outline, fill, count] = el.children;
        for (const [k, v] of Object.entries({ x, y: rowBox.y + 5, width: 26, height: ROW - 10 })) setAttr(outline, k, v);
        for (const [k, v] of Object.entries({ x, y: rowBox.y + 5, width: (26 * Math.min(1, b.fill ?? 0)).toFixed(1), height: ROW - 10 })) setAttr(fill, k, v);
        // Without the lab's view of the accumulator the fill is unknown: the batch says how many records it holds.
        setAttr(count, "x", x + 13);
        setAttr(count, "y", rowBox.y + ROW / 2 + 4);
        setText(count, String(b.records));
        setAttr(el, "data-full", Boolean(b.full));
        setAttr(el, "data-followed", Boolean(b.followed));
      });
      const more = queue.length - shown.length;
      setText(row.querySelector("[data-inflight]"), `${more > 0 ? `+${more} · ` : ""}${info ? `↗ ${info.in_flight}${narrow ? "" : " in flight"}` : ""}`);
    }
    const text = g.querySelector("[data-buffer-text]");
    if (text && buf) {
      const used = buf.total - buf.available;
      const mb = (n) => `${(n / 1048576).toFixed(n >= 10485760 ? 0 : 2)} MB`;
      const blocked = buf.blocked_since !== null ? ` · ‖ send() blocked ${((state.now - buf.blocked_since) / 1000).toFixed(1)} s` : "";
      setText(text, `buffer.memory ${mb(buf.total)}, ${mb(used)} used${blocked}`);
      setAttr(g.querySelector("[data-buffer-used]"), "width", ((box.buffer.w * used) / Math.max(1, buf.total)).toFixed(1));
      setAttr(g, "data-blocked", buf.blocked_since !== null);
    }
    const records = g.querySelector("[data-records]");
    if (records && extra.records) this.drawRecords(records, box, extra.records);
  }

  /** The last records sent: their key, and a line to the partition the partitioner chose (fan-out). */
  drawRecords(el, box, records) {
    const area = box.records;
    const shown = records.slice(-Math.max(1, Math.floor(area.h / ROW)));
    const parts = [node("text", { x: area.x, y: area.y - 4, class: "flow-note" }, "send(key)")];
    shown.forEach((r, i) => {
      const y = area.y + i * ROW + ROW / 2;
      const row = box.rows.get(r.partition);
      const g = node("g", { class: "flow-record", "data-record-key": r.key ?? "", "data-followed": String(Boolean(r.followed)) });
      g.append(node("rect", { x: area.x, y: y - 9, width: area.w, height: 18, rx: 4, class: "flow-chip" }),
        node("text", { x: area.x + 5, y: y + 5, class: "flow-chip-text" }, r.key ?? "null key"));
      if (row) g.append(node("path", { d: `M${area.x + area.w},${y} L${row.x - 2},${row.y + ROW / 2}`, class: "flow-fan" }));
      parts.push(g);
    });
    el.replaceChildren(...parts);
  }
}
