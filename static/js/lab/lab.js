// Lab bootstrap: finds every [data-lab] element, loads its renderer, and opens its socket when the
// lab is on screen or used (lifecycle.js); wires the controls every lab shares (play/pause, step,
// speed, restart, reset, timeline, settings sliders, animation toggle, narration, copy link, the
// URL). docs/labs.md explains the parts, docs/web.md ("Live labs in the page") the lifecycle.
import { LabSocket } from "./socket.js";
import { Slider } from "./slider.js";
import { Narrator } from "./narration.js";
import { linkChars, readState, stateUrl, writeState } from "./urlstate.js";
import { createTimeline } from "./timeline.js";
import { attachLabKeys } from "./keys.js";
import { Lifecycle } from "./lifecycle.js";
import { attachShare } from "./share.js";
import { createPicture } from "../flow/picture.js";
import { attachTerminal } from "../terminal/terminal.js";

// How long the message of a refused control stays in the status line.
const ERROR_SHOWN_MS = 6000;
// While the run plays, the moment in the URL is at most this old, so a reload lands there.
const URL_EVERY_MS = 2000;
// Below this pace (virtual time gained / asked for) the page says the server runs the lab slower than its speed.
const SLOW_PACE = 0.99;

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

/** Pace as a whole percentage, never rounded up to 100 while below it ("under 1" for a run barely moving). */
export function pacePercent(pace) {
  return pace > 0 && pace < 0.01 ? "under 1" : String(Math.floor(pace * 100));
}

// Why a run falls behind its speed: said beside the pace, not in the live region (short, and short on a projector).
const SLOW_WHY = "the server is busy with other labs, or this run makes more events a second than a session may";

