// The narration: important events in words, in a polite live region. Messages are
// gathered and spoken at most once a second, so a screen reader is not flooded; the
// last few stay on screen for everyone.
export class Narrator {
  constructor(el, { keep = 4, everyMs = 1000 } = {}) {
    this.el = el;
    this.keep = keep;
    this.everyMs = everyMs;
    this.pending = [];
    this.timer = null;
  }

  say(text) {
    if (!this.el || !text) return;
    this.pending.push(text);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.everyMs);
  }

  flush() {
    this.timer = null;
    // The same sentence many times in one second (a flush, a burst of refusals) is said once, with a count.
    const counts = new Map();
    for (const line of this.pending.splice(0)) counts.set(line, (counts.get(line) ?? 0) + 1);
    const lines = [...counts].map(([line, n]) => (n > 1 ? `${line} (${n} times)` : line));
    if (!lines.length) return;
    const shown = lines.length > this.keep ? [...lines.slice(0, this.keep - 1), `(and ${lines.length - this.keep + 1} more)`] : lines;
    const item = document.createElement("li");
    item.textContent = shown.join(" ");
    this.el.prepend(item);
    while (this.el.children.length > this.keep) this.el.lastElementChild.remove();
  }

  /** The run jumped (seek, restart): what was said belongs to another moment of it. */
  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.el?.replaceChildren();
  }
}
