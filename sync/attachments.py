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
  asked again from where it stopped), checked against its SHA-256 and stored in the encrypted ledger. Partial
  downloads stay in memory only: the bytes never lie on disk outside the encrypted ledger. A blob the server
  does not have yet (its laptop has not synced) is tried again on the next sync.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import exists, select

from app.ledger import Ledger
from app.models import Attachment, AttachmentBlob, OutboxOp, SyncState
from sync.client import SyncClient, SyncError
from sync.protocol import BLOB_CHUNK

SWEPT = "blobs_swept"
"""SyncState key: every blob this ledger had before blob sync has been offered to the server once."""

_STORED = exists().where(AttachmentBlob.sha256 == Attachment.sha256)


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
    stored = 0
    for sha in shas:
        data = _download(client, sha)
        if data is None:
            continue
        with ledger.write() as tx:
            if tx.session.get(AttachmentBlob, sha) is None:
                tx.session.add(AttachmentBlob(sha256=sha, data=data))
                stored += 1
    return stored


def _download(client: SyncClient, sha256: str) -> bytes | None:
    """Blob ``sha256``'s bytes, fetched a chunk at a time; None when the server has none for us or what came does
    not hash to the name (asked again next sync)."""
    parts: list[bytes] = []
    have = 0
    total = None
    while total is None or have < total:
        piece = client.get_blob(sha256, have)
        if piece is None:
            return None
        start, data, total = piece
        if start == 0 and have:  # the server answered the whole blob
            parts, have = [], 0
        if start != have or not data:
            break
        parts.append(data)
        have += len(data)
    whole = b"".join(parts)
    return whole if hashlib.sha256(whole).hexdigest() == sha256 else None
