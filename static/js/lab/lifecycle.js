// When a lab holds a session on the server, and what it says when it cannot (docs/web.md, "Live labs in the page").
// - It opens when the lab comes on screen (IntersectionObserver) or one of its controls is used: a lab
//   scrolled past and never touched costs the server nothing.
// - Its tab hidden, it pauses at once and, hidden longer than hello.limits.hidden_ms, closes its socket;
//   shown again it reopens the run at the same moment and speed.
// - Refused or closed by the server (or the server gone), every control is disabled with the reason beside
//   it and announced, and Retry reopens the run where it was; "try again later" retries by itself.
import { lockControls, unlockControls } from "./lockout.js";

// Close codes (app/web/live.py, docs/protocol.md "Closing and reopening").
const TRY_LATER = 1013;
const SERVICE_RESTART = 1012;
const ABNORMAL = 1006;
const SLOW_READER = 4001;
// Closes that retry by themselves: the server asked to, is restarting, or went away.
const RETRY_BY_ITSELF = [TRY_LATER, SERVICE_RESTART, ABNORMAL];
// Seconds between attempts; past the list, its last, each within ±20% so a classroom does not come back at once.
const BACKOFF_S = [1, 2, 4, 8, 16, 30];
// What the server says just before it closes (an error frame), by code.
const SAID_BEFORE_CLOSING = { too_many_sessions: "could not start", origin: "was refused", unknown_lab: "was refused", idle: "closed" };

export class Lifecycle {
  /** hooks: connect(), close(why), pauseForHide(), resumeAfterHide(), where() -> "at 12.4 s, 1/2 of real time" */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.state = "waiting"; // waiting | connecting | open | hidden | closed
    this.hiddenMs = 10000;
    this.attempts = 0;
    this.autoRetry = false;
    this.timers = { hide: null, retry: null, tick: null };
    const q = (sel) => root.querySelector(sel);
    this.box = q("[data-lab-closed-box]");
    this.why = q("[data-lab-closed-why]");
    this.retryIn = q("[data-lab-retry-in]");
    this.retryButton = q("[data-lab-retry]");
    this.status = q("[data-lab-status]");
    this.retryButton.addEventListener("click", () => this.retry());
  }

  watch() {
    this.status.textContent = "The lab starts when it is on screen.";
    const observer = new IntersectionObserver((entries) => {
      this.onScreen = entries.some((e) => e.isIntersecting);
      if (this.onScreen) this.start();
    });
    observer.observe(this.root);
    for (const type of ["pointerdown", "keydown", "focusin"]) this.root.addEventListener(type, () => this.start(), true);
    document.addEventListener("visibilitychange", () => (document.hidden ? this.hidden() : this.shown()));
  }

  /** Open a session unless one is open, on its way, or the lab was closed (that waits for Retry). */
  start() {
    if (this.state !== "waiting" || document.hidden) return;
    this.connect("Connecting to the simulator…");
  }

  connect(text) {
    this.state = "connecting";
    this.status.textContent = text;
    this.hooks.connect();
  }

  opened(limits) {
    this.state = "open";
    this.hiddenMs = limits?.hidden_ms ?? this.hiddenMs;
    this.attempts = 0;
    this.autoRetry = false;
    this.clear("retry");
    this.clear("tick");
    unlockControls(this.root, this.why.id);
    this.why.textContent = "";
    this.retryIn.textContent = "";
    this.box.hidden = true;
    this.status.textContent = "Running.";
  }

  /** The socket closed: by the page (a hidden tab) or not; `error`: the error frame that came before it, if any. */
  closed(event, socket, error) {
    if (socket.closing === "hidden") {
      this.state = "hidden";
      this.status.textContent = `Paused while this tab is hidden; it reopens ${this.hooks.where()} when the tab is shown.`;
      return;
    }
    const said = error && SAID_BEFORE_CLOSING[error.code];
    let reason;
    if (said) reason = `The lab ${said}: ${error.message}`;
    else if (event.code === SLOW_READER) reason = `The lab closed: ${event.reason || "its frames went unread"}.`;
    else if (event.code === SERVICE_RESTART) reason = "The lab closed: the server is restarting.";
    else if (!socket.opened) reason = "The lab could not reach the server: it may have stopped, or the network is down.";
    else reason = `The connection to the server was lost (${event.code === ABNORMAL ? "it stopped, or the network went" : event.reason || `code ${event.code}`}).`;
    this.state = "closed";
    this.autoRetry = RETRY_BY_ITSELF.includes(event.code);
    this.status.textContent = "";
    this.box.hidden = false;
    const text = `${reason}${/[.!?]$/.test(reason) ? "" : "."} Retry reopens this run ${this.hooks.where()}.`;
    if (this.why.textContent !== text) this.why.textContent = text; // role="alert": said once, not at each attempt
    lockControls(this.root, this.why.id, reason);
    if (this.autoRetry && !document.hidden) this.schedule();
  }

  /** Reopen now (the Retry button, or the backoff's turn). */
  retry() {
    this.clear("retry");
    this.clear("tick");
    this.retryIn.textContent = "Reopening…";
    this.attempts += 1;
    this.connect("");
  }

  schedule() {
    const base = BACKOFF_S[Math.min(this.attempts, BACKOFF_S.length - 1)];
    const due = performance.now() + base * (0.8 + 0.4 * Math.random()) * 1000;
    const show = () => {
      const left = Math.max(1, Math.ceil((due - performance.now()) / 1000));
      this.retryIn.textContent = `Trying again by itself in ${left} s (attempt ${this.attempts + 1}).`;
    };
    show();
    this.clear("tick");
    this.timers.tick = setInterval(show, 1000);
    this.clear("retry");
    this.timers.retry = setTimeout(() => this.retry(), due - performance.now());
  }

  hidden() {
    this.clear("retry");
    this.clear("tick");
    if (this.state !== "open" && this.state !== "connecting") return;
    this.hooks.pauseForHide();
    this.clear("hide");
    this.timers.hide = setTimeout(() => this.hooks.close("hidden"), this.hiddenMs);
  }

  shown() {
    this.clear("hide");
    if (this.state === "hidden") this.connect(`Reopening ${this.hooks.where()}…`);
    else if (this.state === "open" || this.state === "connecting") this.hooks.resumeAfterHide();
    else if (this.state === "closed" && this.autoRetry) this.schedule();
    else if (this.state === "waiting" && this.onScreen) this.start();
  }

  clear(name) {
    clearTimeout(this.timers[name]);
    clearInterval(this.timers[name]);
    this.timers[name] = null;
  }
}
