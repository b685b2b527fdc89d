// The consumers on the cluster picture, from each frame's `flow.groups` (app/live/flow.py): in each
// consumer's box its state (a symbol and a word) and the partitions it reads; the links it fetches on
// drawn heavier (with KIP-392's rack-aware selector they lead to the broker in its own zone); and each
// group's coordinator named on its broker, so a killed coordinator is seen moving.

export const CONSUMER_STATE = {
  consuming: "● consuming", idle: "○ idle", joining: "↻ rebalancing", killed: "✕ killed", closed: "■ closed", failed: "✕ failed",
};

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function setAttr(el, name, value) {
  const v = String(value);
  if (el && el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/** A consumer's second line: the partitions it reads, or why it reads none. */
export function readsText(m) {
  if (!m.partitions.length) return m.state === "consuming" || m.state === "idle" ? "no partition assigned" : "reads nothing";
  return `reads ${m.partitions.map(([, p]) => `P${p}`).join(", ")}`;
}

/** ``scene``: the picture's Scene (its clients, brokers and links by key); ``groups``: a frame's flow.groups. */
export function updateConsumers(scene, groups) {
  const fetching = new Set();
  for (const [member, m] of Object.entries(groups.members)) {
    const client = scene.clients.get(m.client);
    if (!client) continue;
    setAttr(client.g, "data-state", m.state);
    setAttr(client.g, "data-member", member);
    setText(client.g.querySelector("[data-client-state]"), CONSUMER_STATE[m.state] ?? m.state);
    setText(client.g.querySelector("[data-client-config]"), readsText(m));
    for (const b of m.from) if (b >= 0) fetching.add(`${m.client}>${b}`);
  }
  for (const [key, g] of scene.links) if (!/^\d/.test(key)) setAttr(g, "data-fetching", fetching.has(key));
  const led = new Map();
  for (const [group, b] of Object.entries(groups.coordinators)) led.set(b, [...(led.get(b) ?? []), group]);
  for (const [id, { g }] of scene.brokers) {
    const names = led.get(id);
    setText(g.querySelector("[data-coordinator]"), names ? `⚑ coordinator of ${names.join(", ")}` : "");
    setAttr(g, "data-coordinator-of", names ? names.join(" ") : "");
  }
}
