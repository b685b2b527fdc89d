// The cluster picture every lab shares: the still scene (scene.js) under a canvas of travelling
// tokens (painter.js), placed by the page's virtual time (clock.js) from each frame's ``flow``
// section (tokens.js), with records to follow (records.js), words for every part (describe.js,
// explain.js) and a hidden handle per token for tests and tools (data-msg, data-kind).
// lab.js creates it for the [data-flow] element of a lab's template and hands it every frame.
import { FlowClock } from "./clock.js";
import { Describer } from "./describe.js";
import { badgeFor, explainStep } from "./explain.js";
import { computeLayout, pathFor, ROW } from "./layout.js";
import { Painter } from "./painter.js";
import { RecordBook } from "./records.js";
import { Scene } from "./scene.js";
import { fraction, TokenStore } from "./tokens.js";

const LATENCIES = 20000;

/** A path's points for a handle's data-path: "x,y x,y ..." in picture units. */
function pathText(path) {
  return path.points.map((p) => p.join(",")).join(" ");
}

function layoutKey(topology, state, opts) {
  return JSON.stringify([topology, state.partitions.map((p) => p.replicas), state.buffer?.slow_brokers ?? {}, opts]);
}

export function createPicture(el, ctx) {
  const q = (sel) => el.querySelector(sel);
  const stage = q("[data-flow-stage]");
  const opts = { records: el.dataset.flowRecords !== undefined, buffer: el.dataset.flowBuffer !== undefined };
  const clock = new FlowClock();
  const store = new TokenStore();
  const book = new RecordBook();
  const painter = new Painter(q("[data-flow-canvas]"));
  const scene = new Scene(q("[data-flow-scene]"));
  const handles = q("[data-flow-handles]");
  const follow = q("[data-flow-follow]");
  let layout = null;
  let key = "";
  let topology = null;
  let groups = null; // the consumers' states and partitions, and each group's coordinator (flow.groups)
  let last = null;
  let focusId = null;
  let hoverAt = null;
  let visible = true;
  let dirty = true;
  let stepPending = false;
  let speed = 0.1;
  let listedKeys = "";
  const stats = (el.flowStats = { latencies: [], paints: 0, paintMs: 0 });
  const describer = new Describer({
    summaryEl: q("[data-flow-summary]"), listEl: q("[data-flow-list]"), tipEl: q("[data-flow-tip]"), stageEl: stage, book,
    onFocus: (id) => { focusId = id; dirty = true; showTip(); },
  });

  let badges = []; // { broker, partition, text, bad, t }: what a broker just did to a replica (explain.js)
  store.onAdd = (token) => {
    book.sent(token);
    if (token.type === "produce" && token.msg.batches?.some(([, id]) => (book.batches.get(id)?.attempt ?? 1) > 1)) token.note = "↻ retry";
    if (layout) token.path = pathFor(layout, token.src, token.dst);
    const h = document.createElement("i");
    h.dataset.msg = String(token.id);
    h.dataset.kind = token.kind;
    h.dataset.from = String(token.src);
    h.dataset.to = String(token.dst);
    h.dataset.send = String(token.send);
    h.dataset.arrive = String(token.arrive);
    if (token.lost) h.dataset.lost = token.lost;
    if (token.path) h.dataset.path = pathText(token.path);
    token.handle = h;
    handles.append(h);
  };
  store.onRemove = (token) => token.handle?.remove();

  function relayout(state) {
    const next = layoutKey(topology, state, opts);
    if (next === key) return;
    key = next;
    layout = computeLayout(topology, state, opts);
    scene.build(layout);
    stage.style.setProperty("--flow-ratio", `${layout.W} / ${layout.H}`);
    for (const token of store.tokens.values()) {
      token.path = pathFor(layout, token.src, token.dst);
      if (token.handle && token.path) token.handle.dataset.path = pathText(token.path);
    }
    painter.resize(layout.W, layout.H);
    dirty = true;
  }

  /** A badge's place, in picture units: the right end of its replica's row, or just left of its broker's box. */
  function placeBadge(b) {
    const box = layout?.brokers.get(b.broker);
    if (!box) return null;
    const rep = b.partition === null ? null : box.replicas.get(b.partition);
    // A broker's own badge sits just left of its box, so its name and state word stay readable.
    return { ...b, x: rep ? box.x + box.w - 6 : box.x - 6, y: rep ? rep.y + ROW / 2 : box.y + 15 };
  }

  function showTip() {
    const token = focusId !== null ? store.tokens.get(focusId) : null;
    if (!token || Number.isNaN(token.x)) {
      describer.tip(null);
      return;
    }
    describer.tip(token, hoverAt ?? { x: painter.ox + token.x * painter.scale, y: painter.oy + token.y * painter.scale });
  }

  /** Every frame, in order: its flow section, its events, and the clock. */
  function frame(f) {
    if (f.reset) {
      book.reset();
      if (follow) follow.value = "";
    }
    book.events(f.events);
    if (f.reset) badges = [];
    for (const e of f.events) for (const b of badgeFor(e)) badges.push({ ...b, t: e.t });
    book.sizes(f.lab?.departed);
    const flow = f.flow;
    if (flow) {
      if (flow.topology) topology = flow.topology;
      if (flow.groups) groups = flow.groups;
      book.recentFrom(flow.records);
      const arrived = stepPending ? [...store.tokens.values()].filter((t) => t.arrive <= flow.now && t.arrive > clock.base) : [];
      store.apply(flow);
      for (const m of flow.in_flight) {
        const token = store.tokens.get(m.id);
        if (token && f.wall && f.playback.speed) token.eventWall = f.wall - (f.timeline.now - token.send) / f.playback.speed;
      }
      if (stepPending && f.playback.state !== "playing") {
        stepPending = false;
        const left = flow.in_flight.concat(flow.passed).filter((m) => m.send_ms === flow.now);
        ctx.narrate(explainStep(flow.now, f.events, left, arrived));
      }
    }
    clock.frame(f, performance.now());
    speed = f.playback.speed;
    dirty = true;
  }

  /** The newest frame: the still scene and the words. */
  function render(f) {
    last = f;
    if (!topology) return;
    relayout(f.state);
    const marked = book.marked();
    scene.update(f.state, { queues: book.queues(f.flow?.accumulator), records: opts.records ? book.recent.map((r) => ({ ...r, followed: r.key === book.followed && r.key !== null })) : null, marked, groups });
    const now = clock.now(performance.now());
    describer.update(now, [...store.visible(now)], f.state, () => store.takeUnseen(), f.playback.state !== "playing");
    if (follow && book.keys.size) {
      const keys = [...book.keys].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      const joined = keys.join("\n");
      if (joined !== listedKeys) {
        listedKeys = joined;
        const chosen = follow.value;
        follow.replaceChildren(new Option("no key", ""), ...keys.map((k) => new Option(k, k)));
        follow.value = chosen;
      }
    }
  }

  let beforePaint = null; // lab.js hands the socket's frames over here, so a new token is drawn in the same animation frame
  function paint() {
    requestAnimationFrame(paint);
    beforePaint?.();
    if (!layout || !visible) return;
    const started = performance.now();
    const wall = performance.now();
    const now = clock.now(wall);
    if (!dirty && !clock.playing) return;
    dirty = false;
    // Tokens leave once a frame confirms they arrived: the page's clock may run a frame ahead, and a
    // pause puts it back to the paused frame's time, where they are still on their way.
    store.prune(clock.base);
    const marked = book.followed === null ? null : book.marked();
    const tokens = [...store.visible(now)];
    for (const m of store.marks) if (!m.path && layout) m.path = pathFor(layout, m.src, m.dst);
    const span = 1600 * Math.max(speed, 0.001); // a badge stays as long as a mark: 1.6 s of wall time at this speed
    badges = badges.filter((b) => now - b.t < span || now < b.t);
    painter.draw(tokens, store.liveMarks(now, speed), now, {
      badges: badges.filter((b) => now >= b.t).map((b) => placeBadge(b)).filter(Boolean),
      stepped: !ctx.animate(), focus: focusId,
      highlight: marked ? (t) => book.carries(t, marked) : null,
      sizeOf: (t) => book.compressedSize(t, fraction(t, now)),
    });
    stats.paints += 1;
    stats.paintMs += performance.now() - started;
    const drawn = Date.now();
    for (const t of tokens) {
      if (t.firstDrawn !== undefined) continue;
      t.firstDrawn = drawn;
      if (t.eventWall !== undefined && clock.playing) stats.latencies.push(drawn - t.eventWall);
    }
    if (stats.latencies.length > LATENCIES) stats.latencies.splice(0, stats.latencies.length - LATENCIES);
    el.dataset.flowNow = String(now);
    el.dataset.flowCount = String(tokens.length);
    if (focusId !== null) showTip();
  }

  // Pointer: the token under it shows its tip. Keyboard on the stage: arrows pick a message.
  stage.addEventListener("pointermove", (e) => {
    const box = stage.getBoundingClientRect();
    hoverAt = { x: e.clientX - box.left, y: e.clientY - box.top };
    const token = painter.hit(store.tokens.values(), hoverAt.x, hoverAt.y);
    const id = token ? token.id : null;
    if (id !== focusId) {
      focusId = id;
      dirty = true;
    }
    showTip();
  });
  stage.addEventListener("pointerleave", () => { hoverAt = null; focusId = null; dirty = true; showTip(); });
  stage.addEventListener("keydown", (e) => {
    if (!["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp", "Escape"].includes(e.key)) return;
    e.preventDefault(); // arrows pick a message here; they never leave the lab
    const ids = [...store.visible(clock.now(performance.now()))].map((t) => t.id).sort((a, b) => a - b);
    if (e.key === "Escape" || !ids.length) focusId = null;
    else {
      const i = ids.indexOf(focusId);
      const step = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : -1;
      focusId = ids[i < 0 ? (step > 0 ? 0 : ids.length - 1) : (i + step + ids.length) % ids.length];
    }
    hoverAt = null;
    dirty = true;
    showTip();
  });
  stage.addEventListener("blur", () => { focusId = null; dirty = true; showTip(); });
  follow?.addEventListener("change", () => { book.followed = follow.value || null; dirty = true; if (last) render(last); });

  new ResizeObserver(() => { if (layout) painter.resize(layout.W, layout.H); dirty = true; }).observe(stage);
  new IntersectionObserver((entries) => { visible = entries.some((e) => e.isIntersecting); dirty = true; }).observe(stage);
  const recolour = () => { painter.readColours(el); dirty = true; };
  new MutationObserver(recolour).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-mode"] });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", recolour);
  recolour();
  requestAnimationFrame(paint);

  const api = {
    frame,
    render,
    /** ``fn`` runs at the start of every animation frame, before the picture paints (lab.js: the socket's frames). */
    beforePaint(fn) { beforePaint = fn; },
    /** The next frame answers a step: say what it did. */
    stepped() { stepPending = true; },
    now: () => clock.now(performance.now()),
    /** The id of the token the pointer or the keyboard picked, or null. */
    get focused() { return focusId; },
    get layout() { return layout; },
    /** The token colours of the current theme, resolved (painter.js). */
    get colours() { return painter.colours; },
    /** Picture units to CSS px in the stage: x * scale + ox, y * scale + oy. */
    get fit() { return { scale: painter.scale, ox: painter.ox, oy: painter.oy }; },
    tokens: store,
    book,
    /** Where a token was last drawn, in CSS px from the stage's top left, and at which virtual time. */
    where(id) {
      const t = store.tokens.get(id);
      return t ? { x: painter.ox + t.x * painter.scale, y: painter.oy + t.y * painter.scale, drawnAt: t.drawnAt, send: t.send, arrive: t.arrive } : null;
    },
  };
  el.flowPicture = api;
  return api;
}
