"""The consumers lab as a learner sees it: members killed, closed and added, who stops in a rebalance and for how
long, the coordinator moving with its broker, and fetching from the nearest replica; by keyboard, projected, axe-clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-consumers"


def press(page: Page, control: Locator) -> None:
    """Focus a control and press Enter, as a keyboard user does."""
    control.focus()
    expect(control).to_be_focused()
    page.keyboard.press("Enter")


def test_killing_a_member_stops_its_partition_on_the_chart_the_table_and_the_picture(page: Page, server: Server,
                                                                                     page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    wait_for_virtual_time(root, 2500)
    expect(root.locator('[data-group-partitions] tr[data-partition="1"]')).to_have_attribute("data-reader", "billing-1")
    root.locator("[data-member-target]").select_option("billing-1")
    kill = root.get_by_role("button", name="Kill: billing-1")
    press(page, kill)
    member = root.locator('[data-group-members] tr[data-member="billing-1"]')
    expect(member).to_have_attribute("data-state", "killed")
    expect(member).to_contain_text("✕ killed")
    expect(kill).to_be_disabled()
    expect(root.get_by_role("button", name="Restart: billing-1")).to_be_enabled()
    # The chart: partition 1's lane has a stretch nobody reads, still open; the table and the picture agree.
    expect(root.locator('[data-lane="1"] [data-owner=""][data-end=""]')).to_have_count(1)
    expect(root.locator('[data-group-partitions] tr[data-partition="1"]')).to_have_attribute("data-reader", "")
    client = root.locator('[data-flow-scene] [data-member="billing-1"]')
    expect(client).to_have_attribute("data-state", "killed")
    expect(client).to_contain_text("✕ killed")
    expect(root.locator("[data-lab-narration]")).to_contain_text("billing-1's process is killed")
    expect(page).to_have_url(re.compile(r"log=.*kill_consumer"))
    root.screenshot(path=artifacts / "lab-consumers-kill.png")
    assert not page_log.console_errors, page_log.console_errors


@pytest.mark.parametrize(("strategy", "said"), [("range", "all 3 partitions stopped"),
                                                ("cooperative-sticky", "no partition stopped")])
def test_a_new_member_stops_everyone_under_range_and_nobody_under_cooperative_sticky(page: Page, server: Server,
                                                                                    strategy: str, said: str) -> None:
    root = open_lab(page, server.url, LESSON, "consumers", **{"partition.assignment.strategy": strategy})
    wait_for_virtual_time(root, 2000)
    press(page, root.get_by_role("button", name="Add a consumer"))
    expect(root.locator('[data-group-members] tr[data-member="billing-3"]')).to_have_attribute("data-state", "idle",
                                                                                              timeout=15000)
    stops = root.locator("[data-group-stops]")
    expect(stops).to_contain_text("Rebalance to generation 2", timeout=15000)
    expect(stops).to_contain_text(said)
    expect(root.locator("[data-group-lanes] [data-rebalance]")).to_have_count(2)
    expect(root.locator('[data-flow-scene] [data-member="billing-3"]')).to_contain_text("○ idle")


@pytest.mark.parametrize(("commit", "kill", "until", "twice", "never"), [
    ("auto-commit", [12000, "billing-1"], 30500, True, False),
    ("commitSync before processing", [11000, "billing-0"], 24500, False, True)])
def test_the_commit_strategy_decides_whether_a_kill_costs_duplicates_or_lost_records(page: Page, server: Server, commit: str,
                                                                                    kill: list[object], until: int,
                                                                                    twice: bool, never: bool) -> None:
    # A link with the kill in its log: the kill lands at a moment the member is part-way through a poll's records.
    root = open_lab(page, server.url, LESSON, "consumers", commit=commit,
                    log=[[kill[0], "fault", "kill_consumer", kill[1]]])
    expect(root.locator("[data-group-summary]")).to_contain_text(f"commits: {commit}")
    wait_for_virtual_time(root, until, timeout=60000)
    ledger = root.locator("[data-group-ledger]")
    redelivered = int(ledger.locator('[data-ledger="redelivered"]').inner_text())
    missed = int(ledger.locator('[data-ledger="missed"]').inner_text())
    assert (redelivered > 0, missed > 0) == (twice, never), (redelivered, missed)
    expect(ledger).to_have_attribute("data-redelivered", str(redelivered))
    said = "processed a second time" if twice else "will never be processed"
    expect(root.locator("[data-lab-narration]")).to_contain_text(said, timeout=5000)


def test_a_static_member_restarted_within_the_session_timeout_keeps_its_partition(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "consumers", **{"group.instance.id": "member name"})
    wait_for_virtual_time(root, 2500)
    member = root.locator('[data-group-members] tr[data-member="billing-1"]')
    expect(member.locator("td").nth(5)).to_have_text("billing-1")  # its group.instance.id
    root.locator("[data-member-target]").select_option("billing-1")
    press(page, root.get_by_role("button", name="Kill: billing-1"))
    expect(member).to_have_attribute("data-state", "killed")
    press(page, root.get_by_role("button", name="Restart: billing-1"))
    # Back under its group.instance.id before session.timeout.ms (10 s): the same partition, no new generation.
    expect(member).to_have_attribute("data-state", "consuming", timeout=10000)
    expect(root.locator('[data-group-partitions] tr[data-partition="1"]')).to_have_attribute("data-reader", "billing-1")
    expect(root.locator("[data-group-summary]")).to_contain_text("generation 1 ")
    expect(root.locator("[data-group-lanes] [data-rebalance]")).to_have_count(1)


def test_a_setting_slider_restarts_the_group_with_the_consumer_protocol_by_keyboard(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    slider = root.get_by_role("slider", name="group.protocol")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "group.protocol=consumer")
    expect(root.locator("[data-lab-notice]")).to_contain_text("group.protocol=consumer")
    expect(root.locator("[data-group-summary]")).to_contain_text("group.protocol=consumer (KIP-848)")
    expect(root.locator("[data-lab-narration]")).to_contain_text("KIP-848", timeout=10000)
    # Its heartbeats are ConsumerGroupHeartbeat requests on the picture: no JoinGroup, no SyncGroup.
    page.wait_for_function("el => [...el.querySelectorAll('[data-flow-handles] [data-msg]')].some("
                           "h => h.dataset.kind === 'consumer_group_heartbeat')", arg=root.element_handle(), timeout=15000)


def test_fetching_from_the_nearest_replica_moves_the_fetches_into_each_member_s_zone(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    wait_for_virtual_time(root, 3000)
    fetch = root.locator("[data-group-fetch]")
    expect(fetch).to_have_attribute("data-cross-az", "100")
    expect(root.locator('[data-flow-scene] [data-link="consumer-billing-1>0"]')).to_have_attribute("data-fetching", "true")
    slider = root.get_by_role("slider", name="replica.selector.class (KIP-392)")
    slider.focus()
    page.keyboard.press("End")
    expect(slider).to_have_attribute("aria-valuetext", "replica.selector.class=RackAwareReplicaSelector")
    expect(fetch).to_contain_text("each member fetches from the replica in its own zone")
    wait_for_virtual_time(root, 3000)
    expect(fetch).to_have_attribute("data-cross-az", "0", timeout=10000)
    # billing-0 lives in az-b: it reads partition 0 from broker 1 now, not from the leader, broker 0.
    expect(root.locator('[data-flow-scene] [data-link="consumer-billing-1>1"]')).to_have_attribute("data-fetching", "true")
    expect(root.locator('[data-flow-scene] [data-link="consumer-billing-1>0"]')).to_have_attribute("data-fetching", "false")
    expect(root.locator('[data-group-partitions] tr[data-partition="0"]')).to_contain_text("broker 1 (follower, KIP-392)")


def test_killing_the_coordinator_s_broker_moves_the_coordinator(page: Page, server: Server, page_log: PageLog) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    wait_for_virtual_time(root, 2000)
    expect(root.locator('[data-flow-scene] [data-flow-broker="0"]')).to_have_attribute("data-coordinator-of", "billing")
    press(page, root.get_by_role("button", name="Kill broker 0"))
    expect(root.locator('[data-flow-scene] [data-flow-broker="0"]')).to_have_attribute("data-state", "down")
    expect(root.locator("[data-lab-narration]")).to_contain_text("the group's coordinator, is killed")
    # The controller fences it after broker.session.timeout.ms (9 s); broker 1 then leads __consumer_offsets-1.
    expect(root.locator('[data-flow-scene] [data-flow-broker="1"]')).to_have_attribute("data-coordinator-of", "billing",
                                                                                     timeout=25000)
    expect(root.locator('[data-flow-scene] [data-flow-broker="1"] [data-coordinator]')).to_have_text("⚑ coordinator of billing")
    expect(root.locator('[data-broker-faults] [data-broker="1"]')).to_have_attribute("data-coordinator", "true")
    expect(root.locator('[data-broker-faults] [data-broker="1"]')).to_contain_text("Broker 1 ▲ up ⚑")
    expect(root.get_by_role("button", name="Restart broker 0")).to_be_enabled()
    expect(root.locator("[data-group-summary]")).to_contain_text("generation 1")  # no rebalance
    assert not page_log.console_errors, page_log.console_errors


def test_the_group_s_calls_travel_on_the_picture_with_shapes_of_their_own(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    kinds = root.evaluate("""el => new Promise((done) => {
      const seen = new Set();
      const look = () => {
        for (const h of el.querySelectorAll('[data-flow-handles] [data-msg]')) if (h.dataset.from.startsWith('consumer-') || h.dataset.to.startsWith('consumer-')) seen.add(h.dataset.kind);
        if (['fetch', 'fetch-response', 'heartbeat', 'offset_commit'].every((k) => seen.has(k))) done([...seen]);
        else setTimeout(look, 20);
      };
      look();
    })""")
    assert {"fetch", "fetch-response", "heartbeat", "offset_commit"} <= set(kinds)
    # Never colour alone: a group call is a hexagon, a commit a bookmark, each answer the same shape hollow.
    looks = page.evaluate("""async () => {
      const { kindInfo } = await import('/static/js/flow/painter.js');
      return Object.fromEntries(['heartbeat', 'heartbeat-response', 'join_group', 'offset_commit', 'offset_commit-response', 'fetch']
        .map((k) => [k, [kindInfo(k).shape, Boolean(kindInfo(k).hollow), kindInfo(k).label]]));
    }""")
    assert looks == {"heartbeat": ["hexagon", False, "Heartbeat request"], "heartbeat-response": ["hexagon", True, "Heartbeat answer"],
                     "join_group": ["hexagon", False, "JoinGroup request"], "offset_commit": ["bookmark", False, "OffsetCommit request"],
                     "offset_commit-response": ["bookmark", True, "OffsetCommit answer"], "fetch": ["triangle", False, "fetch request"]}
    legend = root.locator(".flow-legend")
    expect(legend).to_contain_text("group call")
    expect(legend).to_contain_text("offset commit")


def test_pause_stops_the_chart_and_space_plays_again(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    wait_for_virtual_time(root, 1500)
    root.locator("[data-flow-stage]").focus()  # inside the lab, where its keys work
    page.keyboard.press("Space")
    expect(root).to_have_attribute("data-playback", "paused")
    page.wait_for_timeout(400)
    now = root.locator("[data-group-lanes]").inner_html()
    page.wait_for_timeout(800)
    assert root.locator("[data-group-lanes]").inner_html() == now
    page.keyboard.press("Space")
    expect(root).to_have_attribute("data-playback", "playing")


def test_axe_finds_nothing_serious_with_the_lab_running(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "consumers")
    wait_for_virtual_time(root, 6000)
    expect(root.locator("[data-group-partitions] tbody tr")).to_have_count(3)
    root.screenshot(path=artifacts / "lab-consumers.png")
    assert_no_serious_axe_violation(page)
