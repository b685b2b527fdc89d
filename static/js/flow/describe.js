// The picture in words: a summary of what is on the wire and what is wrong (the text
// alternative, refreshed at most once a second so a screen reader is not flooded), the list of
// the newest messages on the wire (each a button: focus or hover shows it on the picture), and
// the tip that says what a token is. The lab's tables stay, for the detail.
import { kindInfo } from "./painter.js";
import { brokerState } from "./scene.js";

const LIST = 10;
const EVERY_MS = 1000;

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What a token is, in one line: kind, ends, contents, times. */
export function tokenText(token, book) {
  const m = token.msg;
  const ends = `${typeof m.src === "string" ? m.src : `broker ${m.src}`} → ${typeof m.dst === "string" ? m.dst : `broker ${m.dst}`}`;
  let what = "";
  // A message's fields by type (docs/sim.md, "Messages"); a type without its list (a consumer's) says only its ends.
  if (m.type === "produce" && m.batches) what = `request ${m.request}, acks=${{ "-1": "all" }[m.acks] ?? m.acks}: ${book.describeBatches(m.batches)}`;
  else if (m.type === "produce.response" && m.results) what = `answer to request ${m.request}: ${m.results.map(([p, b, err, off]) => `P${p} #${b} ${err === "NONE" ? `at offset ${off}` : err}`).join("; ")}`;
  else if (m.type === "fetch" && m.partitions) what = m.partitions.map(([, p, o]) => `P${p} from offset ${o}`).join("; ");
  else if (m.label) what = `${m.label}${m.encrypted ? " (inside TLS)" : ""}`; // a connection's set-up (app/sim/channel.py)
  else if (m.type === "fetch.response" && m.partitions) what = m.partitions.map(([, p, from, to, hw]) => `P${p} ${to > from ? `offsets ${from}-${to - 1}` : "nothing new"}, leader's HW ${hw}`).join("; ");
  const lost = token.lost ? (token.lost === "isolated" ? " · ✕ cut off by the isolation" : ` · ✕ lost on its way (${token.lost})`) : "";
  const times = token.arrive < 0 ? "never left" : `${(token.send / 1000).toFixed(3)} s → ${(token.arrive / 1000).toFixed(3)} s`;
  return `${kindInfo(token.kind).label} #${token.id}, ${ends}${what ? ` · ${what}` : ""} · ${times}${lost}`;
}

/** A sentence about the picture now: messages on the wire by kind, brokers in trouble, partitions' leaders and ISR;
 *  ``unseen`` (tokens.js takeUnseen): the messages too quick to be on screen at a frame, and those the caps left out. */
export function summary(now, tokens, state, unseen = { passed: {}, omitted: 0 }) {
  const byKind = new Map();
  for (const t of tokens) byKind.set(t.kind, (byKind.get(t.kind) ?? 0) + 1);
  const total = tokens.length;
  const parts = [`At ${(now / 1000).toFixed(2)} s, ${total ? `${plural(total, "message")} on the wire` : "nothing is on the wire"}`];
  if (total) parts[0] += `: ${[...byKind].map(([k, n]) => `${n} ${kindInfo(k).label}${n === 1 ? "" : "s"}`).join(", ")}`;
  const quick = Object.values(unseen.passed).reduce((a, n) => a + n, 0);
  if (quick) parts.push(`${plural(quick, "message")} left and arrived between two frames since the last summary, too quick to draw at this speed`);
  if (unseen.omitted) parts.push(`${plural(unseen.omitted, "message")} not drawn: more were on the wire at once than a frame carries`);
  const trouble = state.brokers.map((b) => [b.broker, brokerState(b)]).filter(([, s]) => s !== "up");
  if (trouble.length) parts.push(trouble.map(([b, s]) => `broker ${b} is ${s === "isolated" ? "cut off" : s}`).join(", "));
  const slow = Object.entries(state.buffer?.slow_brokers ?? {});
  if (slow.length) parts.push(slow.map(([b, ms]) => `broker ${b}'s links are ${ms} ms slower`).join(", "));
  const brokers = (ids) => (ids.length === 1 ? `broker ${ids[0]}` : `brokers ${ids.join(", ")}`);
  parts.push(state.partitions.map((p) => `partition ${p.partition}: leader ${p.leader < 0 ? "none" : `broker ${p.leader}`}` +
    (p.replicas.length > 1 ? `, in sync: ${brokers(p.isr)}` : "")).join("; "));
  if (state.buffer?.blocked_since !== null && state.buffer?.blocked_since !== undefined) parts.push("the application's send() is blocked: buffer.memory is full");
  return `${parts.map((p) => p[0].toUpperCase() + p.slice(1)).join(". ")}.`;
}

export class Describer {
  constructor({ summaryEl, listEl, tipEl, stageEl, book, onFocus }) {
    this.summaryEl = summaryEl;
    this.listEl = listEl;
    this.tipEl = tipEl;
    this.stageEl = stageEl;
    this.book = book;
    this.onFocus = onFocus; // (id | null) => void
    this.said = -Infinity;
    this.listed = "";
    listEl?.addEventListener("focusin", (e) => this.pick(e));
    listEl?.addEventListener("pointerover", (e) => this.pick(e));
    listEl?.addEventListener("focusout", () => this.onFocus(null));
    listEl?.addEventListener("pointerleave", () => this.onFocus(null));
  }

  pick(e) {
    const button = e.target.closest("button[data-flow-item]");
    if (button) this.onFocus(Number(button.dataset.flowItem));
  }

  /** At most once a second (``force``: now, after a step, a seek or a pause). */
  update(now, tokens, state, unseen, force = false) {
    const wall = performance.now();
    if (!force && wall - this.said < EVERY_MS) return;
    this.said = wall;
    const text = summary(now, tokens, state, unseen());
    if (this.summaryEl && this.summaryEl.textContent !== text) this.summaryEl.textContent = text;
    this.stageEl?.setAttribute("aria-label", `Cluster picture. ${text}`);
    if (!this.listEl || this.listEl.contains(document.activeElement)) return; // never pull the list from under a reader
    const newest = [...tokens].sort((a, b) => b.id - a.id).slice(0, LIST);
    const key = newest.map((t) => t.id).join(",");
    if (key === this.listed) return;
    this.listed = key;
    this.listEl.replaceChildren(...newest.map((t) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.flowItem = String(t.id);
      b.textContent = tokenText(t, this.book);
      li.append(b);
      return li;
    }));
    if (!newest.length) {
      const li = document.createElement("li");
      li.textContent = "Nothing on the wire at this moment.";
      this.listEl.append(li);
    }
  }

  /** The tip beside a token (``at``: CSS px in the stage), or hidden. */
  tip(token, at) {
    if (!this.tipEl) return;
    if (!token) {
      this.tipEl.hidden = true;
      return;
    }
    this.tipEl.textContent = tokenText(token, this.book);
    this.tipEl.hidden = false;
    const w = this.stageEl.clientWidth;
    this.tipEl.style.left = `${Math.min(Math.max(0, at.x + 14), Math.max(0, w - this.tipEl.offsetWidth))}px`;
    this.tipEl.style.top = `${Math.max(0, at.y + 16)}px`;
  }
}
