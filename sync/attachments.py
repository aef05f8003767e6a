"""Attachment bytes between this laptop and the township server (server.blobs): uploaded before the records
that name them are pushed, downloaded after pulling.

- Upload: a blob is offered while an attachment record naming it waits in the outbox (pending), so an attachment
  never reaches other laptops before its bytes can; a sync that cannot upload fails before it pushes anything.
  Once an operation is sent its bytes are on the server, so nothing is asked about again, and 10,000 old
  attachments cost nothing per sync. A new server epoch makes sent operations pending again, and with them
  their blobs. The first run on a ledger older than blob sync offers every local blob once (``SWEPT``).
- Resumable: a HEAD learns how many bytes the server holds, and PUTs of ``BLOB_CHUNK`` go on from there; a
  cut-off upload continues where the server's offset stands on the next sync.
- Download: every attachment record whose bytes are missing here is fetched in ranged chunks (a dropped chunk is
  asked again from where it stopped), checked against its SHA-256 and stored in the encrypted ledger. Each chunk
  is kept as it arrives (``BlobPart``, in the encrypted ledger too: the bytes never lie on disk outside it), in a
  write transaction of its own that sends nothing, so a download cut off by a dropped connection goes on from the
  bytes held on the next sync. The pieces are dropped in the transaction that stores the whole, or when the whole
  does not hash to its name (then it is fetched from the start next time), or when no attachment here names the
  file any more. A blob the server does not have yet (its laptop has not synced) is tried again on the next sync.
- Pruning: after the downloads, the bytes no live attachment here names and no pending operation still needs
  (an attachment deleted here or elsewhere, or moved out of this laptop's grids) are deleted from the ledger
  (``prune_blobs``): photos of documents do not linger (PIPL). Should such a record come back, its bytes are
  fetched again like any missing blob; only bytes the server may not have yet (an operation still pending) stay.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, func, or_, select

from app.ledger import Ledger
from app.models import Attachment, AttachmentBlob, OutboxOp, SyncState
from app.models.bookkeeping import BlobPart
from sync.client import SyncClient, SyncError
from sync.protocol import BLOB_CHUNK

SWEPT = "blobs_swept"
"""SyncState key: every blob this ledger had before blob sync has been offered to the server once."""

_STORED = exists().where(AttachmentBlob.sha256 == Attachment.sha256)

_NEEDED = or_(
    exists().where(Attachment.sha256 == AttachmentBlob.sha256, Attachment.deleted.is_(False)),
    exists().where(
        Attachment.sha256 == AttachmentBlob.sha256,
        OutboxOp.entity == Attachment.__tablename__,
        OutboxOp.record_id == Attachment.id,
        OutboxOp.state == "pending",
    ),
)
"""A stored blob is named by a live attachment, or by an attachment with an operation waiting to be pushed."""


def upload_blobs(ledger: Ledger, client: SyncClient) -> int:
    """Upload the bytes of every attachment waiting to be pushed that the server lacks; how many were sent."""
    with ledger.read() as session:
        swept = session.get(SyncState, SWEPT) is not None
        query = select(Attachment.sha256).where(Attachment.deleted.is_(False), _STORED).distinct()
        if swept:
            waiting = select(OutboxOp.record_id).where(
                OutboxOp.entity == Attachment.__tablename__, OutboxOp.state == "pending"
            )
            query = query.where(Attachment.id.in_(waiting))
        shas = list(session.scalars(query))
    sent = sum(_upload(ledger, client, sha) for sha in shas)
    if not swept:
        with ledger.write() as tx:
            tx.session.merge(SyncState(key=SWEPT, value=True))
    return sent


def _upload(ledger: Ledger, client: SyncClient, sha256: str) -> bool:
    """Send blob ``sha256`` from the server's offset on; False when the server had it already."""
    status = client.blob_offset(sha256)
    if status.complete:
        return False
    with ledger.read() as session:
        blob = session.get(AttachmentBlob, sha256)
    if blob is None or hashlib.sha256(blob.data).hexdigest() != sha256:
        return False  # not the bytes the records name (never written so); the server would refuse them anyway
    data = blob.data
    offset = status.offset
    for _ in range(2 * (len(data) // BLOB_CHUNK + 2)):  # each chunk once, and once more after a 409
        status = client.put_blob(sha256, offset, data[offset : offset + BLOB_CHUNK], len(data))
        if status.complete:
            return True
        offset = status.offset
    raise SyncError(f"附件文件（{sha256[:12]}…）上传未能完成，服务器不断要求从别处续传；请稍后再同步。")


def download_blobs(ledger: Ledger, client: SyncClient) -> int:
    """Fetch the bytes of every attachment record here whose blob is missing; how many were stored."""
    with ledger.read() as session:
        query = select(Attachment.sha256).where(Attachment.deleted.is_(False), ~_STORED).distinct()
        shas = list(session.scalars(query))
        held = set(session.scalars(select(BlobPart.sha256).distinct()))
    orphans = held - set(shas)  # stored meanwhile, or no live attachment names them any more
    if orphans:
        with ledger.write() as tx:
            tx.session.execute(delete(BlobPart).where(BlobPart.sha256.in_(sorted(orphans))))
    stored = sum(_download(ledger, client, sha) for sha in shas)
    prune_blobs(ledger)
    return stored


def prune_blobs(ledger: Ledger) -> int:
    """Delete the bytes no attachment here needs any more (see the module's docstring); how many blobs.

    A local write of its own that sends nothing (the bytes are no synced record), checked again in the same
    statement that deletes, so a photo attached meanwhile keeps its bytes."""
    dead = select(AttachmentBlob.sha256).where(~_NEEDED)
    with ledger.read() as session:
        if session.scalar(dead.limit(1)) is None:
            return 0  # the usual case: no write transaction at all
    with ledger.write() as tx:
        result = tx.session.execute(
            delete(AttachmentBlob).where(~_NEEDED).execution_options(synchronize_session=False)
        )
    return int(cast("CursorResult[Any]", result).rowcount)


def _download(ledger: Ledger, client: SyncClient, sha256: str) -> bool:
    """Fetch blob ``sha256`` a chunk at a time from the bytes already held (``BlobPart``), keeping each chunk as it
    comes; store the whole once it is here and hashes to its name. False when the server has none for us yet, or
    the whole did not hash right (its pieces dropped: fetched from the start next sync)."""
    have, total = _held(ledger, sha256)
    while total is None or have < total:
        piece = client.get_blob(sha256, have)
        if piece is None:
            return False
        start, data, size = piece
        if (start == 0 and have) or (total is not None and size != total):
            # the server answered the whole blob, or a size other than the pieces': start again from here
            _drop(ledger, sha256)
            have, total = 0, None
        if start != have or not data:
            if start == have and have == size:
                total = size  # nothing after the end (an empty blob)
                break
            return False  # not what was asked for: the pieces held are kept, the rest asked again next sync
        with ledger.write(durable=False) as tx:  # a piece a power cut undoes is simply fetched again
            tx.session.add(BlobPart(sha256=sha256, start=start, size=size, data=data, fetched_at=tx.now))
        have, total = have + len(data), size
    return _store(ledger, sha256)


def _held(ledger: Ledger, sha256: str) -> tuple[int, int | None]:
    """Bytes of blob ``sha256`` held from its start on (pieces after a gap do not count), and its size."""
    with ledger.read() as session:
        pieces = session.execute(
            select(BlobPart.start, func.length(BlobPart.data), BlobPart.size)
            .where(BlobPart.sha256 == sha256)
            .order_by(BlobPart.start)
        ).all()
    have, total = 0, None
    for start, length, size in pieces:
        if start != have or (total is not None and size != total):
            break
        have, total = have + length, size
    return have, total


def _store(ledger: Ledger, sha256: str) -> bool:
    """Put the pieces of blob ``sha256`` together; store the whole if it hashes to its name. Either way the pieces
    are dropped in the same transaction. True when stored."""
    with ledger.write() as tx:
        pieces = tx.session.execute(
            select(BlobPart.start, BlobPart.data).where(BlobPart.sha256 == sha256).order_by(BlobPart.start)
        ).all()
        whole = bytearray()
        for start, data in pieces:
            if start != len(whole):
                break
            whole += data
        tx.session.execute(delete(BlobPart).where(BlobPart.sha256 == sha256))
        if hashlib.sha256(whole).hexdigest() != sha256 or tx.session.get(AttachmentBlob, sha256) is not None:
            return False
        tx.session.add(AttachmentBlob(sha256=sha256, data=bytes(whole)))
        return True


def _drop(ledger: Ledger, sha256: str) -> None:
    with ledger.write() as tx:
        tx.session.execute(delete(BlobPart).where(BlobPart.sha256 == sha256))
