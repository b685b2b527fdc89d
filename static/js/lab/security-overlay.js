// The security layers drawn on the cluster picture (static/js/flow/): each client link inside a TLS tube
// (◈ and its version) or marked plain (⚠ readable) or refused (✕); each client's badge says the principal its
// connection carries (✓ authenticated, ? anonymous); the brokers' own links likewise; and the eavesdropper
// tapping the clients' network. An SVG in the picture's own units, under the travelling tokens, that never
// takes the pointer. Nothing is told by colour alone: every mark has its symbol and word.
const NS = "http://www.w3.org/2000/svg";

function node(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function pathOf(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" ");
}

function tlsWord(tls) {
  return tls ? `TLS ${tls.replace("TLSv", "")}` : "";
}

/** The principal badge of a client: what its ready connections carry, or why it has none. */
export function badgeFor(card) {
  if (card.state === "connected" || (card.state === "failed" && card.principal)) {
    const anonymous = card.principal === "User:ANONYMOUS";
    return { text: `${anonymous ? "?" : "✓"} ${card.principal}`, kind: anonymous ? "anonymous" : "authenticated" };
  }
  if (card.state === "stopped" && card.principal) return { text: `✓ ${card.principal}, stopped`, kind: "denied" };
  if (card.state === "refused") return { text: "✕ refused (security.protocol)", kind: "refused" };
  if (card.state === "failed" || card.state === "stopped") return { text: "✕ not authenticated", kind: "refused" };
  return { text: "… connecting", kind: "connecting" };
}

export function createOverlay(stage) {
  const svg = node("svg", { class: "sec-overlay", "aria-hidden": "true", focusable: "false", "data-sec-overlay": "" });
  stage.insertBefore(svg, stage.querySelector("[data-flow-canvas]"));
  let key = "";

  function draw(layout, view) {
    if (!layout || !view) return;
    const cards = new Map(view.cards.map((c) => [c.name, c]));
    const links = new Map(view.links.map((l) => [`${l.client}>${l.broker}`, l]));
    const next = JSON.stringify([layout.W, layout.H, [...layout.links.keys()], view.links.map((l) => [l.client, l.broker, l.state, l.tls, l.principal]),
      view.cards.map((c) => [c.name, c.state, c.principal]), view.inter_broker, view.layers, view.seen["records read"] > 0]);
    if (next === key) return;
    key = next;
    svg.setAttribute("viewBox", `0 0 ${layout.W} ${layout.H}`);
    const tubes = node("g", { class: "sec-tubes" });
    const words = node("g", { class: "sec-words" });
    const labelled = new Set();
    for (const [k, path] of layout.links) {
      const [src, dst] = k.split(">");
      if (!cards.has(src) && !/^\d+$/.test(src)) continue;
      const broker = /^\d+$/.test(src);
      const link = broker ? null : links.get(k);
      const tls = broker ? (view.inter_broker.includes("SSL") ? view.layers.tls : null) : link?.tls;
      const state = broker ? "ready" : link?.state ?? "none";
      const g = node("g", { class: "sec-link", "data-sec-link": k, "data-tls": tls ?? "", "data-state": state });
      for (const lane of [path.request, path.response].filter(Boolean)) {
        g.append(node("path", { d: pathOf(lane.points), class: tls && state === "ready" ? "sec-tube" : state === "failed" ? "sec-refused" : "sec-plain" }));
      }
      tubes.append(g);
      if (broker || labelled.has(src) || state === "none") continue;
      labelled.add(src);
      // One word per client, near its end of the links: ◈ TLS 1.3, ⚠ plain, ✕ refused.
      const box = layout.clients.get(src);
      const [x, y] = [box.x + box.w + 6, box.y + 14];
      const text = state === "failed" ? "✕ refused" : tls ? `◈ ${tlsWord(tls)}` : "⚠ plain";
      words.append(node("text", { x, y, class: `sec-link-word sec-${state === "failed" ? "bad" : tls ? "ok" : "warn"}`, "data-sec-link-word": src }, text));
    }
    for (const [name, box] of layout.clients) {
      const card = cards.get(name);
      if (!card) continue;
      const badge = badgeFor(card);
      // The producer's second line holds its configs: its badge goes on its title line; a consumer's below its title.
      const y = box.kind === "producer" ? box.y + 20 : box.y + 40;
      words.append(node("text", { x: box.x + box.w - 8, y, "text-anchor": "end", class: `sec-badge sec-badge-${badge.kind}`,
        "data-sec-principal": name, "data-kind": badge.kind }, badge.text));
    }
    // The brokers' own links: one word beside the replication arcs.
    const arcs = [...layout.links.keys()].filter((k) => /^\d+>\d+$/.test(k));
    if (arcs.length) {
      const first = [...layout.brokers.values()][0];
      const tls = view.inter_broker.includes("SSL");
      words.append(node("text", { x: first.x + first.w + 8, y: Math.max(12, first.y - 4), class: `sec-link-word sec-${tls ? "ok" : "warn"}`,
        "data-sec-inter-broker": tls ? "tls" : "plain" }, tls ? "◈ brokers: TLS" : "⚠ brokers: plain"));
    }
    // The eavesdropper, between the clients and the brokers, tapping every client link.
    const xs = [...layout.clients.values()].map((b) => b.x + b.w);
    const bx = [...layout.brokers.values()].map((b) => b.x);
    const x = (Math.max(...xs) + Math.min(...bx)) / 2;
    const reads = !view.layers.tls;
    const eye = node("g", { class: "sec-eve", "data-sec-eavesdropper": "", "data-reads": String(reads) });
    eye.append(node("line", { x1: x, y1: 22, x2: x, y2: layout.H - 6, class: "sec-tap" }),
      node("text", { x, y: 14, "text-anchor": "middle", class: "sec-eve-word" }, reads ? "◉ reads it all" : "◉ sees ciphertext"));
    svg.replaceChildren(tubes, eye, words);
  }

  return { draw, svg };
}
