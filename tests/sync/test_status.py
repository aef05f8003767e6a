"""The words the status bar shows for where this laptop's work stands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.ledger import Ledger
from app.models import OutboxOp, SyncState, utcnow
from app.services import persons
from sync.status import sync_status
from tests.conftest import Township


def _state(ledger: Ledger, **values: object) -> None:
    with ledger.write() as tx:
        for key, value in values.items():
            tx.session.merge(SyncState(key=key, value=value))


def _status(ledger: Ledger) -> tuple[str, str]:
    with ledger.read() as session:
        status = sync_status(session, now=utcnow() + timedelta(days=3))
    return status.state, status.text


def test_status_words_follow_the_outbox(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        persons.register_person(tx, grid_id=township.grid_a.id, name="张三")
    with ledger.read() as session:
        # the township tree and staff the fixture built wait too
        pending = session.query(OutboxOp).filter(OutboxOp.state == "pending").count()
    assert pending > 1
    assert _status(ledger) == ("not_enrolled", f"{pending} 条待上传（本机未登记到乡镇服务器）")
    _state(ledger, token="t", server_url="https://example.invalid")
    # "now" is three days ahead
    assert _status(ledger) == ("waiting", f"{pending} 条待上传（最早 3 天前）")
    _state(ledger, last_error_offline=True)
    assert _status(ledger) == ("offline", f"离线 · {pending} 条待上传")
    with ledger.write() as tx:
        tx.session.execute(update(OutboxOp).values(state="sent"))
    _state(ledger, last_error_offline=False, last_sync_at=utcnow().isoformat())
    state, text = _status(ledger)
    assert state == "sent" and text.startswith("全部已上传 · ")
    with ledger.write() as tx:
        tx.session.execute(update(OutboxOp).where(OutboxOp.seq == 1).values(state="conflict"))
    assert _status(ledger) == ("needs_person", "需要处理（1 条）")
