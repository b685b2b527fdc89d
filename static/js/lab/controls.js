// Control messages to a lab's session, so that every one counts (docs/protocol.md, "Control messages").
// - Each carries an `id`; a frame's `done` (or an error's `id`) says the server took it.
// - They leave no faster than the server takes them (hello.limits: messages_per_sec, a bucket of
//   message_burst); one refused for rate all the same (`rate_limited`, `retry_ms`) is sent again.
// - A setting, the speed and the timeline keep their latest value only: while one value is on its
//   way the next one waits, and a newer one replaces it. So 15 presses on a slider end at the 15th
//   value however slow the network, and the server rebuilds the run a few times, not 15.
// - Other messages (a fault, pause, step) are sent in order, each of them.

// Messages whose latest value is all that matters, by key.
const LATEST = { set_config: (f) => `set_config:${f.name}`, speed: () => "speed", seek: () => "seek" };
// A message not confirmed in this long no longer holds back the next value of its key
// (frames stop while the page draws none, in a hidden tab).
const CONFIRM_WAIT_MS = 2000;

export class ControlChannel {
  constructor(transmit) {
    this.transmit = transmit; // (type, fields with id) => void
    this.nextId = 1;
    this.queue = [];          // not yet sent, in order
    this.inflight = new Map(); // id -> message sent, not yet confirmed
    this.parked = new Map();   // key -> newest value, waiting for the one in flight
    this.open = false;
    this.rate = 30;
    this.burst = 60;
    this.tokens = 0;
    this.tokenAt = 0;
    this.holdUntil = 0;
    this.timer = null;
  }

  /** The session said hello: `first` (reopening at a moment) goes before what was asked meanwhile. */
  start(limits, first = []) {
    this.rate = limits?.messages_per_sec ?? this.rate;
    this.burst = limits?.message_burst ?? this.burst;
    this.tokens = this.burst;
    this.tokenAt = performance.now();
    this.holdUntil = 0;
    this.queue.unshift(...first.map(([type, fields]) => ({ type, fields, key: null })));
    this.open = true;
    this.pump();
  }

  /** The socket closed: what it had not confirmed went with the session (a reopen starts from the page's state). */
  stop() {
    this.open = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.inflight.clear();
    this.parked.clear();
  }

  send(type, fields = {}) {
    const key = LATEST[type]?.(fields) ?? null;
    const message = { type, fields, key };
    if (key !== null && this.keyInFlight(key)) {
      this.parked.set(key, message);
      this.schedule(CONFIRM_WAIT_MS);
      return;
    }
    // A message of another kind keeps its place after the values asked for before it; a newer value of a key
    // replaces one still parked (its wait ran out, and the pump has not moved it on yet).
    if (key === null) for (const k of [...this.parked.keys()]) this.unpark(k);
    else this.parked.delete(key);
    const tail = this.queue.at(-1);
    if (key !== null && tail?.key === key) this.queue[this.queue.length - 1] = message;
    else this.queue.push(message);
    this.pump();
  }

  /** A value of `key` asked for and not yet in a frame: a frame must not put its control back. */
  pending(key) {
    return this.parked.has(key) || this.queue.some((m) => m.key === key) || this.keyInFlight(key);
  }

  /** Frames say the session took every message up to `done`. */
  confirm(done) {
    if (done === undefined || done === null) return;
    for (const [id, message] of this.inflight) {
      if (id > done) continue;
      this.inflight.delete(id);
      if (message.key !== null && !this.keyInFlight(message.key)) this.unpark(message.key);
    }
    this.pump();
  }

  /** An error frame: true when it was a refusal for rate, and the message goes again (the page says nothing). */
  refused(error) {
    const message = this.inflight.get(error.id);
    if (!message) return false;
    this.inflight.delete(error.id);
    if (error.code === "rate_limited") {
      const superseded = message.key !== null && this.pending(message.key);
      if (!superseded) this.queue.unshift({ ...message, id: undefined });
      // The server's bucket is empty: so is ours, until it said it has room again.
      this.holdUntil = performance.now() + (error.retry_ms ?? 1000 / this.rate);
      this.tokens = 0;
      this.tokenAt = performance.now();
      this.pump();
      return true;
    }
    if (message.key !== null) this.unpark(message.key);
    this.pump();
    return false;
  }

  /** A frame lists the ids the session refused for rate (their error frames may have been dropped): send them again. */
  retry(ids) {
    for (const id of ids ?? []) if (this.inflight.has(id)) this.refused({ id, code: "rate_limited" });
  }

  keyInFlight(key) {
    const now = performance.now();
    for (const m of this.inflight.values()) if (m.key === key && now - m.sentAt < CONFIRM_WAIT_MS) return true;
    return false;
  }

  unpark(key) {
    const message = this.parked.get(key);
    if (!message) return;
    this.parked.delete(key);
    this.queue.push(message);
  }

  pump() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.open) return;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokenAt) / 1000) * this.rate);
    this.tokenAt = now;
    for (const key of [...this.parked.keys()]) if (!this.keyInFlight(key)) this.unpark(key);
    while (this.queue.length && this.tokens >= 1 && now >= this.holdUntil) {
      const message = this.queue.shift();
      message.id = this.nextId++;
      message.sentAt = now;
      this.tokens -= 1;
      this.inflight.set(message.id, message);
      this.transmit(message.type, { ...message.fields, id: message.id });
    }
    if (this.queue.length) {
      this.schedule(Math.max(this.holdUntil - now, ((1 - this.tokens) / this.rate) * 1000, 1));
    } else if (this.parked.size) this.schedule(CONFIRM_WAIT_MS);
    // Confirmed long ago or never: forget, so `inflight` stays small.
    for (const [id, m] of this.inflight) if (now - m.sentAt > 30000) this.inflight.delete(id);
  }

  schedule(ms) {
    if (this.timer === null && this.open) this.timer = setTimeout(() => this.pump(), ms);
  }
}
