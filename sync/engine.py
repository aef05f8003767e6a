"""One sync run: push the outbox, then pull what changed on the server, each step checkpointed with its data.

- Push sends pending operations in seq order, in batches; an operation changes state only when the server's
  reply names it (applied/duplicate → sent, conflict, rejected), in one local transaction per batch.
- Pull applies a page of changes and saves the cursor in the same transaction, so a crash never skips or
  repeats a page. Fields with local changes not yet sent keep their local value; the server merges them.
- A new server epoch (restored from an older backup) makes the laptop send again what it had sent, and pull
  from the start; the server dedupes.
- One run at a time per profile (a lock file beside the ledger).
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.ids import uuid7
from app.ledger import Ledger
from app.models import ENTITY_BY_NAME, OutboxOp, SyncState, utcnow
from app.writer import WriteTx
from sync.client import SyncClient, SyncError
from sync.protocol import MAX_BATCH, MAX_PAGE, EnrolResponse, Operation, OpStatus, PushRequest

STATE_OF = {
    OpStatus.APPLIED: "sent",
    OpStatus.DUPLICATE: "sent",
    OpStatus.CONFLICT: "conflict",
    OpStatus.REJECTED: "rejected",
}


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    waiting: int = 0
    """Operations still pending after the run."""
    needs_person: int = 0
    """Operations in conflict or rejected: they wait for a person in the inbox."""
    epoch_changed: bool = False


def read_state(session: Session) -> dict[str, Any]:
    return {key: value for key, value in session.execute(select(SyncState.key, SyncState.value)).all()}


def _set_state(tx: WriteTx, **values: Any) -> None:
    for key, value in values.items():
        row = tx.session.get(SyncState, key)
        if row is None:
            tx.session.add(SyncState(key=key, value=value))
        else:
            row.value = value


def enrol(
    ledger: Ledger, server_url: str, code: str, device_name: str = "", verify: bool | str = True
) -> EnrolResponse:
    """Register this laptop with the township server using a one-time code; the token is kept in the ledger."""
    client = SyncClient(server_url, verify=verify)
    try:
        answer = client.enrol(code.strip().upper(), device_name or socket.gethostname())
    finally:
        client.close()
    with ledger.write() as tx:
        _set_state(
            tx, server_url=server_url, verify=verify, device_id=answer.device_id, token=answer.token,
            grids=answer.grids, epoch=answer.epoch, cursor=0,
        )  # fmt: skip
    return answer


@contextmanager
def one_run_at_a_time(ledger: Ledger) -> Iterator[None]:
    path = ledger.path.with_name("sync.lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncError("另一个同步正在进行，请稍候。") from None
        yield
    finally:
        os.close(fd)


def client_for(ledger: Ledger) -> SyncClient:
    with ledger.read() as session:
        state = read_state(session)
    if not state.get("token"):
        raise SyncError(
            "本机尚未登记到乡镇服务器：请先运行 griddesk enrol --server 地址 --code 登记码。",
            unauthorised=True,
        )
    return SyncClient(state["server_url"], state["token"], verify=state.get("verify", True))


def run_sync(
    ledger: Ledger, client: SyncClient | None = None, progress: Callable[[str, int], None] | None = None
) -> SyncReport:
    """Push then pull, once. Raises SyncError (offline / unauthorised / other) after saving what was done."""
    own_client = client is None
    client = client or client_for(ledger)
    report = SyncReport()
    try:
        with one_run_at_a_time(ledger):
            try:
                for _ in range(2):  # a second round only after an epoch change
                    _push(ledger, client, report, progress)
                    if not _pull(ledger, client, report, progress):
                        break
            except SyncError as exc:
                with ledger.write() as tx:
                    _set_state(tx, last_error=exc.message, last_error_offline=exc.offline)
                raise
            with ledger.write() as tx:
                _set_state(tx, last_sync_at=utcnow().isoformat(), last_error="", last_error_offline=False)
    finally:
        if own_client:
            client.close()
    with ledger.read() as session:
        report.waiting = _count(session, "pending")
        report.needs_person = _count(session, "conflict") + _count(session, "rejected")
    return report


def _count(session: Session, state: str) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.state == state)) or 0)


def operation_of(op: OutboxOp) -> Operation:
    """An outbox row as it travels to the server."""
    return Operation(
        op_id=op.op_id,
        entity=op.entity,
        record_id=op.record_id,
        grid_id=op.grid_id,
        kind=op.kind,  # type: ignore[arg-type]
        changes=op.changes,
        base_version=op.base_version,
        created_at=op.created_at,
        actor=op.actor,
    )


def _push(
    ledger: Ledger, client: SyncClient, report: SyncReport, progress: Callable[[str, int], None] | None
) -> None:
    while True:
        with ledger.read() as session:
            ops = session.scalars(
                select(OutboxOp).where(OutboxOp.state == "pending").order_by(OutboxOp.seq).limit(MAX_BATCH)
            ).all()
        if not ops:
            return
        request = PushRequest(batch_id=uuid7(), operations=[operation_of(o) for o in ops])
        answer = client.push(request)
        now = utcnow()
        with ledger.write() as tx:
            for result in answer.results:
                tx.session.execute(
                    update(OutboxOp)
                    .where(OutboxOp.op_id == result.op_id)
                    .values(
                        state=STATE_OF[result.status],
                        reason=result.reason,
                        server_version=result.version,
                        conflicts=result.conflicts or None,
                        answered_at=now,
                    )
                )
        report.pushed += len(ops)
        for result in answer.results:
            if result.status is OpStatus.APPLIED:
                report.applied += 1
            elif result.status is OpStatus.DUPLICATE:
                report.duplicates += 1
            elif result.status is OpStatus.CONFLICT:
                report.conflicts += 1
            else:
                report.rejected += 1
        if progress:
            progress("上传", report.pushed)


def _pull(
    ledger: Ledger, client: SyncClient, report: SyncReport, progress: Callable[[str, int], None] | None
) -> bool:
    """Pull every page; True when the server's epoch changed and the run must start again."""
    while True:
        with ledger.read() as session:
            state = read_state(session)
        cursor = int(state.get("cursor") or 0)
        page = client.pull(cursor, MAX_PAGE)
        if state.get("epoch") and page.epoch != state["epoch"]:
            with ledger.write() as tx:
                tx.session.execute(update(OutboxOp).where(OutboxOp.state == "sent").values(state="pending"))
                _set_state(tx, cursor=0, epoch=page.epoch)
            report.epoch_changed = True
            return True
        with ledger.write() as tx:
            pending = _pending_fields(tx, [c.record_id for c in page.changes])
            for change in page.changes:
                model = ENTITY_BY_NAME.get(change.entity)
                if model is None:
                    continue  # a kind of record this program does not know yet (newer server)
                local = tx.session.get(model, change.record_id)
                if local is not None and local.version >= change.version and change.record_id not in pending:
                    continue  # our own change coming back, or already applied
                values = change.values | {"deleted": change.deleted, "grid_id": change.grid_id}
                tx.apply_remote(
                    model, change.record_id, values, version=change.version, changed_by=change.changed_by,
                    keep=pending.get(change.record_id, ()),
                )  # fmt: skip
            _set_state(tx, cursor=page.cursor, epoch=page.epoch)
        report.pulled += len(page.changes)
        if progress:
            progress("下载", report.pulled)
        if not page.more:
            return False


def _pending_fields(tx: WriteTx, record_ids: list[str]) -> dict[str, set[str]]:
    fields: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(record_ids), 500):
        rows = tx.session.execute(
            select(OutboxOp.record_id, OutboxOp.changes).where(
                OutboxOp.record_id.in_(record_ids[start : start + 500]), OutboxOp.state == "pending"
            )
        ).all()
        for record_id, changes in rows:
            fields[record_id].update(changes)
    return fields
