"""Events and errands through their services: deadlines and return dates from the ledger's own calendar, which
the township or an administrator can change; workflow moves checked and kept as steps."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ValidationError
from app.ledger import Ledger
from app.models import Errand, ErrandStep, Event, EventStep
from app.services import errands, reference, work
from app.workdays import SpecialDay
from tests.conftest import Township


def _event(ledger: Ledger, township: Township, category: str = "dispute") -> str:
    with ledger.write() as tx:
        event = work.report_event(
            tx,
            grid_id=township.grid_a.id,
            title="排水沟纠纷",
            occurred_on=date(2026, 9, 29),
            category=category,
        )
        work.act_on_event(tx, event, "report", on=date(2026, 9, 29))
        return event.id


def test_accepting_an_event_sets_its_deadline_in_working_days(ledger: Ledger, township: Township) -> None:
    event_id = _event(ledger, township)
    with ledger.write() as tx:
        event = work.act_on_event(tx, tx.session.get(Event, event_id), "accept", on=date(2026, 9, 30))  # type: ignore[arg-type]
    # 3 working days after 30 Sep 2026: the National Day holiday is skipped, Saturday 10 Oct is a make-up day.
    assert event.deadline == date(2026, 10, 10)
    assert not event.deadline_estimated
    with ledger.write() as tx:
        event = work.act_on_event(tx, tx.session.get(Event, event_id), "start", on=date(2026, 10, 9))  # type: ignore[arg-type]
        event = work.act_on_event(tx, event, "extend", on=date(2026, 10, 9), extension_days=4)
    # 3 + 4 = 7 working days after 30 Sep: 8, 9, 10 (Saturday make-up), 12, 13, 14, 15 October.
    assert event.extension_days == 4 and event.deadline == date(2026, 10, 15)
    with ledger.read() as session:
        steps = session.scalars(
            select(EventStep.action).where(EventStep.event_id == event_id).order_by(EventStep.id)
        ).all()
    assert list(steps) == ["report", "accept", "start", "extend"]


def test_a_move_the_state_graph_forbids_is_refused_in_chinese(ledger: Ledger, township: Township) -> None:
    event_id = _event(ledger, township)
    with pytest.raises(ValidationError) as info, ledger.write() as tx:
        work.act_on_event(tx, tx.session.get(Event, event_id), "close", on=date(2026, 9, 30))  # type: ignore[arg-type]
    assert "上报" in info.value.message and info.value.field == "state"


def test_the_deadline_rule_is_configurable(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        reference.set_deadline_rule(tx, "dispute", 7)
    event_id = _event(ledger, township)
    with ledger.write() as tx:
        event = work.act_on_event(tx, tx.session.get(Event, event_id), "accept", on=date(2026, 11, 2))  # type: ignore[arg-type]
    assert event.deadline == date(2026, 11, 11)
    with pytest.raises(ValidationError, match="1 到 15"), ledger.write() as tx:
        reference.set_deadline_rule(tx, "dispute", 16)


def _errand(ledger: Ledger, township: Township) -> str:
    with ledger.write() as tx:
        item = errands.add_errand_item(
            tx, category="civil", name="临时救助申请", materials=["身份证复印件", "申请书"]
        )
        errand = errands.register_errand(
            tx,
            grid_id=township.grid_a.id,
            item_id=item.id,
            applicant_name="李大爷",
            registered_on=date(2026, 9, 21),
        )
        return errand.id


def _walk_errand(ledger: Ledger, errand_id: str, completed_on: date) -> Errand:
    with ledger.write() as tx:
        errand = tx.session.get(Errand, errand_id)
        assert errand is not None
        errands.act_on_errand(
            tx, errand, "receive", on=date(2026, 9, 21), materials=["身份证复印件", "申请书"]
        )
        errands.act_on_errand(tx, errand, "send", on=date(2026, 9, 22))
        errands.act_on_errand(tx, errand, "process", on=date(2026, 9, 22))
        errands.act_on_errand(tx, errand, "complete", on=completed_on)
        return errand


def test_errand_return_is_due_on_the_second_working_day_after_completion(
    ledger: Ledger, township: Township
) -> None:
    errand = _walk_errand(ledger, _errand(ledger, township), date(2026, 9, 30))
    assert errand.return_due == date(2026, 10, 9)
    assert errand.state == "completed"
    with ledger.read() as session:
        assert session.scalars(select(ErrandStep.to_state).where(ErrandStep.errand_id == errand.id)).all()


def test_receiving_needs_every_material_or_a_request_for_more(ledger: Ledger, township: Township) -> None:
    errand_id = _errand(ledger, township)
    with pytest.raises(ValidationError, match="申请书"), ledger.write() as tx:
        errands.act_on_errand(
            tx, tx.session.get(Errand, errand_id), "receive", on=date(2026, 9, 21), materials=["身份证复印件"]
        )  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="缺哪些材料"), ledger.write() as tx:
        errands.act_on_errand(tx, tx.session.get(Errand, errand_id), "request_more", on=date(2026, 9, 21))  # type: ignore[arg-type]
    with ledger.write() as tx:
        errand = errands.act_on_errand(
            tx, tx.session.get(Errand, errand_id), "request_more", on=date(2026, 9, 21), reason="缺申请书"
        )  # type: ignore[arg-type]
    assert errand.state == "needs_more"


def test_an_administrator_edit_of_the_calendar_moves_due_dates(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        reference.set_calendar_day(tx, date(2026, 10, 9), False, "临时调整")
    errand = _walk_errand(ledger, _errand(ledger, township), date(2026, 9, 30))
    assert errand.return_due == date(2026, 10, 10)


def test_an_unpublished_year_is_estimated_until_the_township_publishes_it(
    ledger: Ledger, township: Township
) -> None:
    with ledger.read() as session:
        calendar = reference.load_calendar(session)
    assert calendar.add_workdays(date(2027, 9, 30), 3).estimated
    with ledger.write() as tx:
        reference.publish_calendar_year(
            tx, 2027, [SpecialDay(date(2027, 10, d), False, "国庆节") for d in range(1, 8)], source="乡镇发布"
        )
    with ledger.read() as session:
        result = reference.load_calendar(session).add_workdays(date(2027, 9, 30), 3)
    assert not result.estimated and result.day == date(2027, 10, 12)
    with pytest.raises(ValidationError, match="不属于 2027 年"), ledger.write() as tx:
        reference.publish_calendar_year(tx, 2027, [SpecialDay(date(2028, 1, 1), False, "元旦")])
