// Where everything sits in the cluster picture, in the picture's own units (1000 wide): clients
// on the left (the producer with its accumulator, one queue of batches per partition), brokers
// on the right grouped by rack (broker.rack), each with its partition replicas as rows, and the
// links between them: client links straight across (requests above, answers below), replication
// between brokers as arcs on the right (one lane each way). A slowed broker's links zigzag:
// drawn long because they are slow.
import { curve, lane, polyline, zigzag } from "./geometry.js";

export const W = 1000; // the picture's width, with the replication arcs (without them it ends at the brokers)
export const ROW = 24; // a replica or accumulator row
const PAD = 10;
const HEAD = 30; // a box's title line
const CLIENT_X = 8;
const CLIENT_W = 330;
const BROKER_X = 440;
const BROKER_W = 370;
const GAP = 14;
const RACK_LABEL = 18;
const RECORDS_W = 92; // the send(key) column inside the producer, when records are drawn
const FAN_W = 44; // room for the lines from each record to its partition
const BUFFER_H = 40;

/** Each broker's replicas, in partition order: [[partition, ...], ...] by broker id. */
function replicasByBroker(state) {
  const out = new Map();
  for (const b of state.brokers) out.set(b.broker, []);
  for (const p of state.partitions) for (const r of p.replicas) out.get(r)?.push(p.partition);
  return out;
}

function clientBox({ name, kind, member }, y, partitions, opts) {
  const producer = kind === "producer";
  const rows = producer ? partitions : 0;
  const left = producer && opts.records ? RECORDS_W + FAN_W : 0;
  const top = HEAD + 16 + (left ? 18 : 0); // the send(key) column has a heading
  const h = top + rows * ROW + (producer && opts.buffer ? BUFFER_H : 0) + 8;
  const box = { name, kind, member, x: CLIENT_X, y, w: CLIENT_W, h, rows: new Map(), records: null, buffer: null };
  for (let i = 0; i < rows; i++) box.rows.set(i, { x: CLIENT_X + left + 8, y: y + top + i * ROW, w: CLIENT_W - left - 16, h: ROW });
  if (left) box.records = { x: CLIENT_X + 8, y: y + top, w: RECORDS_W - 8, h: rows * ROW };
  if (producer && opts.buffer) box.buffer = { x: CLIENT_X + 8, y: y + h - BUFFER_H - 4, w: CLIENT_W - 16, h: BUFFER_H - 6 };
  return box;
}

/** The layout for a topology (docs/protocol.md, ``flow.topology``) and a frame's ``state``. */
export function computeLayout(topology, state, opts = {}) {
  const partitions = state.partitions.length;
  const owned = replicasByBroker(state);
  // Brokers in rack order, so each rack's brokers sit together inside one frame.
  const brokers = [...topology.brokers].sort((a, b) => String(a.rack ?? "").localeCompare(String(b.rack ?? "")) || a.broker - b.broker);
  const racked = brokers.some((b) => b.rack);
  const layout = { W, clients: new Map(), brokers: new Map(), racks: [], links: new Map(), slow: new Map() };
  let y = PAD;
  let rack;
  for (const b of brokers) {
    if (racked && b.rack !== rack) {
      if (layout.racks.length) y += GAP;
      rack = b.rack;
      layout.racks.push({ name: rack ?? "no rack", x: BROKER_X - 8, y, w: BROKER_W + 16, h: 0 });
      y += RACK_LABEL;
    }
    const reps = owned.get(b.broker) ?? [];
    const h = HEAD + Math.max(1, reps.length) * ROW + 6;
    const box = { id: b.broker, rack: b.rack, x: BROKER_X, y, w: BROKER_W, h, replicas: new Map() };
    reps.forEach((p, i) => box.replicas.set(p, { y: y + HEAD + i * ROW }));
    layout.brokers.set(b.broker, box);
    y += h + GAP;
    if (racked) {
      const r = layout.racks[layout.racks.length - 1];
      r.h = y - GAP + 8 - r.y;
    }
  }
  const brokersBottom = y - GAP + (racked ? 8 : 0);
  // Clients: the producer first (it has the accumulator), then any others, stacked.
  let cy = PAD;
  // Only the first producer has the accumulator's rows: the one a lab's settings replace.
  topology.clients.forEach((client, i) => {
    const box = clientBox(client, cy, i === 0 ? partitions : 0, opts);
    layout.clients.set(client.name, box);
    cy += box.h + GAP;
  });
  const clientsBottom = cy - GAP;
  layout.H = Math.max(brokersBottom, clientsBottom) + PAD;
  // The shorter column is centred against the taller one.
  const shift = Math.abs(brokersBottom - clientsBottom) / 2;
  const shorter = brokersBottom > clientsBottom ? [...layout.clients.values()] : [...layout.brokers.values(), ...layout.racks];
  for (const box of shorter) moveBox(box, shift);
  layout.slow = new Map(Object.entries(state.buffer?.slow_brokers ?? {}).map(([b, ms]) => [Number(b), ms]));
  // Replication arcs only where some partition has followers: with replication factor 1 nothing
  // fetches, and the picture ends at the brokers (so it is drawn larger).
  const replicated = state.partitions.some((p) => p.replicas.length > 1);
  if (!replicated) layout.W = BROKER_X + BROKER_W + PAD;
  for (const link of topology.links) if (replicated || typeof link.src === "string") addLink(layout, link);
  return layout;
}

