"""The demo township: deterministic by seed, valid ID numbers, a rural and an urban grid tree with 一网三员,
realistic households, workflows that follow the rule modules, and every record through the write path."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.demo import DEMO_TODAY, DemoSummary, generate_demo
from app.idcard import parse_id_number
from app.ledger import Ledger
from app.models import (
    Errand,
    ErrandStep,
    Event,
    EventStep,
    GridNode,
    GridPost,
    Household,
    OutboxOp,
    Person,
    SpecialGroupRecord,
    Staff,
)
from app.rules import errands as errand_rules
from app.rules import events as event_rules
from app.services.reference import deadline_rules
from app.workdays import bundled_calendar

PASSPHRASE = "demo"
HOUSEHOLDS = 200
SEED = 7


@dataclass
class Demo:
    ledger: Ledger
    summary: DemoSummary
    operations_before: int
    progress: list[tuple[str, int, int]]


def _open(path: Path) -> Ledger:
    return Ledger.open(path, PASSPHRASE, actor="demo", create=True)


def _count(ledger: Ledger, model: Any) -> int:
    with ledger.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    ledger = _open(tmp_path_factory.mktemp("demo") / "ledger.db")
    before = _count(ledger, OutboxOp)
    calls: list[tuple[str, int, int]] = []
    summary = generate_demo(ledger, households=HOUSEHOLDS, seed=SEED, progress=lambda *a: calls.append(a))
    yield Demo(ledger, summary, before, calls)
    ledger.close()


def _fingerprint(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    with ledger.read() as session:
        return {
            "persons": sorted(session.execute(select(Person.id, Person.name, Person.id_number)).tuples()),
            "households": sorted(
                session.execute(select(Household.id, Household.number, Household.head_id)).tuples()
            ),
            "grid": sorted(session.execute(select(GridNode.id, GridNode.code, GridNode.name)).tuples()),
            "events": sorted(
                session.execute(select(Event.id, Event.title, Event.state, Event.deadline)).tuples()
            ),
            "errands": sorted(
                session.execute(
                    select(Errand.id, Errand.applicant_name, Errand.state, Errand.return_due)
                ).tuples()
            ),
        }


# -- determinism ---------------------------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_records_and_ids(demo: Demo, tmp_path: Path) -> None:
    again = _open(tmp_path / "again.db")
    try:
        generate_demo(again, households=HOUSEHOLDS, seed=SEED)
        assert _fingerprint(again) == _fingerprint(demo.ledger)
    finally:
        again.close()


def test_another_seed_gives_other_people(demo: Demo, tmp_path: Path) -> None:
    other = _open(tmp_path / "other.db")
    try:
        generate_demo(other, households=HOUSEHOLDS, seed=SEED + 1)
        mine, theirs = _fingerprint(demo.ledger), _fingerprint(other)
        assert {p[2] for p in mine["persons"]}.isdisjoint({p[2] for p in theirs["persons"]})
        assert {p[0] for p in mine["persons"]}.isdisjoint({p[0] for p in theirs["persons"]})
    finally:
        other.close()


# -- people --------------------------------------------------------------------------------------------------------
def test_every_id_number_is_valid_unique_and_matches_birth_date_and_sex(demo: Demo) -> None:
    with demo.ledger.read() as session:
        people = session.execute(
            select(Person.id_number, Person.birth_date, Person.sex, Person.residence_class)
        ).all()
    assert len(people) == demo.summary.persons
    numbers = [p.id_number for p in people]
    assert len(set(numbers)) == len(numbers)
    regions: set[tuple[str, str]] = set()
    for number, birth, sex, residence_class in people:
        info = parse_id_number(number, today=DEMO_TODAY)
        assert (info.birth_date, info.sex) == (birth, sex), number
        assert birth <= DEMO_TODAY
        regions.add((residence_class, info.region_code))
    # Residents are registered in the unit's own county; floating people (流动人口) come from elsewhere.
    assert {region for cls, region in regions if cls == "1"} == {"620502", "620503"}
    assert all(region not in ("620502", "620503") for cls, region in regions if cls == "2")


def test_households_have_one_head_and_a_plausible_size(demo: Demo) -> None:
    with demo.ledger.read() as session:
        households = {h.id: h for h in session.scalars(select(Household))}
        people = session.execute(select(Person.id, Person.household_id, Person.relation)).all()
    assert len(households) == HOUSEHOLDS
    heads: dict[str, list[str]] = defaultdict(list)
    sizes: Counter[str] = Counter()
    for pid, household_id, relation in people:
        sizes[household_id] += 1
        if relation == "02":
            heads[household_id].append(pid)
    assert set(sizes) == set(households)
    assert 2.8 <= len(people) / len(households) <= 3.8
    for hid, household in households.items():
        assert heads[hid] == [household.head_id], household.number
    assert len({h.number for h in households.values()}) == len(households)


def test_special_group_records_are_rare(demo: Demo) -> None:
    assert _count(demo.ledger, SpecialGroupRecord) < 0.01 * demo.summary.persons


# -- the grid tree -------------------------------------------------------------------------------------------------
def test_grid_tree_has_a_four_level_rural_and_a_three_level_urban_branch(demo: Demo) -> None:
    with demo.ledger.read() as session:
        nodes = {n.id: n for n in session.scalars(select(GridNode))}

    def chain(node: GridNode) -> list[str]:
        kinds = [node.kind]
        while node.parent_id:
            node = nodes[node.parent_id]
            kinds.append(node.kind)
        return kinds

    grids = [n for n in nodes.values() if n.kind == "grid"]
    chains = {tuple(chain(g)) for g in grids}
    assert chains == {("grid", "village", "area", "township"), ("grid", "community", "street")}
    for node in nodes.values():
        assert node.grid_id is None  # township reference data: every laptop receives the tree
        assert node.urban == (node.code[:6] == "620503")
        if node.kind in ("township", "street", "village", "community"):
            assert len(node.code) == 12 and node.code.isdigit(), node.code
        if node.kind == "area":
            assert node.code.startswith("620502101A") and len(node.code) == 12
        if node.kind == "grid":
            parent = nodes[node.parent_id or ""]
            assert node.code[:-3] == parent.code and node.code[-3:].isdigit()
            assert node.level == (4 if not node.urban else 3)


def test_every_grid_has_a_manager_an_assistant_and_a_collector(demo: Demo) -> None:
    with demo.ledger.read() as session:
        grid_ids = set(session.scalars(select(GridNode.id).where(GridNode.kind == "grid")))
        posts = session.execute(select(GridPost.grid_id, GridPost.post)).all()
        logins = list(session.scalars(select(Staff.login)))
    held: dict[str, set[str]] = defaultdict(set)
    for grid_id, post in posts:
        held[grid_id].add(post)
    for grid_id in grid_ids:
        assert held[grid_id] == {"manager", "assistant", "collector"}
    assert "agent" in {p for _, p in posts} and "duty" in {p for _, p in posts}
    assert len(set(logins)) == len(logins) and all(login.isascii() and login.isalnum() for login in logins)


def test_a_tiny_township_still_has_every_level(tmp_path: Path) -> None:
    ledger = _open(tmp_path / "tiny.db")
    try:
        summary = generate_demo(ledger, households=50, seed=1)
        with ledger.read() as session:
            kinds = Counter(session.scalars(select(GridNode.kind)))
    finally:
        ledger.close()
    assert summary.households == 50
    assert set(kinds) == {"township", "area", "village", "grid", "street", "community"}
    assert kinds["grid"] == 2


# -- workflows -----------------------------------------------------------------------------------------------------
def _replay(
    records: dict[str, str], steps: list[tuple[str, str, str, str, str, date]], start: str, lifecycle: Any
) -> None:
    """Each record's steps, in the order made, are moves of the state machine ending in the record's state."""
    state = {rid: start for rid in records}
    last: dict[str, date] = {}
    for _id, owner, action, from_state, to_state, on in sorted(steps):
        assert from_state == state[owner]
        assert lifecycle.next_state(from_state, action).value == to_state
        assert on >= last.get(owner, on) and on <= DEMO_TODAY
        state[owner], last[owner] = to_state, on
    assert state == records


def test_event_steps_follow_the_event_state_machine(demo: Demo) -> None:
    with demo.ledger.read() as session:
        events = {e.id: e for e in session.scalars(select(Event))}
        steps = session.execute(
            select(EventStep.id, EventStep.event_id, EventStep.action, EventStep.from_state, EventStep.to_state,
                   EventStep.acted_on)
        ).tuples().all()  # fmt: skip
        rules = deadline_rules(session)
    assert events
    _replay({i: e.state for i, e in events.items()}, list(steps), "draft", event_rules.EVENT_LIFECYCLE)
    calendar = bundled_calendar()
    for event in events.values():
        assert event.state in set(event_rules.EventState)
        if event.accepted_on is not None:
            due = event_rules.event_deadline(
                event.accepted_on, event.category, rules, calendar, extension_days=event.extension_days
            )
            assert event.deadline == due.day


def test_errands_are_returned_by_the_second_working_day_after_completion(demo: Demo) -> None:
    with demo.ledger.read() as session:
        errands = {e.id: e for e in session.scalars(select(Errand))}
        steps = session.execute(
            select(ErrandStep.id, ErrandStep.errand_id, ErrandStep.action, ErrandStep.from_state,
                   ErrandStep.to_state, ErrandStep.acted_on)
        ).tuples().all()  # fmt: skip
    assert errands
    _replay(
        {i: e.state for i, e in errands.items()}, list(steps), "registered", errand_rules.ERRAND_LIFECYCLE
    )
    calendar = bundled_calendar()
    completed = [e for e in errands.values() if e.completed_on is not None]
    assert completed
    for errand in errands.values():
        assert errand.state in set(errand_rules.ErrandState)
        if errand.completed_on is not None:
            assert errand.return_due == errand_rules.return_due(errand.completed_on, calendar).day
            assert errand.return_due == calendar.add_workdays(errand.completed_on, 2).day
        if errand.returned_on is not None:
            assert errand.completed_on is not None and errand.returned_on > errand.completed_on


# -- the write path ------------------------------------------------------------------------------------------------
def test_every_record_has_one_outbox_operation(demo: Demo) -> None:
    summary = demo.summary
    assert summary.total_records == sum(summary.counts().values()) > summary.persons
    assert _count(demo.ledger, OutboxOp) - demo.operations_before == summary.total_records
    with demo.ledger.read() as session:
        by_entity = dict(
            session.execute(select(OutboxOp.entity, func.count()).group_by(OutboxOp.entity)).tuples().all()
        )
    assert by_entity["person"] == summary.persons == _count(demo.ledger, Person)
    assert by_entity["household"] == summary.households
    assert by_entity["errand_step"] == summary.errand_steps


def test_progress_reports_each_stage_to_its_end(demo: Demo) -> None:
    finals = {stage: (done, total) for stage, done, total in demo.progress}
    assert len(finals) >= 5
    assert all(done == total for done, total in finals.values())
    assert finals["户与人口"] == (HOUSEHOLDS, HOUSEHOLDS)  # the people stage counts households
    others = sum(total for stage, (_, total) in finals.items() if stage != "户与人口")
    assert (
        demo.summary.errands + demo.summary.events
        < others
        < demo.summary.total_records - demo.summary.persons
    )


def test_households_must_be_positive() -> None:
    with pytest.raises(ValueError):
        generate_demo(None, households=0)  # type: ignore[arg-type]
