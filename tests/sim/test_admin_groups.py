"""Consumer groups through the admin client: what kafka-consumer-groups shows and does."""

from __future__ import annotations

import pytest

from app.sim import Scenario
from app.sim.admin import AdminClient, TopicPartition
from app.sim.admin.groups import GroupIdNotFoundException, GroupNotEmptyException, OffsetSpec, UnknownMemberIdException
from tests.sim.test_consumer_groups import group_spec


def _running(until: float = 10000, **kw) -> Scenario:
    sc = Scenario(group_spec(duration_ms=30000, **kw), 1)
    sc.run(until)
    return sc


def test_a_stable_group_is_listed_and_described_with_its_members_and_their_partitions():
    sc = _running()
    admin = AdminClient(sc)
    [listing] = admin.list_consumer_groups()
    assert (listing.group_id, listing.state, listing.type) == ("billing", "Stable", "classic")
    d = admin.describe_consumer_groups(["billing"]).all()["billing"]
    assert d.partition_assignor == "range" and d.state == "Stable" and len(d.members) == 3
    assigned = sorted(tp for m in d.members for tp in m.assignment)
    assert assigned == [TopicPartition("orders", p) for p in range(6)]
    assert {m.client_id for m in d.members} == {c.client_id for c in sc.groups.members.values()}


def test_offsets_are_the_committed_ones_and_lag_is_the_high_watermark_minus_them():
    sc = _running(20000)
    admin = AdminClient(sc)
    offsets = admin.list_consumer_group_offsets("billing")
    assert set(offsets) == {TopicPartition("orders", p) for p in range(6)}
    ends = admin.list_offsets({tp: OffsetSpec.LATEST for tp in offsets}).all()
    assert all(0 <= ends[tp].offset - offsets[tp] for tp in offsets)
    assert offsets == {tp: o for tp, o in sc.groups.ledgers["billing"].committed.items()}


def test_offsets_of_a_group_with_members_cannot_be_reset_and_an_empty_group_s_can():
    sc = _running()
    admin = AdminClient(sc)
    with pytest.raises(UnknownMemberIdException):
        admin.alter_consumer_group_offsets("billing", {TopicPartition("orders", 0): 0})
    with pytest.raises(GroupNotEmptyException):
        admin.delete_consumer_groups(["billing"]).all()
    for name in list(sc.groups.members):
        sc.groups.member(name).close()
    sc.run(sc.now + 100)
    assert admin.describe_consumer_groups(["billing"]).all()["billing"].state == "Empty"
    admin.alter_consumer_group_offsets("billing", {TopicPartition("orders", 0): 0})
    assert admin.list_consumer_group_offsets("billing")[TopicPartition("orders", 0)] == 0
    admin.delete_consumer_groups(["billing"]).all()
    with pytest.raises(GroupIdNotFoundException, match="Group billing not found."):
        admin.describe_consumer_groups(["billing"]).all()


def test_a_group_that_does_not_exist_is_not_found():
    sc = _running()
    with pytest.raises(GroupIdNotFoundException, match="Group nobody not found."):
        AdminClient(sc).describe_consumer_groups(["nobody"]).all()
