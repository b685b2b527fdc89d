"""The security lab as a learner sees it: each switch changes what is on screen (readable bytes become ciphertext,
an impostor is refused, a denied call shows Kafka's error and the authorizer's rule), and the page stays accessible."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import PageLog, Server
from .labs import assert_no_serious_axe_violation, open_lab, wait_for_virtual_time

pytestmark = pytest.mark.browser

LESSON = "kafka-security-together"


def switch(page: Page, root: Locator, name: str, presses: int) -> None:
    """Move a switch by keyboard, as a person would: focus its slider, arrow right ``presses`` times."""
    slider = root.locator(f'[data-lab-setting="{name}"] [role="slider"]')
    slider.focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")


def ascii_column(layer: Locator) -> str:
    """A byte view layer's ASCII column, rows joined: what a reader of the bytes can read off."""
    return layer.evaluate("l => [...l.querySelectorAll('.sec-ascii')].map((c) => c.textContent).join('')")


def threat(root: Locator, name: str) -> Locator:
    return root.locator(f'[data-sec-threat="{name}"]')


def test_encryption_turns_readable_bytes_into_ciphertext(page: Page, server: Server, page_log: PageLog, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "security")
    box = root.locator("[data-sec-bytes]")
    # The open cluster: the eavesdropper reads the records, and so does anyone looking at the bytes.
    expect(threat(root, "eavesdrop")).to_have_attribute("data-status", "shown")
    expect(box).to_have_attribute("data-encrypted", "false", timeout=15000)
    expect(box.locator("[data-sec-readable]")).to_contain_text("order_id")
    assert "order_id" in ascii_column(box.locator('[data-sec-layer][data-readable="true"]').first)
    expect(root.locator('[data-sec-link-word="alice"]')).to_have_text("⚠ plain")
    root.locator("[data-sec-bytes]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-security-open.png")
    switch(page, root, "encryption", 1)
    expect(root.locator('[data-lab-setting="encryption"] [role="slider"]')).to_have_attribute("aria-valuetext", "encryption=TLSv1.3")
    expect(threat(root, "eavesdrop")).to_have_attribute("data-status", "blocked", timeout=15000)
    expect(box).to_have_attribute("data-encrypted", "true", timeout=15000)
    expect(box.locator("[data-sec-readable]")).to_have_count(0)
    assert "order_id" not in ascii_column(box.locator('[data-sec-layer][data-readable="false"]').first)
    expect(box.locator("[data-sec-costs]")).to_contain_text("bytes on the wire")
    box.locator("[data-sec-decrypted] summary").click()  # the frame inside, as the session's other end read it
    expect(box.locator("[data-sec-decrypted] [data-sec-layer]")).to_be_visible()
    expect(root.locator('[data-sec-link="alice>0"]')).to_have_attribute("data-tls", "TLSv1.3")
    expect(root.locator('[data-sec-link-word="alice"]')).to_have_text("◈ TLS 1.3")
    expect(root.locator("[data-sec-eavesdropper]")).to_have_attribute("data-reads", "false")
    page.screenshot(path=artifacts / "lab-security-tls.png")
    assert not page_log.console_errors, page_log.console_errors


def test_authentication_refuses_the_impostor_and_names_every_client(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "security", **{"authentication": "PLAIN"})
    expect(threat(root, "impersonation")).to_have_attribute("data-status", "blocked", timeout=15000)
    mallory = root.locator('[data-sec-card="mallory"]')
    expect(mallory).to_have_attribute("data-state", "stopped")
    expect(mallory).to_contain_text("SaslAuthenticationException: Authentication failed: Invalid username or password")
    expect(root.locator('[data-sec-principal="alice"]')).to_have_text("✓ User:alice")
    expect(root.locator('[data-sec-card="anonymous"]')).to_have_attribute("data-state", "refused")
    # PLAIN without TLS: pick a SaslAuthenticate on the list, and the password is in the bytes.
    button = root.locator("[data-sec-captures] button", has_text="SaslAuthenticate alice").first
    button.click()
    expect(root.locator("[data-sec-bytes]")).to_have_attribute("data-capture-type", "sasl_authenticate")
    expect(root.locator("[data-sec-readable]")).to_contain_text("alice-secret")
    root.locator("[data-sec-bytes]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-security-plain.png")


def test_authorisation_denies_bob_with_kafkas_error_and_the_deciding_rule(page: Page, server: Server, page_log: PageLog,
                                                                         artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "security", **{"all together": "on"})
    wait_for_virtual_time(root, 1000)
    bob = root.locator('[data-sec-card="bob"]')
    expect(bob).to_contain_text("TopicAuthorizationException: Not authorized to access topics: [trucks]")
    expect(root.locator('[data-sec-denial="Metadata"]').first).to_contain_text(
        "INFO Principal = User:bob is Denied operation = DESCRIBE")
    expect(threat(root, "deletion")).to_have_attribute("data-status", "waiting")
    root.locator("[data-sec-delete]").click()
    expect(threat(root, "deletion")).to_have_attribute("data-status", "blocked", timeout=15000)
    expect(threat(root, "deletion")).to_contain_text("TopicAuthorizationException: Topic authorization failed.")
    expect(root.locator('[data-sec-denial="DeleteTopics"]').first).to_contain_text("based on rule DefaultDeny")
    expect(root.locator('[data-sec-card="alice"]')).to_contain_text("connected as User:alice (SASL_SSL, TLSv1.3)")
    for name in ("encryption", "authentication", "authorisation"):
        expect(root.locator(f'[data-lab-setting="{name}"]')).to_have_attribute("data-overridden", "true")
    root.locator(".sec-denials").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "lab-security-denied.png")
    assert_no_serious_axe_violation(page)
    assert not page_log.console_errors, page_log.console_errors


def test_without_authorisation_bob_deletes_the_topic(page: Page, server: Server) -> None:
    root = open_lab(page, server.url, LESSON, "security")
    wait_for_virtual_time(root, 500)
    root.locator("[data-sec-delete]").click()
    expect(threat(root, "deletion")).to_have_attribute("data-status", "shown", timeout=15000)
    expect(root.locator('[data-sec-admin="bob-admin"]')).to_contain_text("deleted")


def test_axe_with_the_lab_running_in_reading_and_projector_mode(page: Page, server: Server, artifacts: Path) -> None:
    root = open_lab(page, server.url, LESSON, "security", **{"authentication": "SCRAM-SHA-512", "encryption": "TLSv1.2"})
    expect(root.locator("[data-sec-bytes]")).to_have_attribute("data-encrypted", "true", timeout=15000)
    assert_no_serious_axe_violation(page)
    page.locator("main").focus()
    page.keyboard.press("p")
    for _ in range(40):
        if root.is_visible():
            break
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    assert_no_serious_axe_violation(page)
    page.screenshot(path=artifacts / "lab-security-projector-1280.png")
    # On a 1280x720 slide the byte view keeps its first rows of ciphertext on screen, under the threats, hex and ASCII.
    side = root.locator(".lab-side").bounding_box()
    rows = root.locator("[data-sec-bytes-view] .sec-hex tbody tr:visible")
    expect(rows.first).to_be_visible()
    last = rows.nth(rows.count() - 1).bounding_box()
    assert side and last and rows.count() >= 3 and last["y"] + last["height"] <= side["y"] + side["height"] + 1, (side, last)
    assert last["x"] + last["width"] <= side["x"] + side["width"] + 1, (side, last)
