"""Refused changes reach the person who made them: a card in the corner (never taking the
keyboard) and the status bar's details, in words, with both values and a one-click choice;
a status conflict offers "mine" only when the table of moves allows it from the shop's
status; a plain refusal is dismissed; one card per click."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import select

from app.changes import Changes
from app.db import Store
from app.models import Conflict, Job, MutationOutcome, Outbox, SyncState
from sync.outbox import ACTED_BY
from tests.ui.helpers import FakeEngine, Shop, job_number
from ui.desk.notices import RefusalToast
from ui.qt import QApplication, Qt

CLERK, OTHER_CLERK = "user-clerk", "user-other"


def signed_in(store: Store, user_id: str = CLERK) -> None:
    with store.write_session() as s:
        state = s.get(SyncState, 1)
        state.user_id, state.username, state.role = user_id, "dana", "clerk"


def refused(store: Store, job_id: str, mine: dict[str, Any], *, mutation_id: int,
            conflict: bool, by: str = CLERK, reason: str = "") -> None:
    """What a push answer and the pull after it leave in the replica: the outcome of the
    click (with who made it), and for a conflict its ``conflict`` row per field."""
    now = datetime.now(UTC)
    with store.write_session() as s:
        job = s.get(Job, job_id)
        client_id = s.get(SyncState, 1).client_id
        if conflict:
            for field, value in mine.items():
                if field == "hold_reason":
                    continue
                s.add(Conflict(id=str(uuid4()), shop_id=job.shop_id, created_at=now,
                               updated_at=now, entity="job", row_id=job_id, field=field,
                               client_value=value, server_value=getattr(job, field),
                               client_id=client_id, mutation_id=mutation_id))
        s.add(MutationOutcome(
            mutation_id=mutation_id, entity="job", row_id=job_id,
            status="conflict" if conflict else "rejected", operation_id=mutation_id,
            reason=reason or ("Someone else changed this job first; the server kept their "
                              "change." if conflict else "Only a manager may do this."),
            fields={**mine, ACTED_BY: by}, at=now))


def arrived(window: Any, *mutation_ids: int) -> None:
    """The engine's word after a push with refusals (``Changes`` of ``mutation_outcome``)."""
    window.ctx.hub.publish(Changes({"mutation_outcome": frozenset(str(m) for m in mutation_ids)},
                                   source="sync"))


def refusal_cards(window: Any) -> list[RefusalToast]:
    return [t for t in window.notice_stack.visible_toasts() if isinstance(t, RefusalToast)]


def outbox_entities(store: Store) -> list[str]:
    with store.read() as s:
        return [e.entity for e in s.scalars(select(Outbox).order_by(Outbox.id))]


