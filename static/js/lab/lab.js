// Lab bootstrap: finds every [data-lab] element, loads its renderer, opens its socket and
// wires the controls every lab shares (play/pause, step, speed, restart, reset, timeline,
// settings sliders, animation toggle, narration, the URL). docs/labs.md explains the parts.
import { LabSocket } from "./socket.js";
import { Slider } from "./slider.js";
import { Narrator } from "./narration.js";
import { readState, writeState } from "./urlstate.js";
import { createTimeline } from "./timeline.js";
import { attachLabKeys } from "./keys.js";
import { createPicture } from "../flow/picture.js";
import { attachTerminal } from "../terminal/terminal.js";

// How long the message of a refused control stays in the status line.
const ERROR_SHOWN_MS = 6000;
// Errors the server sends just before it closes the socket (docs/protocol.md).
const CLOSING_ERRORS = ["too_many_sessions", "idle", "unknown_lab"];

// One entry per lab: the renderer module that draws it (static imports keep the link checker honest).
const RENDERERS = {
  acks: () => import("./acks.js"),
  retries: () => import("./retries.js"),
  idempotence: () => import("./idempotence.js"),
  "safe-producer": () => import("./safe-producer.js"),
  batching: () => import("./batching.js"),
  compression: () => import("./compression.js"),
  throughput: () => import("./throughput.js"),
  buffer: () => import("./buffer.js"),
  partitioning: () => import("./partitioning.js"),
  "topic-config": () => import("./topic-config.js"),
  security: () => import("./security.js"),
  basics: () => import("./basics.js"),
  consumers: () => import("./consumers.js"),
};

export const SPEEDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

export function speedText(v) {
  return v >= 1 ? "real time" : `1/${Math.round(1 / v)} of real time`;
}

function settingSlider(container, setting, send) {
  const row = document.createElement("div");
  row.className = "lab-setting";
  row.dataset.labSetting = setting.name;
  const id = `lab-setting-${setting.name.replace(/\W/g, "-")}`;
  const values = setting.choices ?? Array.from({ length: setting.high - setting.low + 1 }, (_, i) => setting.low + i);
  row.innerHTML = `<span class="lab-setting-label" id="${id}"></span><div data-slider aria-labelledby="${id}"></div><output data-slider-output></output>`;
  row.querySelector(".lab-setting-label").textContent = setting.label;
  container.append(row);
  return new Slider(row.querySelector("[data-slider]"), {
    values,
    format: (v) => `${setting.name}=${v}`,
    onCommit: (v) => send("set_config", { name: setting.name, value: setting.choices ? String(v) : Number(v) }),
  });
}

