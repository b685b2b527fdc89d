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
    const lines = this.pending.splice(0);
    if (!lines.length) return;
    const shown = lines.length > this.keep ? [...lines.slice(0, this.keep - 1), `(and ${lines.length - this.keep + 1} more)`] : lines;
    const item = document.createElement("li");
    item.textContent = shown.join(" ");
    this.el.prepend(item);
    while (this.el.children.length > this.keep) this.el.lastElementChild.remove();
  }
}
