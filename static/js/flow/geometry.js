// Paths a token travels: polylines measured by length, so a token at fraction f of its trip
// sits at f of the path's length whatever its bends (a slow link's zigzag, a replication arc).
// Coordinates are the picture's own units (layout.js); painter.js scales them to pixels.

/** A polyline from points [[x, y], ...], with cumulative lengths for placing a fraction on it. */
export function polyline(points) {
  const lengths = [0];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    lengths.push(lengths[i - 1] + Math.hypot(x1 - x0, y1 - y0));
  }
  return { points, lengths, length: lengths[lengths.length - 1] };
}

/** The point at fraction ``f`` (0 to 1) of the path's length, and the direction there (radians). */
export function pointAt(path, f) {
  const { points, lengths, length } = path;
  if (points.length === 1 || length === 0) return { x: points[0][0], y: points[0][1], angle: 0 };
  const want = Math.max(0, Math.min(1, f)) * length;
  let i = 1;
  while (i < lengths.length - 1 && lengths[i] < want) i++;
  const seg = lengths[i] - lengths[i - 1] || 1;
  const u = (want - lengths[i - 1]) / seg;
  const [x0, y0] = points[i - 1];
  const [x1, y1] = points[i];
  return { x: x0 + (x1 - x0) * u, y: y0 + (y1 - y0) * u, angle: Math.atan2(y1 - y0, x1 - x0) };
}

/** A straight line moved sideways by ``offset`` (positive: to the right of the direction of travel). */
export function lane([x0, y0], [x1, y1], offset) {
  const len = Math.hypot(x1 - x0, y1 - y0) || 1;
  const nx = -(y1 - y0) / len;
  const ny = (x1 - x0) / len;
  return [[x0 + nx * offset, y0 + ny * offset], [x1 + nx * offset, y1 + ny * offset]];
}

/** A quadratic curve from a to b through control point c, as ``n`` straight pieces. */
export function curve(a, c, b, n = 12) {
  const out = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    out.push([u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1]]);
  }
  return out;
}

/** A straight line from a to b drawn as a zigzag of ``turns`` teeth ``depth`` wide: a slow link is long. */
export function zigzag(a, b, turns, depth) {
  const out = [a];
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len;
  const ny = dx / len;
  // The teeth sit in the middle four-fifths, so the ends stay straight where they meet the boxes.
  for (let i = 0; i < turns * 2; i++) {
    const t = 0.1 + (0.8 * (i + 0.5)) / (turns * 2);
    const side = i % 2 ? -1 : 1;
    out.push([a[0] + dx * t + nx * depth * side, a[1] + dy * t + ny * depth * side]);
  }
  out.push(b);
  return out;
}

/** SVG path data for a polyline's points. */
export function pathData(points) {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
}
