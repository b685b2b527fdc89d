// Draws the travelling tokens on a canvas laid over the picture. Canvas 2D because it was
// measured (bench/flow_render.py, docs/flow.md): with 2,000 tokens at 1920x1080 in headless
// Chromium without a GPU, SVG elements moved by transform drew about 20 frames a second and
// absolutely placed HTML elements about 31, while rectangles filled on one canvas path per
// kind kept 60. Each kind has its own shape as well as its colour (never colour alone); past
// DENSE tokens every kind becomes a rectangle of its own proportions, which costs least.
import { pointAt } from "./geometry.js";
import { fraction, stepped } from "./tokens.js";

export const DENSE = 300;

// The kinds, their colour variable (flow.css) and shape; sizes are in picture units.
export const KINDS = {
  produce: { colour: "--flow-produce", shape: "batch", w: 20, h: 13, label: "produce request" },
  "produce-response": { colour: "--flow-response", shape: "diamond", w: 16, h: 16, label: "produce response" },
  fetch: { colour: "--flow-fetch", shape: "triangle", w: 15, h: 13, label: "fetch request" },
  "fetch-response": { colour: "--flow-fetch-response", shape: "tab", w: 17, h: 11, label: "fetch response" },
  metadata: { colour: "--flow-metadata", shape: "circle", w: 12, h: 12, label: "metadata request" },
  "metadata-response": { colour: "--flow-metadata", shape: "ring", w: 12, h: 12, label: "metadata response" },
};
// A connection's set-up (app/sim/channel.py): hexagons in ink, request and answer alike.
const SETUP = { tcp: ["TCP connect", 8], tls: ["TLS handshake", 12], api_versions: ["ApiVersions", 10],
  sasl_handshake: ["SaslHandshake", 11], sasl_authenticate: ["SaslAuthenticate", 12] };
for (const [type, [label, w]] of Object.entries(SETUP)) {
  KINDS[type] = { colour: "--flow-ink", shape: "hex", w, h: w, label };
  KINDS[`${type}-response`] = { colour: "--flow-ink", shape: "hex", w, h: w, label: `${label} answer` };
}
const OTHER = { colour: "--flow-ink", shape: "circle", w: 10, h: 10, label: "message" };

// A consumer's calls (Kafka's ApiKeys, lower case in the trace): to its group coordinator a hexagon, a commit or
// an offset lookup a bookmark, a ListOffsets the metadata circle; each answer is the same shape, hollow.
const GROUP = { colour: "--flow-ink", shape: "hexagon", w: 15, h: 13 };
const COMMIT = { colour: "--flow-commit", shape: "bookmark", w: 11, h: 15 };
const CALLS = {
  find_coordinator: [GROUP, "FindCoordinator"], join_group: [GROUP, "JoinGroup"], sync_group: [GROUP, "SyncGroup"],
  heartbeat: [GROUP, "Heartbeat"], leave_group: [GROUP, "LeaveGroup"], consumer_group_heartbeat: [GROUP, "ConsumerGroupHeartbeat"],
  offset_commit: [COMMIT, "OffsetCommit"], offset_fetch: [COMMIT, "OffsetFetch"],
  list_offsets: [{ colour: "--flow-metadata", shape: "circle", w: 12, h: 12 }, "ListOffsets"],
};
for (const [api, [look, name]] of Object.entries(CALLS)) {
  KINDS[api] = { ...look, label: `${name} request` };
  KINDS[`${api}-response`] = { ...look, hollow: true, label: `${name} answer` };
}

export function kindInfo(kind) {
  return KINDS[kind] ?? OTHER;
}

