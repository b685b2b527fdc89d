// The lab's websocket: versioned JSON in and out (docs/protocol.md). Frames are handed
// to `onFrames` once per animation frame, then acknowledged, so the server never sends
// more than the page can draw: a slow page gets fewer, coalesced frames. Controls go
// through a ControlChannel (controls.js): numbered, paced, resent when refused for rate.
import { ControlChannel } from "./controls.js";

export const PROTOCOL_VERSION = 1;

export class LabSocket {
  constructor(lab, { onHello, onFrames, onError, onClose }) {
    this.lab = lab;
    this.handlers = { onHello, onFrames, onError, onClose };
    this.queue = [];
    this.scheduled = false;
    this.driven = false; // true: someone else calls flush() once an animation frame (the cluster picture does)
    this.opened = false; // the handshake succeeded (a close before it: the server refused or was not there)
    this.closing = null; // why the page itself closed it
    this.controls = new ControlChannel((type, fields) => this.raw(type, fields));
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    this.ws = new WebSocket(`${scheme}//${window.location.host}/ws/labs/${encodeURIComponent(this.lab)}`);
    this.ws.addEventListener("open", () => { this.opened = true; });
    this.ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    this.ws.addEventListener("close", (event) => {
      this.controls.stop();
      this.handlers.onClose?.(event, this);
    });
  }

  receive(message) {
    if (message.type === "hello") this.handlers.onHello?.(message);
    else if (message.type === "error") {
      // A control refused for rate goes again by itself: nothing to tell the learner.
      if (!this.controls.refused(message)) this.handlers.onError?.(message);
    } else if (message.type === "frame") {
      message.receivedAt = performance.now();
      this.controls.retry(message.retry);
      this.controls.confirm(message.done);
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
    this.raw("ack", { seq: frames[frames.length - 1].seq });
  }

  /** A control message (anything but ack): numbered, paced, kept until the session took it. */
  send(type, fields = {}) {
    this.controls.send(type, fields);
  }

  raw(type, fields = {}) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type, ...fields }));
  }

  close(why) {
    this.closing = why;
    this.ws?.close(1000, why);
  }
}
