// Events and messages in words: what a step did ("broker 2 fetched offsets 40-44 of partition 0
// from the leader, broker 1"), and the lines the narration says about what travels. Kafka's
// names throughout; the simulator's own fields (docs/sim.md) fill them in.

const REASONS = {
  full: "it is full (batch.size)", linger: "linger.ms ran out", flush: "flush() was called", close: "the producer is closing",
  exhausted: "buffer.memory is exhausted", drained: "it rides along with a ready batch to the same broker",
  backoff: "its retry backoff is over",
};

function who(node) {
  return typeof node === "string" ? `the ${node}` : `broker ${node}`;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function offsets(from, to) {
  return to - from === 1 ? `offset ${from}` : `offsets ${from}-${to - 1}`;
}

/** One trace event in words, or null for the ones a step need not name. */
export function describeEvent(e) {
  switch (e.kind) {
    case "record.sent": return `send(${e.key ?? "null key"}) put a record in partition ${e.partition}'s batch #${e.batch}`;
    case "record.blocked": return `send() blocked: buffer.memory has ${e.available} bytes free, the record needs a ${e.bytes}-byte buffer`;
    case "buffer.exhausted": return "send() gave up waiting for buffer.memory: BufferExhaustedException";
    case "batch.created": return `partition ${e.partition} opened batch #${e.batch} in the accumulator`;
    case "batch.ready": return `batch #${e.batch} of partition ${e.partition} is ready to send: ${REASONS[e.reason] ?? e.reason}`;
    case "batch.expired": return `batch #${e.batch} of partition ${e.partition} expired (delivery.timeout.ms)`;
    case "request.sent": return `the producer sent produce request ${e.request} to broker ${e.broker} (${plural(e.batches.length, "batch")}, ${plural(e.batches.reduce((s, b) => s + b[2], 0), "record")})`;
    case "produce.appended": return `broker ${e.broker} appended batch #${e.batch} to partition ${e.partition} at ${offsets(e.base_offset, e.last_offset + 1)}`;
    case "replica.fetched": return `broker ${e.broker} fetched ${offsets(e.from_offset, e.to_offset)} of partition ${e.partition} from the leader, broker ${e.leader}`;
    case "hw.advanced": return `partition ${e.partition}'s high watermark moved to ${e.hw} on broker ${e.broker}: offsets below it are committed`;
    case "ack.received": {
      const bad = e.results.filter((r) => r[2] !== "NONE");
      return `the producer got broker ${e.broker}'s answer to request ${e.request}` + (bad.length ? ` (${bad.map((r) => r[2]).join(", ")})` : " (all batches written)");
    }
    case "produce.error": return e.side === "broker" ? `broker ${e.broker} refused batch #${e.batch}: ${e.error}` : `batch #${e.batch} got ${e.error}`;
    case "record.retried": return `batch #${e.batch} of partition ${e.partition} will be sent again (attempt ${e.attempt}) after ${e.backoff_ms} ms backoff`;
    case "batch.recompressed": return `broker ${e.broker} recompressed batch #${e.batch} from ${e.source} to ${e.target}, the topic's compression.type (${e.bytes_before} → ${e.bytes_after} bytes)`;
    case "duplicate.rejected": return `broker ${e.broker} recognised batch #${e.batch} as a duplicate (producer id ${e.producer_id}, sequence ${e.base_sequence}) and answered with its first offset, ${e.offset}, without appending it again`;
    case "response.dropped": return `broker ${e.broker}'s answer to request ${e.request} was lost on its way (${e.reason})`;
    case "request.timeout": return `request ${e.request} to broker ${e.broker} timed out (request.timeout.ms ${e.timeout_ms}): the connection is closed`;
    case "request.disconnected": return `request ${e.request} to broker ${e.broker} was cut off (${e.reason})`;
    case "isr.shrunk": return `partition ${e.partition}'s ISR shrank to ${e.isr.join(", ")}`;
    case "isr.expanded": return `partition ${e.partition}'s ISR grew to ${e.isr.join(", ")}`;
    case "leader.elected": return `broker ${e.leader} is partition ${e.partition}'s leader (epoch ${e.epoch})`;
    case "partition.offline": return `partition ${e.partition} is offline: no replica can lead it`;
    case "log.truncated": return `broker ${e.broker} truncated partition ${e.partition}'s log to match the leader`;
    case "broker.down": return `broker ${e.broker} went down`;
    case "broker.up": return `broker ${e.broker} is up again`;
    case "broker.fenced": return `the controller fenced broker ${e.broker}`;
    case "broker.restarting": return `broker ${e.broker} is restarting`;
    case "network.isolated": return `broker ${e.broker} was cut off from the network`;
    case "network.healed": return `broker ${e.broker} can be reached again`;
    case "network.latency": return `every message to and from broker ${e.broker} now takes ${e.extra_ms} ms longer`;
    case "metadata.updated": return "the producer learned the partitions' leaders (metadata)";
    default: return null;
  }
}

/** Marks for the replicas a broker event touched: [{ broker, partition (null: the broker), text, bad }]. */
export function badgeFor(e) {
  switch (e.kind) {
    case "duplicate.rejected": return [{ broker: e.broker, partition: e.partition, text: `⧉ duplicate of offset ${e.offset}: not appended`, bad: false }];
    case "produce.error": return e.side === "broker" ? [{ broker: e.broker, partition: e.partition, text: `✕ ${e.error}`, bad: true }] : [];
    case "isr.shrunk": return e.removed.map((b) => ({ broker: b, partition: e.partition, text: "○ out of the ISR", bad: true }));
    case "isr.expanded": return e.added.map((b) => ({ broker: b, partition: e.partition, text: "● back in the ISR", bad: false }));
    case "leader.elected": return e.leader < 0 ? [] : [{ broker: e.leader, partition: e.partition, text: `★ new leader, epoch ${e.epoch}`, bad: false }];
    case "log.truncated": return [{ broker: e.broker, partition: e.partition, text: "✂ log truncated", bad: true }];
    case "broker.fenced": return [{ broker: e.broker, partition: null, text: "■ fenced by the controller", bad: true }];
    default: return [];
  }
}

/** A message leaving, in words (the trace has no other event for a fetch or a metadata request). */
export function describeMessage(m) {
  switch (m.type) {
    case "fetch": {
      const parts = m.partitions ?? [];
      const who_ = typeof m.src === "string" ? `the consumer ${m.src}` : `broker ${m.src}`;
      return `${who_} asked broker ${m.dst} for new records (${typeof m.src === "string" ? "a consumer's" : "a follower's"} fetch` +
        `${parts.length ? `, partition ${parts.map((p) => `${p[1]} from offset ${p[2]}`).join(", ")}` : ""})`;
    }
    case "fetch.response": {
      const moved = (m.partitions ?? []).filter((p) => p[3] > p[2]);
      return `broker ${m.src} answered ${who(m.dst)}'s fetch` + (moved.length ? ` with ${moved.map((p) => `${offsets(p[2], p[3])} of partition ${p[1]}`).join(", ")}` : " (nothing new)");
    }
    case "metadata": return `${who(m.src)} asked broker ${m.dst} for metadata`;
    case "metadata.response": return `broker ${m.src} answered the metadata request`;
    case "produce": return `${who(m.src)} sent produce request ${m.request} to broker ${m.dst}`;
    case "produce.response": return `broker ${m.src} answered produce request ${m.request}${m.lost ? ", but the answer is lost on its way" : ""}`;
    default: return `${who(m.src)} sent ${m.label ?? m.type} to ${who(m.dst)}`;
  }
}

// What a step names first: the events a learner is following, before the bookkeeping.
const RANK = ["broker.down", "broker.up", "leader.elected", "isr.shrunk", "isr.expanded", "network.isolated", "network.healed",
  "response.dropped", "duplicate.rejected", "request.timeout", "produce.error", "record.retried", "hw.advanced",
  "replica.fetched", "produce.appended", "ack.received", "request.sent", "batch.ready", "record.blocked", "buffer.exhausted",
  "batch.created", "record.sent"];

/**
 * What one step did, in at most ``most`` clauses: the events of its frame and the messages that left or
 * arrived at its instant (``left``: message.sent at the step's time; ``arrived``: tokens that arrived then).
 */
export function explainStep(now, events, left, arrived, most = 3) {
  const lines = [];
  const ranked = [...events].sort((a, b) => rank(a.kind) - rank(b.kind));
  for (const e of ranked) {
    const text = describeEvent(e);
    if (text && !lines.includes(text)) lines.push(text);
  }
  // Messages the trace has no event for (a fetch, a metadata request), and answers arriving.
  for (const m of left) if (m.type !== "produce") lines.push(describeMessage(m));
  for (const t of arrived) if (t.type === "fetch" || t.type === "metadata") lines.push(`${describeMessage(t.msg)}: it arrived`);
  if (!lines.length) return `Step to ${(now / 1000).toFixed(3)} s: the clock moved on; nothing was sent or arrived.`;
  const shown = lines.slice(0, most);
  const rest = lines.length - shown.length;
  return `Step to ${(now / 1000).toFixed(3)} s: ${shown.join("; ")}${rest > 0 ? `; and ${rest} more` : ""}.`;
}

function rank(kind) {
  const i = RANK.indexOf(kind);
  return i < 0 ? RANK.length : i;
}
