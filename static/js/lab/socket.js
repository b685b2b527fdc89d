// The lab's websocket: versioned JSON in and out (docs/protocol.md). Frames are handed
// to `onFrames` once per animation frame, then acknowledged, so the server never sends
// more than the page can draw: a slow page gets fewer, coalesced frames.
export const PROTOCOL_VERSION = 1;

export class LabSocket {
  constructor(lab, { onHello, onFrames, onError, onClose }) {
    this.lab = lab;
    this.handlers = { onHello, onFrames, onError, onClose };
    this.queue = [];
    this.outbox = [];
    this.scheduled = false;
    this.driven = false; // true: someone else calls flush() once an animation frame (the cluster picture does)
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    this.ws = new WebSocket(`${scheme}//${window.location.host}/ws/labs/${encodeURIComponent(this.lab)}`);
    this.ws.addEventListener("open", () => {
      for (const text of this.outbox.splice(0)) this.ws.send(text);
    });
    this.ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    this.ws.addEventListener("close", (event) => this.handlers.onClose?.(event));
  }

  receive(message) {
    if (message.type === "hello") this.handlers.onHello?.(message);
    else if (message.type === "error") this.handlers.onError?.(message);
    else if (message.type === "frame") {
      message.receivedAt = performance.now();
      this.queue.push(message);
      if (!this.scheduled && !this.driven) {
        this.scheduled = true;
        requestAnimationFrame(() => this.flush());
      }
    }
  }

  flush() {
    this.scheduled = false;
    const frames = this.queue.splice(0);
    if (!frames.length) return;
    this.handlers.onFrames?.(frames);
    this.send("ack", { seq: frames[frames.length - 1].seq });
  }

  send(type, fields = {}) {
    const text = JSON.stringify({ v: PROTOCOL_VERSION, type, ...fields });
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.outbox.push(text);
  }

  close() {
    this.ws?.close();
  }
}
