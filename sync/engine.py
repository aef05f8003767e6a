"""One sync run: push the outbox, then pull what changed on the server, each step checkpointed with its data.

- Push sends pending operations in seq order, in batches; an operation changes state only when the server's
  reply names it (applied/duplicate → sent, conflict, rejected), in one local transaction per batch.
- Pull applies a page of changes and saves the cursor in the same transaction, so a crash never skips or
  repeats a page. Fields with local changes not yet sent keep their local value; the server merges them. A field
  in conflict takes the server's value; what this laptop's user typed waits in the conflict inbox (the outbox row).
- A new server epoch (restored from an older backup) makes the laptop send again what it had sent, and pull
  from the start; the server dedupes.
- One run at a time per profile (a lock file beside the ledger).
- Named crash points (``GRIDDESK_SYNC_CRASH_AT``) let the fault-matrix tests SIGKILL a sync at each step.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.bulk import restore_indexes, set_aside_indexes
from app.gcpause import collector_paused
from app.ids import uuid7
from app.ledger import Ledger
from app.models import ENTITY_BY_NAME, OutboxOp, Synced, SyncState, as_stored, utcnow
from app.search import rebuild_person_index
from app.writer import RemoteRecord, WriteTx, update_rows
from sync.attachments import download_blobs, upload_blobs
from sync.client import SyncClient, SyncError
from sync.crashpoints import crash_point
from sync.protocol import (
    MAX_BATCH,
    MAX_PAGE,
    PROTOCOL_VERSION,
    Change,
    EnrolResponse,
    Operation,
    OpResult,
    OpStatus,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.status import read_state

STATE_OF = {
    OpStatus.APPLIED: "sent",
    OpStatus.DUPLICATE: "sent",
    OpStatus.CONFLICT: "conflict",
    OpStatus.REJECTED: "rejected",
}


CRASH_POINTS = ("batch-built", "sent", "reply-half-applied", "pull-page-fetched", "pull-page-half-applied")


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
    blobs_up: int = 0
    """Attachment files uploaded."""
    blobs_down: int = 0
    """Attachment files downloaded."""


INDEX_STALE = "search_index_stale"
"""Sync state: pulled people wait for their search keys (a first pull builds them all at its end)."""


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
    ledger: Ledger,
    client: SyncClient | None = None,
    progress: Callable[[str, int], None] | None = None,
    *,
    batch_size: int = MAX_BATCH,
    page_size: int = MAX_PAGE,
) -> SyncReport:
    """Push then pull, once. Raises SyncError (offline / unauthorised / other) after saving what was done."""
    own_client = client is None
    client = client or client_for(ledger)
    report = SyncReport()
    try:
        with one_run_at_a_time(ledger):
            try:
                for _ in range(2):  # a second round only after an epoch change
                    # The bytes first: an attachment record never reaches other laptops before its file can.
                    report.blobs_up += upload_blobs(ledger, client)
                    push_outbox(ledger, client, report, progress, batch_size)
                    if not pull_changes(ledger, client, report, progress, page_size):
                        break
                report.blobs_down += download_blobs(ledger, client)
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


_OPERATION_FIELDS = tuple(Operation.model_fields)


def pending_operations(session: Session, limit: int, after: int = 0) -> list[Operation]:
    """The oldest pending outbox operations (after outbox seq ``after``) as they travel to the server. Read without
    the ORM and not validated again (the write path made them): a batch is 500 of them."""
    return _pending_batch(session, limit, after)[0]


def _pending_batch(session: Session, limit: int, after: int) -> tuple[list[Operation], int]:
    """``pending_operations`` and the outbox seq of the last one (where the next batch starts)."""
    table = cast(Table, OutboxOp.__table__)
    query = (
        select(table.c.seq, *(table.c[name] for name in _OPERATION_FIELDS))
        .where(table.c.state == "pending", table.c.seq > after)
        .order_by(table.c.seq)
        .limit(limit)
    )
    rows = session.execute(query).all()
    ops = [Operation.model_construct(**dict(zip(_OPERATION_FIELDS, row[1:], strict=True))) for row in rows]
    return ops, (rows[-1][0] if rows else after)


@collector_paused()
def push_outbox(
    ledger: Ledger,
    client: SyncClient,
    report: SyncReport,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = MAX_BATCH,
) -> None:
    """Send every pending operation, a batch at a time, in outbox order; each batch's answers are recorded in one
    transaction. The next batch goes out as soon as this one is answered and is on its way while these answers
    are recorded and the batch after is read (a batch is only sent once every batch before it was answered).
    The cycle collector waits until the push ends (see app.gcpause)."""

    def read(after: int) -> tuple[list[Operation], int]:
        with ledger.read() as session:
            return _pending_batch(session, batch_size, after)

    def send(ops: list[Operation]) -> PushResponse:
        request = PushRequest.model_construct(protocol=PROTOCOL_VERSION, batch_id=uuid7(), operations=ops)
        crash_point("batch-built")
        return client.push(request)

    sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="push")
    try:
        ops, last = read(0)
        coming = sender.submit(send, ops) if ops else None
        following, last = read(last) if ops else ([], last)
        while coming is not None:
            answer = coming.result()
            crash_point("sent")
            coming = sender.submit(send, following) if following else None
            _record_answers(ledger, ops, answer, report)
            if progress:
                progress("上传", report.pushed)
            ops = following
            following, last = read(last) if coming is not None else ([], last)
    finally:
        # After an error, a batch still on its way is not waited for (it may be retrying a dead server).
        sender.shutdown(wait=False, cancel_futures=True)


def _record_answers(ledger: Ledger, ops: list[Operation], answer: PushResponse, report: SyncReport) -> None:
    now = utcnow()
    answers = [
        {
            "op_id": result.op_id,
            "state": STATE_OF[result.status],
            "reason": result.reason,
            "server_version": result.version,
            "conflicts": result.conflicts or None,
            "answered_at": now,
        }
        for result in answer.results
    ]
    half = len(answers) // 2
    with ledger.write() as tx:
        table = cast(Table, OutboxOp.__table__)
        update_rows(tx.session, table, answers[:half], key="op_id")
        crash_point("reply-half-applied")
        update_rows(tx.session, table, answers[half:], key="op_id")
        _take_server_values(tx, ops, answer.results)
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


@collector_paused()
def pull_changes(
    ledger: Ledger,
    client: SyncClient,
    report: SyncReport,
    progress: Callable[[str, int], None] | None = None,
    page_size: int = MAX_PAGE,
) -> bool:
    """Pull every page; True when the server's epoch changed and the run must start again.

    The next page is fetched while this one is applied (the server's time and the laptop's overlap); each page
    is applied with its cursor in one transaction, so a page lost to a crash is simply fetched again. The cycle
    collector waits until the pull ends (see app.gcpause)."""
    with ledger.read() as session:
        state = read_state(session)
    cursor = int(state.get("cursor") or 0)
    # From the start (a new laptop, a new epoch) nearly everything arrives: search keys are built once at the end
    # instead of page by page. The flag, saved with the first page, survives a crash until the index is rebuilt.
    defer = cursor == 0 or bool(state.get(INDEX_STALE))
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull")
    try:
        coming: Future[PullResponse] | None = fetcher.submit(client.pull, cursor, page_size)
        while coming is not None:
            page = coming.result()
            crash_point("pull-page-fetched")
            if state.get("epoch") and page.epoch != state["epoch"]:
                with ledger.write() as tx:
                    tx.session.execute(
                        update(OutboxOp).where(OutboxOp.state == "sent").values(state="pending")
                    )
                    _set_state(tx, cursor=0, epoch=page.epoch)
                report.epoch_changed = True
                return True
            coming = fetcher.submit(client.pull, page.cursor, page_size) if page.more else None
            try:
                _apply_page(ledger, page, defer=defer)
            except IntegrityError:
                _apply_page(ledger, page, unlink=True, defer=defer)
            state["epoch"] = page.epoch
            report.pulled += len(page.changes)
            if progress:
                progress("下载", report.pulled)
    finally:
        # After an error, a page still on its way is not waited for (it may be retrying a dead server).
        fetcher.shutdown(wait=False, cancel_futures=True)
    if defer:
        if progress:
            progress("建立索引", report.pulled)
        with ledger.write() as tx:
            restore_indexes(tx.session)
            rebuild_person_index(tx)
            _set_state(tx, **{INDEX_STALE: False})
    return False


def _apply_page(ledger: Ledger, page: PullResponse, unlink: bool = False, defer: bool = False) -> None:
    """Apply a pulled page and save its cursor, in one transaction.

    Foreign keys are checked at commit, so a page may bring a child before its parent (or a household and its
    head together). A record of this laptop's grids may point at one outside them (a dispute's party living in
    another grid): the commit then fails, and the page is applied again with ``unlink``, which leaves those
    references empty on this laptop only (the server keeps them; nothing is sent).

    Committed without waiting for the disk: a power cut may undo the page and its cursor together, and the next
    sync fetches it again (the next durable commit takes it to disk)."""
    with ledger.write(durable=False) as tx:
        tx.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        tx.defer_indexing = defer
        if defer:
            set_aside_indexes(tx.session)
        pending = _pending_fields(tx, [c.record_id for c in page.changes])
        half = len(page.changes) // 2
        _apply_changes(tx, page.changes[:half], pending)
        if half:
            crash_point("pull-page-half-applied")
        _apply_changes(tx, page.changes[half:], pending)
        if unlink:
            _unlink_missing(tx, {c.entity for c in page.changes})
        _set_state(tx, cursor=page.cursor, epoch=page.epoch, **({INDEX_STALE: True} if defer else {}))


def _unlink_missing(tx: WriteTx, tables: set[str]) -> None:
    """Empty each reference, in ``tables``, to a record this laptop does not have."""
    for table in sorted(tables & set(ENTITY_BY_NAME)):
        columns = {row[0]: row[3] for row in tx.session.execute(text(f'PRAGMA foreign_key_list("{table}")'))}
        for _table, rowid, _parent, key in tx.session.execute(
            text(f'PRAGMA foreign_key_check("{table}")')
        ).all():
            column = columns[key]
            if not ENTITY_BY_NAME[table].__table__.columns[column].nullable:  # type: ignore[attr-defined]
                raise SyncError(
                    f"下载的{ENTITY_BY_NAME[table].__record_label__}缺少所属的记录（{column}），请联系乡镇信息员检查服务器数据。"
                )
            tx.session.execute(
                text(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = :rowid'), {"rowid": rowid}
            )


def _take_server_values(tx: WriteTx, ops: Sequence[Operation], results: Sequence[OpResult]) -> None:
    """A refused change leaves the record as the server has it: each field the server answered with (a conflict,
    or a stale workflow move) takes the server's value; what the user typed waits in the inbox (the outbox row).
    Fields of other changes still waiting to be sent keep their local value."""
    sent = {op.op_id: op for op in ops}
    refused = [
        r for r in results if r.conflicts and r.version is not None and r.status is not OpStatus.APPLIED
    ]
    if not refused:
        return
    pending = _pending_fields(tx, [sent[r.op_id].record_id for r in refused])
    for result in refused:
        op = sent[result.op_id]
        model = ENTITY_BY_NAME.get(op.entity)
        if model is None or tx.session.get(model, op.record_id) is None:
            continue
        when = as_stored(result.changed_at) if result.changed_at else None
        keep = frozenset(pending.get(op.record_id, ()))
        remote = RemoteRecord(
            op.record_id, result.conflicts, result.version or 0, result.changed_by, keep, when
        )
        tx.apply_remote_many(model, [remote])


def _apply_changes(tx: WriteTx, changes: Sequence[Change], pending: dict[str, set[str]]) -> None:
    """Apply pulled changes in order, each run of one kind of record at once (no record twice in a run).

    Every change is applied, our own coming back included: a local edit also raises the record's version, so
    "local version >= server version" cannot tell a change already here from one that is not (another laptop's
    edit merged on the server may carry the same number)."""
    run: list[RemoteRecord] = []
    run_ids: set[str] = set()
    run_model: type[Synced] | None = None
    stored_times: dict[datetime, datetime] = {}  # a page's changes share a few server times (one per push)
    for change in changes:
        model = ENTITY_BY_NAME.get(change.entity)
        if model is None:
            continue  # a kind of record this program does not know yet (newer server)
        if model is not run_model or change.record_id in run_ids:
            if run_model is not None:
                tx.apply_remote_many(run_model, run)
            run, run_ids, run_model = [], set(), model
        values = change.values | {"deleted": change.deleted, "grid_id": change.grid_id}
        keep = frozenset(pending.get(change.record_id, ()))
        when = stored_times.get(change.changed_at)
        if when is None:
            when = stored_times[change.changed_at] = as_stored(change.changed_at)
        run.append(RemoteRecord(change.record_id, values, change.version, change.changed_by, keep, when))
        run_ids.add(change.record_id)
    if run_model is not None:
        tx.apply_remote_many(run_model, run)


def _pending_fields(tx: WriteTx, record_ids: list[str]) -> dict[str, set[str]]:
    """Fields of these records with local changes still waiting to be sent (they keep their local value)."""
    fields: dict[str, set[str]] = defaultdict(set)
    if tx.session.scalar(select(OutboxOp.seq).where(OutboxOp.state == "pending").limit(1)) is None:
        return fields  # nothing waits (a new laptop's first pull): no need to look record by record
    for start in range(0, len(record_ids), 500):
        rows = tx.session.execute(
            select(OutboxOp.record_id, OutboxOp.changes).where(
                OutboxOp.record_id.in_(record_ids[start : start + 500]), OutboxOp.state == "pending"
            )
        ).all()
        for record_id, changes in rows:
            fields[record_id].update(changes)
    return fields