export async function startLab(root) {
  const name = root.dataset.lab;
  const load = RENDERERS[name];
  if (!load) return;
  const module = await load();
  const q = (sel) => root.querySelector(sel);
  const narrator = new Narrator(q("[data-lab-narration]"));
  const status = q("[data-lab-status]");
  let lastError = null;
  let lastErrorAt = -Infinity;  // performance.now() when it arrived, to compare with frames' receivedAt
  let errorShownUntil = 0;
  const notice = q("[data-lab-notice]");
  const detail = q("[data-lab-detail]");
  const motionToggle = q("[data-lab-motion]");
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  const playButton = q("[data-lab-play]");
  let hello = null;
  let last = null;
  let socket = null;
  const sliders = {};

  const send = (type, fields) => socket.send(type, fields);
  const animate = () => motionToggle.checked && !reduced.matches;
  const applyMotion = () => { root.dataset.motion = animate() ? "on" : "off"; };
  motionToggle.checked = !reduced.matches;
  motionToggle.addEventListener("change", applyMotion);
  reduced.addEventListener?.("change", applyMotion);
  applyMotion();

  const narrate = (t, opts) => narrator.say(t, opts);
  // The cluster picture, where the lab's template has one (templates/_lab-picture.html).
  const picture = q("[data-flow]") ? createPicture(q("[data-flow]"), { narrate, animate }) : null;
  const renderer = module.createRenderer(root, { send, narrate, animate, picture });
  const terminal = attachTerminal(root, { send });
  let speedSent = null; // a speed asked for and not yet in a frame: frames on their way must not put the slider back
  const sendSpeed = (v) => { speedSent = v; send("speed", { value: v }); };
  const speed = new Slider(q("[data-lab-speed]"), {
    values: SPEEDS, value: 0.1, format: speedText, onCommit: sendSpeed,
  });
  const timeline = createTimeline(q("[data-lab-timeline]"), (t) => send("seek", { t }));

  function playPause() {
    const state = last?.playback.state;
    // At the end, Play plays the same run again from 0, as a video player does; faults and changes replay too.
    if (state === "ended") {
      send("seek", { t: 0 });
      send("resume");
    } else send(state === "paused" ? "resume" : "pause");
  }
  function step() {
    picture?.stepped(); // the picture says what the step did
    send("step");
  }
  const shiftSpeed = (by) => {
    const i = SPEEDS.indexOf(speed.value) + by;
    if (i >= 0 && i < SPEEDS.length) {
      speed.set(SPEEDS[i]);
      sendSpeed(SPEEDS[i]);
    }
  };
  playButton.addEventListener("click", playPause);
  q("[data-lab-step]").addEventListener("click", step);
  attachLabKeys(root, { playPause, step, faster: () => shiftSpeed(1), slower: () => shiftSpeed(-1) });
  q("[data-lab-restart]").addEventListener("click", () => send("restart"));
  q("[data-lab-reset]").addEventListener("click", () => send("reset"));

  function onHello(message) {
    hello = message;
    root.dataset.labReady = "";
    const box = q("[data-lab-settings]");
    box.replaceChildren();
    // A text setting (the compression lab's pasted text) has no slider: the lab's renderer sends it.
    for (const setting of message.lab.settings) if (!setting.text) sliders[setting.name] = settingSlider(box, setting, send);
    speed.set(message.lab.speed);
    renderer.hello?.(message);
    terminal?.hello(message);
    const state = readState(message.lab.settings.map((s) => s.name), message.lab.settings.filter((s) => s.text).map((s) => s.name));
    if (state?.problem) {
      notice.textContent = state.problem;
      narrator.say(state.problem);
      delete state.problem;
    }
    if (state && Object.keys(state).length) send("load", state);
    status.textContent = "Running.";
  }

  function onFrames(frames) {
    for (const frame of frames) {
      if (frame.reset) {
        speedSent = null; // a reset brings the preset's speed
        renderer.reset?.(frame);
        narrator.clear();
        // Frames wait for the next animation frame; errors are shown at once. A refusal that
        // arrived after this jump's frame (a shared link the server could not replay) still applies.
        if (lastError && lastErrorAt > frame.receivedAt) narrator.say(`Error: ${lastError.message}`);
        else errorShownUntil = 0; // a refusal from before the jump no longer applies
      }
      picture?.frame(frame);
      renderer.events(frame.events, frame);
      for (const n of frame.notices) {
        notice.textContent = n.text;
        narrator.say(n.text);
      }
    }
    last = frames[frames.length - 1];
    const dropped = frames.reduce((sum, f) => sum + f.dropped, 0);
    if (dropped) {
      detail.hidden = false;
      detail.textContent = `Animation detail dropped: ${dropped} events not drawn one by one (the counts stay exact).`;
    }
    picture?.render(last);
    renderer.render(last);
    terminal?.frames(frames);
    for (const [k, v] of Object.entries(last.settings)) sliders[k]?.set(v);
    if (speedSent === null || last.playback.speed === speedSent) {
      speed.set(last.playback.speed);
      speedSent = null;
    }
    const paused = last.playback.state !== "playing";
    playButton.textContent = last.playback.state === "ended" ? "Replay from start" : paused ? "Play" : "Pause";
    root.dataset.playback = last.playback.state;
    // A refused control's message stays readable for a few seconds; frames keep coming meanwhile.
    if (Date.now() >= errorShownUntil) {
      status.textContent = last.playback.throttled ? "Slowed down: the run is behind real time (the server cannot keep up with this speed, or the run makes more events a second than a session may)."
        : last.playback.state === "ended" ? "The run has ended. \u201cReplay from start\u201d plays it again, your changes and faults included; \u201cRestart\u201d runs it afresh with the current settings and no faults." : "";
    }
    timeline.update(last.timeline);
    // The newest link in the batch, not only the last frame's: a control's frame may not be the last one drawn.
    const link = frames.findLast((f) => f.link)?.link;
    if (link && hello) writeState(link, { seed: hello.lab.seed, settings: hello.lab.preset });
    root.dataset.labNow = String(last.timeline.now);
    root.dataset.labSeq = String(last.seq);
    // Event-to-frame latency: when virtual time reached each event (server wall clock, from the
    // frame's send time, its virtual now and the speed) to now, drawn. bench/lab_frames.py reads it.
    const drawn = Date.now();
    const stats = (root.labStats ??= { latencies: [], frames: 0 });
    stats.frames += frames.length;
    for (const f of frames) {
      for (const e of f.events) stats.latencies.push(drawn - (f.wall - (f.timeline.now - e.t) / f.playback.speed));
    }
    if (stats.latencies.length > 20000) stats.latencies.splice(0, stats.latencies.length - 20000);
  }

  function onError(message) {
    lastError = message;
    lastErrorAt = performance.now();
    terminal?.error(message);
    errorShownUntil = Date.now() + ERROR_SHOWN_MS;
    status.textContent = `Not done: ${message.message}`;
    narrator.say(`Error: ${message.message}`);
    // A link that cannot be replayed: say so where it stays, since the run shown is not the one shared.
    if (message.ref === "load") notice.textContent = `This link's run could not be replayed (${message.message}); the lab runs its preset instead.`;
    // Whatever was refused, the sliders go back to the settings the run has.
    if (last) for (const [k, v] of Object.entries(last.settings)) sliders[k]?.set(v);
  }

  function onClose(event) {
    // The server says why before it closes (too many labs at once, idle): that is what the learner needs.
    const why = lastError && CLOSING_ERRORS.includes(lastError.code) ? lastError.message : null;
    status.textContent = event.code === 1000 || event.code === 1001 ? "The lab stopped."
      : why ? `The lab closed: ${why}` : `The lab closed (${event.reason || event.code}). Reload to start again.`;
    delete root.dataset.labReady;
  }

  socket = new LabSocket(name, { onHello, onFrames, onError, onClose });
  if (picture) {
    // One animation frame: the socket's frames first, then the picture's paint, so a new message is
    // drawn in the same frame it arrived in.
    socket.driven = true;
    picture.beforePaint(() => socket.flush());
  }
  socket.connect();
}

for (const root of document.querySelectorAll("[data-lab]")) startLab(root);
