// The idempotence lab's renderer: the retries lab's picture of the partition, with each record's
// sequence number and each batch's producer id, epoch and sequences (static/js/lab/retries.js).
import { createLogRenderer } from "./retries.js";

export function createRenderer(root, ctx) {
  return createLogRenderer(root, ctx, { sequences: true });
}
