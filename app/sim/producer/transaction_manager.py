"""The idempotent producer's sequence bookkeeping: epochs, sequences, and what to do after a failure.

Models the idempotent (non-transactional) part of Kafka's ``TransactionManager``:
per partition the next sequence, the last acknowledged one and the epoch its
sequences belong to (``TxnPartitionEntry``); sequences left unresolved by a batch
that expired after being sent (``markSequenceUnresolved``, ``maybeResolveSequences``);
and epoch bumps (KIP-360), done at the start of a sender pass and rewriting the
sequences of the batches still in flight for the partitions that asked for one
(``bumpIdempotentProducerEpoch``, ``startSequencesAtBeginning``). Leaves out
transactions, UNKNOWN_PRODUCER_ID and running out of epochs.

Why it matters: a batch that expired on the client may still have been written. Kafka
does not guess: it waits until the partition has nothing in flight, then either finds
that later batches were acknowledged (so the sequence is whole and nothing changes) or
bumps the epoch and starts the partition's sequences again from 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.sim.producer.batch import ProducerBatch

MAX_SEQUENCE = 0x7FFFFFFF


class TransactionManager:
    """``inflight[p]``: partition p's batches sent and not finished, retries waiting to go included
    (Kafka's inflightBatchesBySequence); the producer keeps the sets and shares them here."""

    def __init__(self, num_partitions: int, inflight: list[set["ProducerBatch"]]) -> None:
        self.epoch = 0
        self.inflight = inflight
        self.partition_epoch = [0] * num_partitions
        self.next_sequence = [0] * num_partitions
        self.last_acked = [-1] * num_partitions
        #: partition -> the sequence after its unresolved batches
        self.unresolved: dict[int, int] = {}
        self.rewrite: set[int] = set()
        self.bump_required = False

    # -- sequences for new batches (RecordAccumulator.drain) ------------------------------------
    def sequence_for(self, p: int, count: int) -> int:
        """The base sequence of a new batch of ``count`` records; a partition still on an older
        epoch starts again from 0 once nothing of it is in flight (maybeUpdateProducerIdAndEpoch)."""
        if self.partition_epoch[p] != self.epoch and not self.inflight[p]:
            self._start_at_beginning(p)
        seq = self.next_sequence[p]
        self.next_sequence[p] = (seq + count) & MAX_SEQUENCE
        return seq

    def should_stop_drain(self, p: int, first: "ProducerBatch") -> bool:
        """RecordAccumulator.shouldStopDrainBatchesForPartition for the idempotent producer."""
        inflight = self.inflight[p]
        if first.base_sequence < 0:
            # A new batch waits while older-epoch batches are out (it would start the new epoch
            # at 0 before they finish) and while an expired batch left the sequence unknown.
            if inflight and self.partition_epoch[p] != self.epoch:
                return True
            if p in self.unresolved:
                return True
            return False
        # A retry goes only when it is the first in flight: retries go one at a time, in order.
        first_in_flight = min((b.base_sequence for b in inflight), default=-1)
        return first_in_flight >= 0 and first.base_sequence != first_in_flight

    # -- outcomes ---------------------------------------------------------------------------
    def on_acked(self, batch: "ProducerBatch") -> None:
        p = batch.partition
        if batch.producer_epoch == self.epoch and batch.last_sequence > self.last_acked[p]:
            self.last_acked[p] = batch.last_sequence

    def on_failed(self, batch: "ProducerBatch", error: str, expired: bool, adjust: bool) -> None:
        """handleFailedBatch, and the expiry path of Sender.sendProducerData.

        ``adjust``: the batch had retries left (it failed for a reason other than running
        out of them), Kafka's adjustSequenceNumbers.
        """
        if batch.base_sequence < 0:
            return  # never sent: it had no sequence
        p = batch.partition
        if expired:
            if batch.attempts > 0:  # inRetry: it may have been written; decide once nothing is in flight
                after = batch.last_sequence + 1
                self.unresolved[p] = max(self.unresolved.get(p, after), after)
            return
        if error == "OUT_OF_ORDER_SEQUENCE_NUMBER" or adjust:
            self.request_bump(p)

    def can_retry_out_of_order(self, batch: "ProducerBatch") -> bool:
        """TransactionManager.canRetry for OUT_OF_ORDER_SEQUENCE_NUMBER: always retried; when the gap is
        real (it follows the last acknowledged batch, or an unresolved one), the epoch is bumped first."""
        p = batch.partition
        if p not in self.unresolved and (batch.sequence_reset or batch.base_sequence != self.last_acked[p] + 1):
            return True  # an earlier batch is being retried: the gap closes when it lands
        if p not in self.unresolved or batch.base_sequence == self.unresolved[p]:
            self.request_bump(p)
        return True

    def request_bump(self, p: int) -> None:
        self.bump_required = True
        self.rewrite.add(p)

    # -- the start of every sender pass (Sender.runOnce) ------------------------------------------
    def maybe_resolve_sequences(self) -> None:
        for p in list(self.unresolved):
            if self.inflight[p]:
                continue
            del self.unresolved[p]
            if self.next_sequence[p] - self.last_acked[p] != 1:
                # Nothing acknowledged after the expired batch: its sequence may be a gap.
                self.request_bump(p)

    def bump_if_needed(self) -> bool:
        """bumpIdempotentEpochAndResetIdIfNeeded: True when the epoch went up."""
        if not self.bump_required:
            return False
        self.epoch += 1
        for p in sorted(self.rewrite):
            self._start_at_beginning(p)
            self.unresolved.pop(p, None)
        self.rewrite.clear()
        self.bump_required = False
        return True

    def _start_at_beginning(self, p: int) -> None:
        """startSequencesAtBeginning: the partition's batches in flight get the new epoch and
        sequences from 0, in their old order; they are re-stamped before they are sent again."""
        seq = 0
        for b in sorted(self.inflight[p], key=lambda b: b.base_sequence):
            b.reset_producer_state(self.epoch, seq)
            seq += b.record_count
        self.next_sequence[p] = seq
        self.partition_epoch[p] = self.epoch
        self.last_acked[p] = -1
