// A slider by the WAI-ARIA slider pattern: role="slider" with aria-valuenow/-valuetext,
// Arrow keys, PageUp/PageDown, Home/End, and pointer (mouse, pen, touch) on the track.
// aria-disabled="true" (a closed lab: lockout.js) makes it ignore both.
// `values` makes it discrete (each stop one value); otherwise min..max by `step`.
export class Slider {
  constructor(el, { values, min = 0, max = 100, step = 1, value, format = String, onInput, onCommit }) {
    this.el = el;
    this.values = values ?? null;
    this.min = values ? 0 : min;
    this.max = values ? values.length - 1 : max;
    this.step = values ? 1 : step;
    this.format = format;
    this.onInput = onInput;
    this.onCommit = onCommit;
    this.dragging = false;
    el.setAttribute("role", "slider");
    el.tabIndex = 0;
    el.classList.add("lab-slider");
    if (!el.querySelector(".lab-slider-thumb")) {
      el.innerHTML = '<span class="lab-slider-track"><span class="lab-slider-fill"></span></span><span class="lab-slider-thumb"></span>';
    }
    this.position = this.min;
    this.set(value ?? (values ? values[0] : min), false);
    el.addEventListener("keydown", (e) => this.key(e));
    el.addEventListener("pointerdown", (e) => this.down(e));
    el.addEventListener("pointermove", (e) => this.move(e));
    el.addEventListener("pointerup", (e) => this.up(e));
    el.addEventListener("pointercancel", (e) => this.up(e));
  }

  get value() {
    return this.values ? this.values[this.position] : this.position;
  }

  setRange(min, max) {
    this.min = min;
    this.max = Math.max(min, max);
    this.render();
  }

  // Set from the outside (a frame): never while the learner is dragging it.
  set(value, notify = false) {
    if (this.dragging && !notify) return;
    let pos = this.values ? this.values.findIndex((v) => String(v) === String(value)) : Number(value);
    if (pos < 0 || Number.isNaN(pos)) pos = this.min;
    this.position = Math.max(this.min, Math.min(this.max, pos));
    this.render();
  }

  render() {
    const { el } = this;
    el.setAttribute("aria-valuemin", String(this.values ? 0 : this.min));
    el.setAttribute("aria-valuemax", String(this.max));
    el.setAttribute("aria-valuenow", String(this.position));
    el.setAttribute("aria-valuetext", this.format(this.value));
    const span = this.max - this.min || 1;
    const pct = ((this.position - this.min) / span) * 100;
    el.style.setProperty("--pos", `${pct}%`);
    const out = el.parentElement?.querySelector("[data-slider-output]");
    if (out) out.textContent = this.format(this.value);
  }

  change(pos, commit) {
    const before = this.position;
    this.position = Math.max(this.min, Math.min(this.max, pos));
    this.render();
    if (this.position !== before) this.onInput?.(this.value);
    if (commit && (this.position !== before || this.dragging === false)) this.onCommit?.(this.value);
  }

  get disabled() {
    return this.el.getAttribute("aria-disabled") === "true";
  }

  key(e) {
    if (this.disabled) return;
    const big = this.values ? 1 : Math.max(this.step, (this.max - this.min) / 10);
    const moves = {
      ArrowRight: this.step, ArrowUp: this.step, ArrowLeft: -this.step, ArrowDown: -this.step,
      PageUp: big, PageDown: -big,
    };
    let pos;
    if (e.key in moves) pos = this.position + moves[e.key];
    else if (e.key === "Home") pos = this.min;
    else if (e.key === "End") pos = this.max;
    else return;
    e.preventDefault();
    pos = Math.max(this.min, Math.min(this.max, pos)); // past the end a key changes nothing, and sends nothing
    if (pos !== this.position) this.change(pos, true);
  }

  fromPointer(e) {
    const rect = this.el.getBoundingClientRect();
    const frac = Math.max(0, Math.min(1, (e.clientX - rect.left) / (rect.width || 1)));
    const raw = this.min + frac * (this.max - this.min);
    return this.min + Math.round((raw - this.min) / this.step) * this.step;
  }

  down(e) {
    if (this.disabled) return;
    this.dragging = true;
    this.el.setPointerCapture?.(e.pointerId);
    this.el.focus();
    this.change(this.fromPointer(e), false);
  }

  move(e) {
    if (this.dragging) this.change(this.fromPointer(e), false);
  }

  up(e) {
    if (!this.dragging) return;
    this.change(this.fromPointer(e), false);
    this.dragging = false;
    this.onCommit?.(this.value);
  }
}
