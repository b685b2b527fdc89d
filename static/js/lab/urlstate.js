// A lab's state in the page URL: seed, start settings and the log of controls, so a
// link replays the same run. Other parameters (projector=1) are left alone.
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
  return Object.keys(state).length ? state : null;
}

export function writeState(link, preset) {
  const url = new URL(window.location.href);
  for (const name of Object.keys(preset.settings)) url.searchParams.delete(name);
  for (const name of ["seed", "log"]) url.searchParams.delete(name);
  const same = link.seed === preset.seed && !link.log.length &&
    Object.entries(link.settings).every(([k, v]) => String(preset.settings[k]) === String(v));
  if (!same) {
    url.searchParams.set("seed", String(link.seed));
    for (const [k, v] of Object.entries(link.settings)) url.searchParams.set(k, String(v));
    if (link.log.length) url.searchParams.set("log", JSON.stringify(link.log));
  }
  history.replaceState(history.state, "", url);
}
