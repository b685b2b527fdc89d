// The messages the picture draws travelling, from each frame's ``flow`` section
// (docs/protocol.md): a token is on its path from ``send_ms`` to ``arrive_ms`` and sits at
// (now - send) / (arrive - send) of it. A dropped response (``lost``) travels and never
// arrives: it ends with a mark where it would have. One an isolation swallows ends where it
// was at that moment. Nothing is placed by wall time: pause, step and seek move the page's
// virtual time, and every token follows it.

/** The hook name of a message type: ``produce.response`` is drawn as ``produce-response``. */
export function kindOf(type) {
  return type.replace(/\./g, "-");
}

/** Travel as three stops (near the start, half way, near the end) for reduced motion: moves without gliding. */
export function stepped(f) {
  return f < 1 / 3 ? 1 / 6 : f < 2 / 3 ? 1 / 2 : 5 / 6;
}

export function fraction(token, now) {
  const span = token.arrive - token.send;
  return span > 0 ? (now - token.send) / span : 1;
}

/** A mark lasts this long in wall time at the run's speed (virtual time: pausing keeps it). */
const MARK_WALL_MS = 1600;

export class TokenStore {
  constructor() {
    this.tokens = new Map();
    this.marks = [];
    this.onAdd = null; // (token) => void: a hook for the handles (handles.js)
    this.onRemove = null;
    this.passed = {}; // per kind, messages that came and went between two frames (since the last read)
    this.omitted = 0;
  }

  clear() {
    for (const token of this.tokens.values()) this.onRemove?.(token);
    this.tokens.clear();
    this.marks = [];
  }

  /** A frame's flow section. */
  apply(flow) {
    if (flow.redraw) this.clear();
    for (const m of flow.in_flight) this.add(m);
    for (const m of flow.passed) {
      const kind = kindOf(m.type);
      this.passed[kind] = (this.passed[kind] ?? 0) + 1;
      // Came and went between two frames, lost on the way: its mark is still worth a look.
      if (m.lost) this.marks.push({ id: m.id, kind, t: m.lost_ms ?? m.arrive_ms, reason: m.lost, src: m.src, dst: m.dst, f: m.arrive_ms < 0 ? 0 : 1 });
    }
    for (const l of flow.lost) {
      const token = this.tokens.get(l.id);
      if (token) {
        token.lost = l.reason;
        token.end = Math.min(token.end, l.t);
      }
    }
    this.omitted += flow.omitted.in_flight + flow.omitted.passed;
  }

  add(m) {
    if (this.tokens.has(m.id)) return;
    const token = {
      id: m.id, type: m.type, kind: kindOf(m.type), src: m.src, dst: m.dst, send: m.send_ms, arrive: m.arrive_ms,
      end: m.arrive_ms, bytes: m.bytes, lost: m.lost ?? null, msg: m, path: null, x: NaN, y: NaN, drawnAt: NaN,
    };
    this.tokens.set(m.id, token);
    this.onAdd?.(token);
  }

  /** Tokens past their end at ``now`` leave; a lost one leaves a mark where it ended. */
  prune(now) {
    for (const token of this.tokens.values()) {
      if (now < token.end) continue;
      this.tokens.delete(token.id);
      this.onRemove?.(token);
      if (token.lost) this.marks.push({ id: token.id, kind: token.kind, t: token.end, reason: token.lost, src: token.src, dst: token.dst, f: fraction(token, token.end), path: token.path });
    }
  }

  /** Marks still shown at ``now`` (they last MARK_WALL_MS of wall time at ``speed``). */
  liveMarks(now, speed) {
    const span = MARK_WALL_MS * Math.max(speed, 0.001);
    this.marks = this.marks.filter((m) => now - m.t < span || now < m.t);
    return this.marks.filter((m) => now >= m.t);
  }

  /** Tokens drawn at ``now``: sent, not yet ended. */
  *visible(now) {
    for (const token of this.tokens.values()) if (token.send <= now && now < token.end) yield token;
  }

  /** What came and went between frames, and what the server's caps left out, since the last call. */
  takeUnseen() {
    const out = { passed: this.passed, omitted: this.omitted };
    this.passed = {};
    this.omitted = 0;
    return out;
  }
}
