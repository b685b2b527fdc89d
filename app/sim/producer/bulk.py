"""The producer's bulk send path: one tick's keyed records, without a call per record.

Not a Kafka class of its own: it is ``KafkaProducer.send()`` followed by
``ProducerBatch.tryAppend`` for each record in turn, in send order, with the
common case (a keyed record that fits its partition's open batch) worked out
on local counters and handed to the batch builders a run at a time.  Any other
record (one that starts a new batch, or meets a closed batch) goes through
``KafkaProducer._send_one`` exactly as before, so batch ids, buffer allocation,
blocking and trace events happen in the same order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim.varint import VARINT_SIZES, varint_size

if TYPE_CHECKING:
    from app.sim.producer.batch import ProducerBatch
    from app.sim.producer.producer import KafkaProducer


def send_keyed_run(
    producer: "KafkaProducer", first_rid: int, keys: list[bytes], values: list[bytes], ts: int, now: float
) -> int:
    """send() records ``first_rid, first_rid + 1, ...`` (keys and values never None, lengths
    within the varint table); returns how many the producer took: fewer than all when a
    send() blocked on memory, and the caller queues the rest behind it.

    A record's size is BatchBuilder's: body = attributes + timestamp-delta varint +
    offset-delta varint + key and value with their length varints + header count,
    plus the body's own length varint.  Example: at offset delta 70, timestamp delta 0,
    key b"key-7" and a 100-byte value the body is 1 + 1 + 2 + 6 + 102 + 1 = 113 and the
    record 115 bytes.
    """
    n = len(keys)
    keyed = producer.keyed
    parts = list(map(keyed._cache.get, keys))
    if None in parts:
        parts = list(map(keyed.partition, keys))  # murmur2 is pure: computing it early changes nothing
    sizes = VARINT_SIZES
    key_sizes = {k: sizes[len(k) + 1] + len(k) for k in set(keys)}
    kv_sizes = [key_sizes[k] + sizes[len(v) + 1] + len(v) for k, v in zip(keys, values)]

    open_batch = producer.accumulator.open_batch
    count_p = producer.num_partitions
    batches: list[ProducerBatch | None] = [None] * count_p
    counts = [-1] * count_p  # records in the open batch; -1: none open, the next record goes the slow way
    used = [0] * count_p  # its uncompressed record bytes
    rooms = [0] * count_p  # write limit - 61
    factors: list[float | None] = [None] * count_p  # estimated ratio * 1.05, None without a codec
    fixed = [0] * count_p  # attributes + timestamp delta varint + header count
    pending: list[list[int]] = [[] for _ in range(count_p)]
    added = [0] * count_p

    def load(p: int) -> None:
        batch = open_batch[p]
        state = batch.builder.bulk_state(ts) if batch is not None and batch.data is None else None
        if state is None:
            batches[p], counts[p] = None, -1
            return
        batches[p] = batch
        counts[p], used[p], rooms[p], factor, fixed[p] = state
        factors[p] = factor if factor else None

    def flush(p: int) -> None:
        idx = pending[p]
        if idx:
            batch = batches[p]
            assert batch is not None
            batch.builder.extend_sized(ts, [keys[i] for i in idx], [values[i] for i in idx], added[p])
            batch.record_ids.extend([first_rid + i for i in idx])
            pending[p] = []
            added[p] = 0

    for p in range(count_p):
        load(p)
    send = producer._send_one
    for i in range(n):
        p = parts[i]
        c = counts[p]
        if c > 0:
            body = kv_sizes[i] + fixed[p] + (1 if c < 64 else 2 if c < 8192 else varint_size(c))
            size = body + (1 if body < 64 else 2 if body < 8192 else varint_size(body))
            u = used[p]
            room = rooms[p] - size
            r = factors[p]
            if r is None:
                fits = room >= u
            else:
                # BatchBuilder._fits: a double is within 2e-7 of Java's float products,
                # so only a near tie needs the exact float path.
                a = u * r
                if a < 16_000_000 and room - a > 4:
                    fits = True
                elif a < 16_000_000 and room - a < -4:
                    fits = False
                else:
                    fits = batches[p].builder.fits_uncompressed(size, u)  # type: ignore[union-attr]
            if fits:
                counts[p] = c + 1
                used[p] = u + size
                added[p] += size
                pending[p].append(i)
                continue
        flush(p)
        if not send(first_rid + i, keys[i], values[i], ts, now, False):
            for q in range(count_p):
                flush(q)
            return i + 1
        load(p)
    for q in range(count_p):
        flush(q)
    return n