function shapePath(ctx, shape, x, y, w, h, angle) {
  switch (shape) {
    case "diamond":
      ctx.moveTo(x, y - h / 2); ctx.lineTo(x + w / 2, y); ctx.lineTo(x, y + h / 2); ctx.lineTo(x - w / 2, y); ctx.closePath();
      break;
    case "triangle": { // points where it travels
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const p = (dx, dy) => [x + dx * c - dy * s, y + dx * s + dy * c];
      const [a, b, d] = [p(w / 2, 0), p(-w / 2, -h / 2), p(-w / 2, h / 2)];
      ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.lineTo(d[0], d[1]); ctx.closePath();
      break;
    }
    case "tab":
      ctx.moveTo(x - w / 2, y - h / 2); ctx.lineTo(x + w / 2 - 4, y - h / 2); ctx.lineTo(x + w / 2, y);
      ctx.lineTo(x + w / 2 - 4, y + h / 2); ctx.lineTo(x - w / 2, y + h / 2); ctx.closePath();
      break;
    case "hex": // a connection's set-up (flat sides up)
    case "hexagon": { // a call to the group coordinator: turned a twelfth, so it is not taken for a set-up message
      const turn = shape === "hexagon" ? Math.PI / 6 : 0;
      for (let i = 0; i < 6; i++) {
        const a = Math.PI / 3 * i + turn;
        ctx[i ? "lineTo" : "moveTo"](x + Math.cos(a) * w / 2, y + Math.sin(a) * h / 2);
      }
      ctx.closePath();
      break;
    }
    case "bookmark": // a committed offset marks a place, as a bookmark does
      ctx.moveTo(x - w / 2, y - h / 2); ctx.lineTo(x + w / 2, y - h / 2); ctx.lineTo(x + w / 2, y + h / 2);
      ctx.lineTo(x, y + h / 6); ctx.lineTo(x - w / 2, y + h / 2); ctx.closePath();
      break;
    case "circle":
    case "ring":
      ctx.moveTo(x + w / 2, y); ctx.arc(x, y, w / 2, 0, Math.PI * 2);
      break;
    default: // batch
      ctx.rect(x - w / 2, y - h / 2, w, h);
  }
}

