// A lab's state in the page URL. The run: seed, start settings and the log of controls, so a link
// replays the same run (the server counts this part against its link limit: app/live/links.py).
// The moment: `t` (seconds of virtual time), `speed` and `paused`, so a link or a reload opens the
// run where it was. Other parameters (projector=1) are left alone.
// textNames: settings whose value is text, kept as a string even when it looks like a number.
export function readState(settingNames, textNames = []) {
  const params = new URLSearchParams(window.location.search);
  const settings = {};
  for (const name of settingNames) {
    if (!params.has(name)) continue;
    const raw = params.get(name);
    settings[name] = /^-?\d+$/.test(raw) && !textNames.includes(name) ? Number(raw) : raw;
  }
  const state = {};
  if (Object.keys(settings).length) state.settings = settings;
  if (params.has("seed") && /^\d+$/.test(params.get("seed"))) state.seed = Number(params.get("seed"));
  if (params.has("log")) {
    let log = null;
    try {
      log = JSON.parse(params.get("log"));
    } catch { /* reported below */ }
    if (Array.isArray(log)) state.log = log;
    // The server checks what the log holds; a log that is not even a list (a link cut short) is said here.
    else state.problem = "This link's record of changes and faults could not be read (was it cut short?), so the run starts without them.";
  }
  if (/^\d+(\.\d+)?$/.test(params.get("t") ?? "")) state.t = Math.round(Number(params.get("t")) * 1000);
  const speed = Number(params.get("speed"));
  if (params.has("speed") && speed > 0) state.speed = speed;
  if (params.get("paused") === "1") state.paused = true;
  return state;
}

/** The run's part of a link: seed, every start setting, and the log when it holds something. */
export function runParams(link) {
  const params = new URLSearchParams();
  params.set("seed", String(link.seed));
  for (const [k, v] of Object.entries(link.settings)) params.set(k, String(v));
  if (link.log.length) params.set("log", JSON.stringify(link.log));
  return params;
}

/** Characters of the run's part of a link, as the server counts them against hello.limits.link_chars. */
export function linkChars(link) {
  return runParams(link).toString().length;
}

/** The URL of this page showing `link` (the run) at `moment` ({t ms, speed, paused}); `preset`: the lab's own. */
export function stateUrl(link, preset, moment = {}) {
  const url = new URL(window.location.href);
  for (const name of Object.keys(preset.settings)) url.searchParams.delete(name);
  for (const name of ["seed", "log", "t", "speed", "paused"]) url.searchParams.delete(name);
  const same = link.seed === preset.seed && !link.log.length &&
    Object.entries(link.settings).every(([k, v]) => String(preset.settings[k]) === String(v));
  if (!same) for (const [k, v] of runParams(link)) url.searchParams.set(k, v);
  const seconds = Math.round((moment.t ?? 0) / 100) / 10;
  if (seconds > 0) url.searchParams.set("t", String(seconds));
  if (moment.speed !== undefined && moment.speed !== preset.speed) url.searchParams.set("speed", String(moment.speed));
  if (moment.paused) url.searchParams.set("paused", "1");
  return url;
}

export function writeState(link, preset, moment) {
  const url = stateUrl(link, preset, moment);
  if (url.href !== window.location.href) history.replaceState(history.state, "", url);
}
