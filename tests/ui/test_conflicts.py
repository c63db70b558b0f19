"""Refused changes reach the person who made them: a card in the corner (never taking the
keyboard) and the status bar's details, in words, with both values and a one-click choice;
a status conflict offers "mine" only when the table of moves allows it from the shop's
status; a plain refusal is dismissed; one card per click."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from app.changes import Changes
from app.db import Store
from app.models import Conflict, Job, MutationOutcome, Outbox, SyncState
from app.ops import customers, jobs, vehicles
from sync import account
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.outbox import ACTED_BY
from sync.settings import SyncSettings
from sync.syncer import Syncer
from tests.live_server import LiveServer, seed_shop
from tests.pg import database_fixture
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
    # chosen in the status bar's details this time: the card in the corner goes with it
    details = window.show_sync_details()
    qtbot.waitUntil(lambda: len(details.cards) == 1)
    assert [b.text() for b in details.cards[0].choices] == [b.text() for b in card.choices]
    qtbot.mouseClick(details.cards[0].choices[0], Qt.MouseButton.LeftButton)
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
    qtbot.waitUntil(lambda: not details.cards)  # the details follow the card's choice


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
    signed_in(store, OTHER_CLERK)  # they sign in at this PC (File > Switch user): theirs
    window.ctx.permissions.reload()
    [toast] = refusal_cards(window)
    assert toast.card is not None and toast.card.words.mutation_id == 45
    signed_in(store, CLERK)  # and back: not the first clerk's
    window.ctx.permissions.reload()
    assert refusal_cards(window) == []


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



# --- against the real server on loopback ------------------------------------------------

pg_database = database_fixture("bl_conflicts", migrate=True)


class LiveReplica:
    """A replica signed in to the live server, synced by hand (``Syncer``) until a desk
    takes it over with its engine."""

    def __init__(self, folder: Path, srv: LiveServer, user: Any) -> None:
        store = Store(folder / "replica.sqlite")
        self.store = account.login(store, srv.base_url, user.username, user.password).store

    def sync(self) -> None:
        api = account.client_for(self.store, token_store=TokenStore())
        try:
            Syncer(self.store, api).round()
        finally:
            api.close()


@pytest.mark.postgres
def test_a_real_conflict_is_settled_both_ways_through_the_server(
        tmp_path: Path, live_server: LiveServer, pg_database: str, test_keyring: Any,
        make_desk: Any, qtbot: Any) -> None:
    """Another desk starts two jobs; this desk, not having heard, puts one on hold and
    cancels the other. The server keeps "in progress" for both (two conflicts). The clerk
    uses theirs for the hold (a legal move from In progress) and keeps the shop's for the
    cancel (not a legal move: "mine" is not offered); the server ends with the hold, the
    start, and both conflicts resolved by the clerk."""
    seed = seed_shop(pg_database, "Conflict Garage", migrate=False)
    user = seed.users["manager"]
    other = LiveReplica(tmp_path / "other", live_server, user)
    mine = LiveReplica(tmp_path / "mine", live_server, user)
    cust = other.store.run(customers.create_customer, name="Ada Lovelace").result
    veh = other.store.run(vehicles.create_vehicle, customer_id=cust, plate="CAFE 123",
                          make="Honda", model="Accord", year=2003).result
    held, cancelled = (other.store.run(jobs.create_job, customer_id=cust, vehicle_id=veh,
                                       concern=c).result for c in ("brakes", "oil"))
    other.sync()
    mine.sync()
    for job_id in (held, cancelled):
        other.store.run(jobs.move_status, job_id, "in_progress")
    other.sync()
    mine.store.run(jobs.move_status, held, "on_hold", hold_reason="parts")
    mine.store.run(jobs.move_status, cancelled, "cancelled")

    engine = SyncEngine(mine.store, settings=SyncSettings().but(
        backoff_base=0.2, backoff_cap=1.0, network_retry_cap=1.0), token_store=TokenStore())
    try:
        window = make_desk(engine, synchronous=False, on=mine.store)
        engine.start()

        def cards_with_choices() -> dict[str, Any]:
            return {t.card.words.what: t.card for t in refusal_cards(window)
                    if t.card is not None and t.card.choices}

        qtbot.waitUntil(lambda: len(cards_with_choices()) == 2, timeout=30_000)
        by_job = {job_number(mine.store, j): j for j in (held, cancelled)}
        cards = {by_job[what.split()[1]]: card for what, card in cards_with_choices().items()}
        hold_card, cancel_card = cards[held], cards[cancelled]
        assert hold_card.values.text() == ("You wanted: On hold (waiting for parts)  ·  "
                                           "The shop has: In progress")
        assert [b.text() for b in hold_card.choices] == ["Keep the shop's: In progress",
                                                         "Use mine: On hold"]
        assert [b.text() for b in cancel_card.choices] == ["Keep the shop's: In progress"]
        assert cancel_card.hint.text().startswith("A job cannot move from In progress to "
                                                  "Cancelled")
        qtbot.mouseClick(hold_card.choices[1], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(cancel_card.choices[0], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not refusal_cards(window), timeout=10_000)
        qtbot.waitUntil(lambda: engine.status.pending == 0 and engine.status.refused == 0
                        and engine.status.open_conflicts == 0, timeout=30_000)
    finally:
        engine.stop()
    other.sync()
    with other.store.read() as s:
        assert s.get(Job, held).status == "on_hold"
        assert s.get(Job, held).hold_reason == "parts"
        assert s.get(Job, cancelled).status == "in_progress"
        conflicts = list(s.scalars(select(Conflict)))
        assert len(conflicts) == 2
        assert all(c.resolved_at is not None for c in conflicts)
        assert {c.resolved_by for c in conflicts} == {mine.store.state().user_id}
    mine.store.close()
    other.store.close()