export class Painter {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.scale = 1;
    this.ox = 0; // where the picture starts in the canvas box (CSS px): the SVG centres it the same way (meet)
    this.oy = 0;
    this.dpr = 1;
    this.colours = {};
  }

  /** Fit the canvas to its box (CSS px x devicePixelRatio) and the picture (``w`` x ``h`` units) into it, as the SVG's viewBox does. */
  resize(w, h) {
    const box = this.canvas.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.scale = Math.min(box.width / w, box.height / h) || 1;
    this.ox = (box.width - w * this.scale) / 2;
    this.oy = (box.height - h * this.scale) / 2;
    const pw = Math.max(1, Math.round(box.width * this.dpr));
    const ph = Math.max(1, Math.round(box.height * this.dpr));
    if (this.canvas.width !== pw || this.canvas.height !== ph) {
      this.canvas.width = pw;
      this.canvas.height = ph;
    }
  }

  /** The colours of the current theme (flow.css custom properties), resolved: a canvas cannot read light-dark(). */
  readColours(el) {
    const probe = document.createElement("span");
    probe.hidden = true;
    el.append(probe);
    const get = (name) => {
      probe.style.color = `var(${name})`;
      return getComputedStyle(probe).color || "#888";
    };
    this.colours = Object.fromEntries(["--flow-produce", "--flow-response", "--flow-fetch", "--flow-fetch-response",
      "--flow-metadata", "--flow-commit", "--flow-ink", "--flow-paper", "--flow-bad", "--flow-focus"].map((n) => [n, get(n)]));
    probe.remove();
  }

  /**
   * Every visible token at virtual ``now``. ``opts``: ``stepped`` (reduced motion: no gliding),
   * ``highlight`` (token => bool: the followed key's), ``focus`` (a token id), ``sizeOf`` (token => [w, h] or null).
   * Each token's drawn place is kept on it (x, y, drawnAt) for hit tests, handles and tests.
   */
  draw(tokens, marks, now, opts = {}) {
    const { ctx } = this;
    const k = this.scale * this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(k, 0, 0, k, this.ox * this.dpr, this.oy * this.dpr);
    const byKind = new Map();
    let count = 0;
    for (const token of tokens) {
      if (!token.path) continue;
      const f = fraction(token, now);
      const at = pointAt(token.path, opts.stepped ? stepped(f) : f);
      token.x = at.x;
      token.y = at.y;
      token.angle = at.angle;
      token.drawnAt = now;
      let list = byKind.get(token.kind);
      if (!list) byKind.set(token.kind, (list = []));
      list.push(token);
      count += 1;
    }
    const dense = count > DENSE;
    const c = this.colours;
    const special = [];
    for (const [kind, list] of byKind) {
      const info = kindInfo(kind);
      ctx.fillStyle = c[info.colour];
      if (dense) {
        // Whole device pixels, no transform: rectangles without anti-aliasing are the cheapest to fill.
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        const w = Math.max(2, Math.round(info.w * k));
        const h = Math.max(2, Math.round(info.h * k));
        const ox = this.ox * this.dpr - w / 2;
        const oy = this.oy * this.dpr - h / 2;
        for (const t of list) ctx.fillRect(Math.round(ox + t.x * k), Math.round(oy + t.y * k), w, h);
        ctx.setTransform(k, 0, 0, k, this.ox * this.dpr, this.oy * this.dpr);
        continue;
      }
      ctx.beginPath();
      for (const t of list) {
        if (t.lost || info.shape === "ring" || info.hollow || opts.sizeOf?.(t)) { special.push(t); continue; }
        shapePath(ctx, info.shape, t.x, t.y, info.w, info.h, t.angle);
      }
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = c["--flow-ink"];
      ctx.stroke();
    }
    for (const t of special) this.drawSpecial(t, opts.sizeOf?.(t));
    if (!dense) for (const list of byKind.values()) for (const t of list) if (t.note) this.drawNote(t);
    for (const m of marks) this.drawMark(m);
    for (const b of opts.badges ?? []) this.drawBadge(b);
    if (opts.focus !== null && opts.focus !== undefined || opts.highlight) {
      for (const list of byKind.values()) for (const t of list) if (t.id === opts.focus || opts.highlight?.(t)) this.drawRing(t, t.id === opts.focus);
    }
    return count;
  }

  /** A lost answer (hollow, dashed), a ring-shaped kind, or a compressed batch (its raw size dashed, its wire size filled). */
  drawSpecial(t, size) {
    const { ctx } = this;
    const info = kindInfo(t.kind);
    const c = this.colours;
    ctx.beginPath();
    if (size) {
      const [rw, rh, ww, wh] = size;
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = c["--flow-ink"];
      ctx.lineWidth = 1.2;
      ctx.strokeRect(t.x - rw / 2, t.y - rh / 2, rw, rh);
      ctx.setLineDash([]);
      ctx.fillStyle = c[info.colour];
      ctx.fillRect(t.x - ww / 2, t.y - wh / 2, ww, wh);
      ctx.lineWidth = 1.5;
      ctx.strokeRect(t.x - ww / 2, t.y - wh / 2, ww, wh);
      return;
    }
    shapePath(ctx, info.shape, t.x, t.y, info.w, info.h, t.angle);
    if (t.lost) {
      ctx.fillStyle = c["--flow-paper"];
      ctx.fill();
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = c["--flow-bad"];
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.setLineDash([]);
    } else {
      ctx.lineWidth = 3;
      ctx.strokeStyle = c[info.colour];
      ctx.stroke();
    }
  }

  /** A message that never arrived: a cross where it ended, and the word. */
  drawMark(m) {
    if (!m.path) return;
    const { ctx } = this;
    const at = pointAt(m.path, m.f);
    const c = this.colours;
    ctx.strokeStyle = c["--flow-bad"];
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(at.x - 7, at.y - 7); ctx.lineTo(at.x + 7, at.y + 7);
    ctx.moveTo(at.x + 7, at.y - 7); ctx.lineTo(at.x - 7, at.y + 7);
    ctx.stroke();
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.fillStyle = c["--flow-bad"];
    ctx.fillText(m.reason === "isolated" ? "✕ cut off" : "✕ lost", at.x + 10, at.y - 8);
  }

  /** A word beside a token: "↻ retry" on a batch sent again. */
  drawNote(t) {
    const { ctx } = this;
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.lineWidth = 3;
    ctx.strokeStyle = this.colours["--flow-paper"];
    ctx.strokeText(t.note, t.x + 12, t.y - 9);
    ctx.fillStyle = this.colours["--flow-ink"];
    ctx.fillText(t.note, t.x + 12, t.y - 9);
  }

  /** What a broker just did to a replica, on the replica's row for a moment: a duplicate recognised, an error, the ISR. */
  drawBadge(b) {
    const { ctx } = this;
    ctx.font = "bold 13px system-ui, sans-serif";
    const w = ctx.measureText(b.text).width + 12;
    ctx.fillStyle = this.colours["--flow-paper"];
    ctx.strokeStyle = b.bad ? this.colours["--flow-bad"] : this.colours["--flow-ink"];
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.rect(b.x - w, b.y - 10, w, 20);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = this.colours["--flow-ink"];
    ctx.fillText(b.text, b.x - w + 6, b.y + 4.5);
  }

  /** A ring around a token: the followed key's, or the one in focus. */
  drawRing(t, strong) {
    const { ctx } = this;
    ctx.beginPath();
    ctx.arc(t.x, t.y, strong ? 15 : 13, 0, Math.PI * 2);
    ctx.lineWidth = strong ? 4 : 3;
    ctx.strokeStyle = this.colours["--flow-focus"];
    ctx.stroke();
  }

  /** The token under a point (CSS px relative to the canvas), or null. */
  hit(tokens, x, y) {
    const ux = (x - this.ox) / this.scale;
    const uy = (y - this.oy) / this.scale;
    let best = null;
    let bestD = 14;
    for (const t of tokens) {
      const d = Math.hypot(t.x - ux, t.y - uy);
      if (d < bestD) {
        best = t;
        bestD = d;
      }
    }
    return best;
  }
}