/** "The server is running this lab slower than its speed …" for a frame's playback, or "" when it keeps up. */
export function paceText(playback) {
  if (!(playback.state === "playing" && (playback.throttled || playback.pace < SLOW_PACE))) return "";
  if (playback.pace >= SLOW_PACE) return "The server is holding this lab back at moments, below its speed.";
  // In tens, so the live region speaks again when the pace moves, not at every frame; the exact figure is beside it.
  const tens = Math.floor(playback.pace * 10) * 10;
  return `The server is running this lab slower than its speed: at ${tens ? `about ${tens}` : "under 10"}% of ${speedText(playback.speed)}.`;
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
  const pace = q("[data-lab-pace]");
  const actions = q("[data-lab-actions]");
  const motionToggle = q("[data-lab-motion]");
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  const playButton = q("[data-lab-play]");
  let hello = null;
  let last = null;
  let socket = null;
  // The run as last drawn ({link, t, speed, paused}): a reopened session (Retry, a tab shown again) starts there.
  let memory = null;
  let pausedForHide = false;
  let restoreId = 0; // frames from before the reopened session reached its moment are not drawn
  let urlWritten = { at: -Infinity, key: "" };
  const sliders = {};

  // A control used before the session is open starts it; its message waits for the session's hello.
  const send = (type, fields) => {
    life.start();
    socket?.send(type, fields);
  };
  const pending = (key) => socket?.controls.pending(key) ?? false;
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
  const sendSpeed = (v) => send("speed", { value: v });
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

  const preset = () => ({ seed: hello.lab.seed, settings: hello.lab.preset, speed: hello.lab.speed });
  const where = () => (memory ? `at ${(memory.t / 1000).toFixed(1)} s, ${speedText(memory.speed)}` : "from its start");
  const share = attachShare(root, () => memory && hello && {
    ...memory, actions: memory.link.log.length, url: stateUrl(memory.link, preset(), memory).href,
  });

  // What a session opened for this page first hears: the run it had (or the URL's), at its moment and speed.
  function restoring() {
    let state;
    if (memory) {
      state = { ...memory.link, t: memory.t, speed: memory.speed, paused: memory.paused && !pausedForHide };
    } else {
      state = readState(hello.lab.settings.map((s) => s.name), hello.lab.settings.filter((s) => s.text).map((s) => s.name));
      if (state.problem) {
        notice.textContent = state.problem;
        narrator.say(state.problem);
      }
    }
    pausedForHide = false;
    const first = [];
    if (state.paused) first.push(["pause", {}]);
    if (state.speed !== undefined) {
      // A speed the slider has (a hand-edited link may say speed=0.3: the nearest stop, 0.2).
      const stop = SPEEDS.reduce((a, b) => (Math.abs(Math.log(b / state.speed)) < Math.abs(Math.log(a / state.speed)) ? b : a));
      if (stop !== hello.lab.speed) first.push(["speed", { value: stop }]);
      speed.set(stop);
    }
    const link = Object.fromEntries(["seed", "settings", "log", "t"].filter((k) => state[k] !== undefined).map((k) => [k, state[k]]));
    if (link.t === 0) delete link.t;
    if (Object.keys(link).length) first.push(["load", link]);
    return first;
  }

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
    life.opened(message.limits);
    const first = restoring();
    restoreId = first.length ? socket.controls.nextId + first.length - 1 : 0;
    socket.controls.start(message.limits, first);
  }

  function writeUrl(force) {
    const moment = { t: last.timeline.now, speed: last.playback.speed, paused: last.playback.state !== "playing" };
    const key = JSON.stringify([memory.link, moment.speed, moment.paused]);
    if (!force && key === urlWritten.key && performance.now() - urlWritten.at < URL_EVERY_MS) return;
    urlWritten = { at: performance.now(), key };
    writeState(memory.link, preset(), moment);
  }

  function onFrames(batch) {
    // Until the reopened session is at its moment, its frames show the preset at 0: not drawn.
    const frames = batch.filter((f) => (f.done ?? 0) >= restoreId);
    if (!frames.length) return;
    for (const frame of frames) {
      if (frame.reset) {
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
    // A value the learner asked for and the run does not have yet stays on its control (controls.js).
    for (const [k, v] of Object.entries(last.settings)) if (!pending(`set_config:${k}`)) sliders[k]?.set(v);
    if (!pending("speed")) speed.set(last.playback.speed);
    const paused = last.playback.state !== "playing";
    playButton.textContent = last.playback.state === "ended" ? "Replay from start" : paused ? "Play" : "Pause";
    root.dataset.playback = last.playback.state;
    const slow = paceText(last.playback);
    pace.textContent = slow ? `Pace over the last second: ${pacePercent(last.playback.pace)}% of the chosen speed (${SLOW_WHY}).` : "";
    root.dataset.labPace = String(last.playback.pace);
    // A refused control's message stays readable for a few seconds; frames keep coming meanwhile.
    if (Date.now() >= errorShownUntil) {
      status.textContent = slow || (last.playback.state === "ended" ? "The run has ended. \u201cReplay from start\u201d plays it again, your changes and faults included; \u201cRestart\u201d runs it afresh with the current settings and no faults." : "");
    }
    timeline.update(last.timeline, { seeking: pending("seek") });
    // The newest link in the batch, not only the last frame's: a control's frame may not be the last one drawn.
    const link = frames.findLast((f) => f.link)?.link ?? memory?.link;
    if (link) {
      memory = { link, t: last.timeline.now, speed: last.playback.speed, paused };
      writeUrl(false);
      share.update({ ...memory, actions: link.log.length });
      const chars = linkChars(link);
      actions.textContent = `${link.log.length} of the ${hello.limits.actions} actions a run keeps; ` +
        `its link carries ${chars} of the ${hello.limits.link_chars} characters a link may hold.`;
      actions.dataset.chars = String(chars);
    }
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
    // "More errors than a second's share": the refusal already shown says why; this one only says more came.
    if (message.code === "errors_dropped" && Date.now() < errorShownUntil) {
      narrator.say(`Error: ${message.message}`, { routine: true });
      return;
    }
    lastError = message;
    lastErrorAt = performance.now();
    terminal?.error(message);
    errorShownUntil = Date.now() + ERROR_SHOWN_MS;
    status.textContent = `Not done: ${message.message}`;
    narrator.say(`Error: ${message.message}`);
    renderer.refused?.(message); // a lab may say it beside the input it concerns
    // A link that cannot be replayed: say so where it stays, since the run shown is not the one shared.
    if (message.ref === "load") notice.textContent = `This link's run could not be replayed (${message.message}); the lab runs its preset instead.`;
    // Whatever was refused, the sliders go back to the settings the run has.
    if (last) for (const [k, v] of Object.entries(last.settings)) if (!pending(`set_config:${k}`)) sliders[k]?.set(v);
  }

  function onClose(event, closed) {
    if (closed !== socket) return; // an older socket, already replaced
    socket = null;
    delete root.dataset.labReady;
    life.closed(event, closed, lastError);
    lastError = null;
  }

  const life = new Lifecycle(root, {
    connect() {
      socket = new LabSocket(name, { onHello, onFrames, onError, onClose });
      if (picture) {
        // One animation frame: the socket's frames first, then the picture's paint, so a new message is
        // drawn in the same frame it arrived in.
        socket.driven = true;
      }
      socket.connect();
    },
    close: (why) => socket?.close(why),
    pauseForHide() {
      if (last && last.playback.state !== "playing") return;
      pausedForHide = true;
      socket?.send("pause");
    },
    resumeAfterHide() {
      if (!pausedForHide) return;
      pausedForHide = false;
      socket?.send("resume");
    },
    where,
  });
  picture?.beforePaint(() => socket?.flush());
  window.addEventListener("pagehide", () => { if (memory && last) writeUrl(true); });
  life.watch();
}

for (const root of document.querySelectorAll("[data-lab]")) startLab(root);
