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

from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import add
from typing import TYPE_CHECKING, Final

from app.sim.varint import VARINT_SIZES, varint_size

if TYPE_CHECKING:
    from app.sim.producer.batch import ProducerBatch
    from app.sim.producer.producer import KafkaProducer

# _SECTION_SIZES[n]: the bytes an n-byte key or value takes in a record, its length varint included.
_SECTION_SIZES: Final = [size + n for n, size in enumerate(VARINT_SIZES[1:])]


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
    parts = producer.keyed.partitions(keys)  # murmur2 is pure: computing it early changes nothing
    # Each record's key and value sections (length varints included), column by column.
    section = _SECTION_SIZES.__getitem__
    kv_sizes = list(map(add, map(section, map(len, keys)), map(section, map(len, values))))
    # Each partition's records in send order: sorted() is stable.
    order = sorted(range(n), key=parts.__getitem__)
    count_p = producer.num_partitions
    bounds = [bisect_left(order, p, key=parts.__getitem__) for p in range(count_p + 1)]

    open_batch = producer.accumulator.open_batch
    batches: list[ProducerBatch | None] = [None] * count_p
    ptr = bounds[:count_p]  # next record of each partition not yet handed over (a position in order)
    fit = [0] * count_p  # how many from ptr on fit the open batch, in a row
    # Uncompressed record bytes of the open batch before and after each of those records.
    used: list[list[int]] = [[] for _ in range(count_p)]
    nxt = [n] * count_p  # send position of the partition's first record that does not fit (n: none)

    def scan(p: int) -> None:
        """How many of partition p's next records fit its open batch, as try_append decides."""
        start, end = ptr[p], bounds[p + 1]
        batch = open_batch[p]
        state = batch.builder.bulk_state(ts) if batch is not None and batch.data is None else None
        batches[p] = batch
        if state is None or start == end or state[0] == 0:
            fit[p] = 0
            used[p] = []
            nxt[p] = order[start] if start < end else n
            return
        c, u, room_base, r, fixed = state
        cum = [u]
        append = cum.append
        j = start
        stretched = 0
        while j < end:
            band = 1 if c < 64 else 2 if c < 8192 else 3
            # (A handful of records is cheaper to size one by one.)
            if band != stretched and band < 3 and room_base < 16_000_000 and end - j > 8:
                stretched = band
                # While the offset delta stays below 64 its varint takes one byte (band 1), from 64
                # to 8191 two (band 2); for bodies of 64..8191 bytes the length varint takes two.
                # So in a band a record's size is its key and value sizes + fixed + band + 2, and
                # the running totals come from accumulate().  Every record whose total before it
                # is at most ``certain`` fits for sure (6 bytes of margin where _fits needs 4, so
                # the float products cannot tip it); the per-record rule takes over after them.
                seg = list(map(kv_sizes.__getitem__, order[j : min(end, j + (64 if band == 1 else 8192) - c)]))
                overhead = fixed + band + 2
                low, high = min(seg) + overhead, max(seg) + overhead
                if low >= 66 and high < 8194:
                    certain = (room_base - high - 6) / r if r else room_base - high
                    totals = list(accumulate(map(overhead.__add__, seg), initial=u))
                    t = bisect_right(totals, certain, 0, len(seg))
                    if t:
                        cum.extend(totals[1 : t + 1])
                        c += t
                        u = totals[t]
                        j += t
                        continue
            body = kv_sizes[order[j]] + fixed + (1 if c < 64 else 2 if c < 8192 else varint_size(c))
            size = body + (1 if body < 64 else 2 if body < 8192 else varint_size(body))
            room = room_base - size
            if not r:
                if room < u:
                    break
            else:
                # BatchBuilder._fits: a double is within 2e-7 of Java's float products,
                # so only a near tie needs the exact float path.
                a = u * r
                if a >= 16_000_000 or -4 <= room - a <= 4:
                    if not batch.builder.fits_uncompressed(size, u):  # type: ignore[union-attr]
                        break
                elif room - a < -4:
                    break
            c += 1
            u += size
            append(u)
            j += 1
        fit[p] = j - start
        used[p] = cum
        nxt[p] = order[j] if j < end else n

    def hand_over(p: int, upto: int) -> None:
        """Append partition p's fitting records sent before position ``upto``."""
        start, k = ptr[p], fit[p]
        m = bisect_left(order, upto, start, start + k) - start if k else 0
        if not m:
            return
        idx = order[start : start + m]
        cum = used[p]
        batch = batches[p]
        assert batch is not None
        batch.builder.extend_sized(ts, list(map(keys.__getitem__, idx)), list(map(values.__getitem__, idx)),
                                   cum[m] - cum[0])
        batch.record_ids.extend(map(first_rid.__add__, idx))
        ptr[p] = start + m
        fit[p] = k - m
        used[p] = cum[m:]

    for p in range(count_p):
        scan(p)
    send = producer._send_one
    while True:
        i = min(nxt)
        if i == n:
            break
        # Record i starts a new batch (or meets a closed one): the one-record path, in send order.
        # Its partition's records before it go into the open batch first; other partitions'
        # wait, since nothing send() does for partition p looks at another partition's batch.
        p = parts[i]
        if fit[p]:
            hand_over(p, i)
        ptr[p] += 1
        if not send(first_rid + i, keys[i], values[i], ts, now, False):
            # send() blocked: the records sent before i are in, the later ones wait behind it.
            for q in range(count_p):
                if fit[q]:
                    hand_over(q, i)
            return i + 1
        scan(p)
    for p in range(count_p):
        if fit[p]:
            hand_over(p, n)
    return n