function moveBox(box, dy) {
  box.y += dy;
  for (const row of box.rows?.values() ?? []) row.y += dy;
  for (const rep of box.replicas?.values() ?? []) rep.y += dy;
  if (box.records) box.records.y += dy;
  if (box.buffer) box.buffer.y += dy;
}

function addLink(layout, { src, dst, latency_ms: latency }) {
  const a = typeof src === "string" ? layout.clients.get(src) : layout.brokers.get(src);
  const b = typeof dst === "string" ? layout.clients.get(dst) : layout.brokers.get(dst);
  if (!a || !b) return;
  const key = `${src}>${dst}`;
  if (typeof src === "string") {
    // Client to broker: from the client's right edge, fanned out, to the broker's left edge.
    const ids = [...layout.brokers.keys()];
    const i = ids.indexOf(dst);
    const spread = Math.min(26, (a.h - 20) / Math.max(1, ids.length));
    const from = [a.x + a.w, a.y + a.h / 2 + (i - (ids.length - 1) / 2) * spread];
    const to = [b.x, b.y + b.h / 2];
    const extra = layout.slow.get(dst) ?? 0;
    const straight = (offset) => lane(from, to, offset);
    // A slowed broker's link zigzags: a turn for each doubling of its latency, up to eight.
    const turns = extra > 0 ? Math.min(8, Math.max(2, Math.round(Math.log2(latency / Math.max(1, latency - extra))))) : 0;
    const shape = (offset) => {
      const [p, q] = straight(offset);
      return turns ? zigzag(p, q, turns, 9) : [p, q];
    };
    layout.links.set(key, { src, dst, latency, slow: extra, request: polyline(shape(-6)), response: polyline(shape(6).reverse()) });
    return;
  }
  // Broker to broker: an arc on the right; downward and upward trips take different lanes.
  const x = a.x + a.w;
  const ya = a.y + a.h / 2;
  const yb = b.y + b.h / 2;
  const down = yb > ya;
  const bulge = 34 + 0.32 * Math.abs(yb - ya) + (down ? 0 : 20);
  const from = [x, ya + (down ? -5 : 5)];
  const to = [x, yb + (down ? -5 : 5)];
  layout.links.set(key, { src, dst, latency, slow: 0, request: polyline(curve(from, [x + bulge, (ya + yb) / 2], to)) });
}

/** The client drawn for a name: itself, or for a producer a lab replaced (gone from the topology), the first producer. */
function client(layout, name) {
  if (layout.clients.has(name)) return name;
  for (const [n, box] of layout.clients) if (box.kind === "producer") return n;
  return name;
}

/** The path a message from ``src`` to ``dst`` travels, or null when one end is not drawn. */
export function pathFor(layout, src, dst) {
  if (typeof src === "string") src = client(layout, src);
  if (typeof dst === "string") dst = client(layout, dst);
  if (typeof src === "string" && typeof dst !== "string") return layout.links.get(`${src}>${dst}`)?.request ?? null;
  if (typeof dst === "string" && typeof src !== "string") return layout.links.get(`${dst}>${src}`)?.response ?? null;
  return layout.links.get(`${src}>${dst}`)?.request ?? null;
}