def test_use_mine_on_a_status_conflict_moves_the_job_and_resolves_it_by_the_person(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    signed_in(store)
    job_id = shop.jobs["in_progress"]  # the shop has it in progress; the clerk put it on hold
    refused(store, job_id, {"status": "on_hold", "hold_reason": "parts"}, mutation_id=41,
            conflict=True)
    engine = FakeEngine()
    window = make_desk(engine)
    search = window.queue_board.search
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    [toast] = refusal_cards(window)  # the person's open refusal, shown at start
    arrived(window, 41)  # the same refusal again: still one card
    assert refusal_cards(window) == [toast]
    card = toast.card
    assert card is not None
    number = job_number(store, job_id)
    assert toast.title.text() == "Your change was not saved"
    assert card.what.text() == f"Job {number} → On hold (waiting for parts)"
    assert card.values.text() == ("You wanted: On hold (waiting for parts)  ·  "
                                  "The shop has: In progress")
    assert [b.text() for b in card.choices] == ["Keep the shop's: In progress",
                                                "Use mine: On hold"]
    assert card.dismiss is None and not card.hint.text()
    assert QApplication.focusWidget() is search  # the card did not take the keyboard
    before = len(outbox_entities(store))
    qtbot.mouseClick(card.choices[1], Qt.MouseButton.LeftButton)
    with store.read() as s:
        job = s.get(Job, job_id)
        assert (job.status, job.hold_reason) == ("on_hold", "parts")
        [c] = s.scalars(select(Conflict))
        assert c.resolved_at is not None and c.resolved_by == CLERK
        assert s.get(MutationOutcome, 41).dismissed_at is not None
    # an ordinary edit that syncs: the move, its event and the resolved conflict
    assert sorted(outbox_entities(store)[before:]) == ["conflict", "job", "status_event"]
    assert "sync_now" in engine.calls
    assert refusal_cards(window) == []
    assert QApplication.focusWidget() is search


def test_keep_the_shops_value_leaves_the_job_and_resolves_the_conflict(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    signed_in(store)
    job_id = shop.jobs["queued2"]  # nobody on it at the shop; the clerk gave it to Linus
    refused(store, job_id, {"technician_id": shop.techs["Linus Torvalds"]}, mutation_id=42,
            conflict=True)
    window = make_desk(FakeEngine())
    [toast] = refusal_cards(window)
    card = toast.card
    assert card is not None
    assert card.values.text() == "You wanted: Linus Torvalds  ·  The shop has: nobody"
    assert [b.text() for b in card.choices] == ["Keep the shop's: nobody",
                                                "Use mine: Linus Torvalds"]
    qtbot.mouseClick(card.choices[0], Qt.MouseButton.LeftButton)
    with store.read() as s:
        assert s.get(Job, job_id).technician_id is None  # unchanged
        [c] = s.scalars(select(Conflict))
        assert c.resolved_at is not None and c.resolved_by == CLERK
    assert refusal_cards(window) == []


def test_a_status_conflict_offers_only_moves_legal_from_the_shops_status(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    signed_in(store)
    job_id = shop.jobs["ready"]  # the shop finished it; the clerk had put it on hold
    refused(store, job_id, {"status": "on_hold", "hold_reason": "approval"}, mutation_id=43,
            conflict=True)
    window = make_desk(FakeEngine())
    [toast] = refusal_cards(window)
    card = toast.card
    assert card is not None
    # Ready → On hold is not a move of the table (app.rules): "mine" is not offered
    assert [b.text() for b in card.choices] == ["Keep the shop's: Ready"]
    assert card.hint.text() == ("A job cannot move from Ready to On hold; from Ready it can "
                                "move to: Closed, In progress.")
    # and the domain refuses it too, whoever asks (one rule, one place)
    card.choose("mine")
    assert "could not be made" in card.why.text()
    with store.read() as s:
        assert s.get(Job, job_id).status == "ready"
    assert all(b.isEnabled() for b in card.buttons)  # offered again


def test_a_plain_refusal_is_dismissed_and_leaves_the_details_too(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    signed_in(store)
    job_id = shop.jobs["queued"]
    engine = FakeEngine()
    window = make_desk(engine)
    assert refusal_cards(window) == []
    refused(store, job_id, {"priority": 3}, mutation_id=44, conflict=False)
    arrived(window, 44)
    [toast] = refusal_cards(window)
    card = toast.card
    assert card is not None
    assert toast.title.text() == "Your change was not saved"
    assert card.why.text() == "Only a manager may do this."
    assert card.choices == [] and card.dismiss is not None
    assert card.dismiss.text() == "Dismiss"
    details = window.show_sync_details()
    qtbot.waitUntil(lambda: len(details.cards) == 1)
    qtbot.mouseClick(card.dismiss, Qt.MouseButton.LeftButton)
    with store.read() as s:
        assert s.get(MutationOutcome, 44).dismissed_at is not None
    assert refusal_cards(window) == []
    details.reload()
    qtbot.waitUntil(lambda: not details.cards)


def test_a_refusal_of_someone_else_who_used_this_computer_is_not_shown_to_this_person(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    signed_in(store, CLERK)
    refused(store, shop.jobs["queued"], {"priority": 2}, mutation_id=45, conflict=False,
            by=OTHER_CLERK)
    window = make_desk(FakeEngine())
    arrived(window, 45)
    assert refusal_cards(window) == []
    details = window.show_sync_details()
    qtbot.waitUntil(lambda: details.none.isVisible())
    assert details.cards == []
    assert "1 refused change was made by someone else" in details.none.text()
    signed_in(store, OTHER_CLERK)  # they sign in: it is theirs
    arrived(window, 45)
    assert len(refusal_cards(window)) == 1


def test_one_card_per_click_and_it_completes_when_the_conflict_arrives(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    """The push answer comes before the pull that brings the conflict row: the card first
    offers only Dismiss, then the choice once the conflict is here."""
    signed_in(store)
    job_id = shop.jobs["in_progress"]
    window = make_desk(FakeEngine())
    now = datetime.now(UTC)
    with store.write_session() as s:  # a move and its status event, refused together
        s.add(MutationOutcome(mutation_id=50, entity="job", row_id=job_id, status="conflict",
                              operation_id=50, reason="Someone else changed this job first.",
                              fields={"status": "cancelled", ACTED_BY: CLERK}, at=now))
        s.add(MutationOutcome(mutation_id=51, entity="status_event", row_id=str(uuid4()),
                              status="rejected", operation_id=50, refused_with=50,
                              reason="Refused with mutation 50.",
                              fields={"job_id": job_id, "to_status": "cancelled",
                                      ACTED_BY: CLERK}, at=now))
    arrived(window, 50, 51)
    [toast] = refusal_cards(window)
    assert toast.card is not None and toast.card.dismiss is not None
    with store.write_session() as s:
        job = s.get(Job, job_id)
        s.add(Conflict(id=str(uuid4()), shop_id=job.shop_id, created_at=now, updated_at=now,
                       entity="job", row_id=job_id, field="status", client_value="cancelled",
                       server_value="in_progress", client_id=s.get(SyncState, 1).client_id,
                       mutation_id=50))
    with store.read() as s:
        conflict_id = s.scalar(select(Conflict.id))
    window.ctx.hub.publish(Changes({"conflict": frozenset({conflict_id})}, source="sync"))
    assert refusal_cards(window) == [toast]
    assert [b.text() for b in toast.card.choices] == ["Keep the shop's: In progress"]
    assert toast.card.hint.text().startswith("A job cannot move from In progress")
    # the card grew with its words, and the corner's column with it: nothing is cut off
    stack = window.notice_stack
    assert stack.height() >= stack.column.totalHeightForWidth(stack.width())


def test_a_local_refusal_still_says_so_above_the_boards(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    window.move_job(shop.jobs["ready"], "queued")
    assert window.notice.isVisible() and "was not moved" in window.notice.label.text()
    assert refusal_cards(window) == []

