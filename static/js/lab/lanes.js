// The consumers lab's rebalance chart: one lane per partition over the last WINDOW of virtual time, each
// segment its reader (its name written in it, a pattern of its own) or a gap where nobody read it (hatched,
// "stopped"), and the group's rebalances as bands across every lane. Drawn from frame.lab.lanes and
// frame.lab.rebalances (app/live/labs/group_view.py); stopWords() says the same in a sentence.
const NS = "http://www.w3.org/2000/svg";
export const WINDOW = 30000; // virtual ms drawn
const W = 540;
const LANE = 28;
const TOP = 22;
const LEFT = 30;
const MIN_GAP = 4; // a stop of a few ms is still drawn, this wide (picture units)

function node(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

export function seconds(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The stops (gaps) of each lane that overlap [from, to]: [{ partition, start, end (null: still), ms }]. */
export function stopsIn(lanes, from, to, now) {
  const out = [];
  lanes.forEach((lane, partition) => {
    for (const [start, end, who] of lane) {
      if (who !== null || start === 0) continue; // before the first assignment is not a stop
      const e = end ?? now;
      if (start <= to && e >= from) out.push({ partition, start, end, ms: e - start });
    }
  });
  return out;
}

/** The last completed rebalance, in words: who stopped and for how long. */
export function stopWords(lab) {
  const done = lab.rebalances.filter((r) => r.end !== null && r.generation > 1);
  const r = done.at(-1);
  if (!r) return "No rebalance yet since the group first formed: add, close or kill a member to start one.";
  const lanes = lab.lanes.partitions;
  const stops = stopsIn(lanes, r.start, r.end + 100, lab.now);
  const kind = r.protocol === "consumer" ? "the consumer protocol (KIP-848)"
    : r.assignor === "cooperative-sticky" ? "cooperative-sticky (incremental)" : `${r.assignor} (eager)`;
  const head = `Rebalance to generation ${r.generation} at ${seconds(r.start)}, ${kind}, took ${seconds(r.end - r.start)}`;
  if (!stops.length) return `${head}: no partition stopped.`;
  const parts = new Set(stops.map((s) => s.partition));
  const read = lanes.length - parts.size;
  const list = stops.map((s) => `${s.partition} for ${seconds(s.ms)}${s.end === null ? " so far" : ""}`).join(", ");
  return `${head}: ${parts.size === lanes.length ? `all ${lanes.length} partitions stopped` : `${parts.size} of ${lanes.length} partitions stopped`}` +
    ` (partition ${list})${read ? `; ${read} ${read === 1 ? "was" : "were"} read throughout` : ""}.`;
}

export class Lanes {
  constructor(svg) {
    this.svg = svg;
    this.colours = new Map(); // member -> pattern index, stable while the page lives
  }

  pattern(member) {
    if (!this.colours.has(member)) this.colours.set(member, this.colours.size % 6);
    return this.colours.get(member);
  }

  draw(lab) {
    const lanes = lab.lanes.partitions;
    const now = lab.now;
    const from = Math.max(0, now - WINDOW);
    const span = Math.max(1, now - from);
    const x = (t) => LEFT + ((Math.max(t, from) - from) / Math.max(span, WINDOW)) * (W - LEFT - 8);
    const H = TOP + lanes.length * LANE + 18; // the time axis below the lanes
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const hatch = node("pattern", { id: "lanes-hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    hatch.append(node("rect", { width: 2.5, height: 6, class: "lanes-hatch-ink" }));
    const defs = node("defs");
    defs.append(hatch);
    const parts = [defs];
    let labelled = -Infinity; // the last band label's x: labels of rebalances close together would overlap
    // Rebalances: a band across every lane from its start to its end, labelled with its generation.
    for (const r of lab.rebalances) {
      const end = r.end ?? now;
      if (end < from) continue;
      const x0 = x(r.start);
      const w = Math.max(3, x(end) - x0);
      parts.push(node("rect", { x: x0, y: TOP - 4, width: w, height: lanes.length * LANE + 6, class: "lanes-rebalance", "data-rebalance": r.generation ?? "" }));
      if (x0 - labelled > 70) {
        parts.push(node("text", { x: x0, y: 14, class: "lanes-label" }, r.end === null ? "↻ rebalancing…" : `↻ gen ${r.generation}`));
        labelled = x0;
      }
    }
    lanes.forEach((lane, p) => {
      const y = TOP + p * LANE;
      const row = node("g", { class: "lanes-row", "data-lane": p });
      row.append(node("text", { x: 4, y: y + LANE / 2 + 4, class: "lanes-label" }, `P${p}`));
      for (const [start, end, who] of lane) {
        const e = end ?? now;
        if (e < from) continue;
        const x0 = x(start);
        let w = x(e) - x0;
        if (who === null && start > 0) w = Math.max(w, MIN_GAP);
        if (w <= 0) continue;
        const seg = node("g", { "data-owner": who ?? "", "data-start": start, "data-end": end ?? "" });
        const cls = who === null ? (start === 0 ? "lanes-none" : "lanes-stopped") : `lanes-read lanes-m${this.pattern(who)}`;
        seg.append(node("rect", { x: x0, y: y + 3, width: w, height: LANE - 6, class: cls }),
          node("title", {}, who === null ? `partition ${p}: nobody reads it, ${seconds(e - start)}${end === null ? " so far" : ""}`
            : `partition ${p}: read by ${who} from ${seconds(start)}${end === null ? "" : ` to ${seconds(end)}`}`));
        // The reader's name in its segment where it fits; a stop says so, with its length.
        const label = who ?? (start > 0 ? `✕ stopped ${seconds(e - start)}` : "");
        if (label && w > label.length * 7.5) seg.append(node("text", { x: x0 + 4, y: y + LANE / 2 + 4, class: "lanes-text" }, label));
        row.append(seg);
      }
      parts.push(row);
    });
    const axis = H - 4;
    parts.push(node("text", { x: W - 8, y: axis, class: "lanes-label", "text-anchor": "end" }, `now, ${seconds(now)}`),
      node("text", { x: LEFT, y: axis, class: "lanes-label" }, now > WINDOW ? `${seconds(from)}` : "0 s"));
    this.svg.replaceChildren(...parts);
  }
}
