// Records you can follow: which batch each record went into (its key and the partition murmur2
// chose, from ``record.sent``), the accumulator's batches and the last records sent (the frame's
// ``flow.accumulator`` and ``flow.records``), the offsets each batch got
// (``produce.appended``), retries, and the batch sizes before and after compression (the lab's
// ``departed`` list where a lab keeps one). A key chosen to follow marks its records' batches, the
// requests and answers that carry them, and their offsets in every replica's log.
const KEEP_BATCHES = 4000;
const KEEP_KEYS = 200;
const KEYS_PER_BATCH = 64;

export class RecordBook {
  constructor() {
    this.reset();
  }

  reset() {
    this.batches = new Map(); // batch id -> { partition, records, keys, offsets: [base, last], attempt, raw, wire }
    this.recent = []; // the last records sent: { key, partition, batch } (flow.records)
    this.keys = new Set();
    this.followed = null;
  }

  batch(id, partition) {
    let b = this.batches.get(id);
    if (!b) {
      b = { id, partition, records: 0, keys: new Set(), offsets: null, attempt: 1, raw: null, wire: null };
      this.batches.set(id, b);
      if (this.batches.size > KEEP_BATCHES) this.batches.delete(this.batches.keys().next().value);
    }
    return b;
  }

  /** A frame's events (docs/sim.md, "Trace kinds"). */
  events(list) {
    for (const e of list) {
      switch (e.kind) {
        case "record.sent": {
          const b = this.batch(e.batch, e.partition);
          b.records += 1;
          if (e.key !== null && b.keys.size < KEYS_PER_BATCH) b.keys.add(e.key);
          if (e.key !== null && this.keys.size < KEEP_KEYS) this.keys.add(e.key);
          break;
        }
        case "record.retried":
          this.batch(e.batch, e.partition).attempt = e.attempt;
          break;
        case "produce.appended":
          this.batch(e.batch, e.partition).offsets = [e.base_offset, e.last_offset];
          break;
        default:
          break;
      }
    }
  }

  /** A produce request left: its batches' size on the wire is known. */
  sent(token) {
    if (token.type !== "produce" || !token.msg.batches) return;
    for (const [partition, id, records, bytes] of token.msg.batches) {
      const b = this.batch(id, partition);
      b.wire = bytes;
      if (!b.records) b.records = records;
    }
  }

  /** Sizes before compression from a lab's ``departed`` list (batching, compression, throughput labs). */
  sizes(departed) {
    for (const d of departed ?? []) {
      if (d.uncompressed === undefined) continue;
      const b = this.batch(d.batch, d.partition);
      b.raw = d.uncompressed;
      b.wire = d.bytes;
    }
  }

  /** Each partition's queue for the picture, from the frame's ``flow.accumulator`` (app/live/flow.py): the run's state. */
  queues(acc) {
    const out = new Map();
    (acc?.partitions ?? []).forEach((batches, partition) => {
      out.set(partition, batches.map(([batch, records, bytes, full]) => ({
        batch, records, fill: bytes / acc.batch_size, full, followed: this.holds(batch),
      })));
    });
    return out;
  }

  /** The last records sent, from the frame's ``flow.records``: [key, partition, batch] each. */
  recentFrom(records) {
    if (records) this.recent = records.map(([key, partition, batch]) => ({ key, partition, batch }));
  }

  holds(batchId) {
    return this.followed !== null && Boolean(this.batches.get(batchId)?.keys.has(this.followed));
  }

  /** Whether a token carries the followed key: a request or answer with one of its batches, or a fetch answer with its
   *  offsets (``marked``: this.marked(), worked out once a paint). */
  carries(token, marked) {
    if (this.followed === null) return false;
    const m = token.msg;
    if (token.type === "produce") return (m.batches ?? []).some(([, id]) => this.holds(id));
    if (token.type === "produce.response") return (m.results ?? []).some(([, id]) => this.holds(id));
    if (token.type === "fetch.response") {
      return (m.partitions ?? []).some(([, p, from, to]) => [...(marked.get(p) ?? [])].some((o) => o >= from && o < to));
    }
    return false;
  }

  /** The followed key's offsets, per partition (as the leader appended its batches). */
  marked() {
    const out = new Map();
    if (this.followed === null) return out;
    for (const b of this.batches.values()) {
      if (!b.offsets || !b.keys.has(this.followed)) continue;
      const set = out.get(b.partition) ?? new Set();
      for (let o = b.offsets[0]; o <= b.offsets[1]; o++) set.add(o);
      out.set(b.partition, set);
    }
    return out;
  }

  /** A produce token's drawn size when its batches were compressed: [raw w, raw h, wire w, wire h] in picture units. */
  compressedSize(token, f) {
    if (token.type !== "produce" || !token.msg.batches) return null;
    let raw = 0;
    let wire = 0;
    for (const [, id, , bytes] of token.msg.batches) {
      const b = this.batches.get(id);
      if (!b?.raw) return null;
      raw += b.raw;
      wire += bytes;
    }
    if (raw <= wire * 1.05) return null;
    const rs = Math.max(0.9, Math.min(2.2, Math.sqrt(raw / 1200)));
    // The batch shrinks over the first part of its trip, from its size in the accumulator to its size compressed.
    const ws = rs * Math.sqrt(wire / raw);
    const s = f >= 0.15 ? ws : rs + ((ws - rs) * Math.max(0, f)) / 0.15;
    return [20 * rs, 13 * rs, 20 * s, 13 * s];
  }

  /** Words for a produce request's batches: "P0 #12 (5 records, 512 B)". */
  describeBatches(batches) {
    return batches.map(([p, id, records, bytes]) => {
      const b = this.batches.get(id);
      const keys = b && b.keys.size ? `, keys ${[...b.keys].slice(0, 3).join(", ")}${b.keys.size > 3 ? "…" : ""}` : "";
      const raw = b?.raw && b.raw > bytes ? `, ${b.raw} B before compression` : "";
      const retry = b && b.attempt > 1 ? `, attempt ${b.attempt}` : "";
      return `P${p} batch #${id} (${records} record${records === 1 ? "" : "s"}, ${bytes} B${raw}${keys}${retry})`;
    }).join("; ");
  }
}
