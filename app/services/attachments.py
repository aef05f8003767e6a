"""Attachments: photos and scans stored once per SHA-256 inside the encrypted ledger."""

from __future__ import annotations

import hashlib

from app.errors import ValidationError
from app.models import Attachment, AttachmentBlob, Synced
from app.writer import WriteTx, entity_of

MAX_BYTES = 20 * 1024 * 1024


def attach(
    tx: WriteTx, owner: Synced, filename: str, data: bytes, mime: str = "application/octet-stream"
) -> Attachment:
    if len(data) > MAX_BYTES:
        raise ValidationError(
            "data",
            "附件",
            f"“{filename}”有 {len(data) // 1048576} MB，超过 20 MB 上限，请压缩后再添加。",
            owner.describe(),
        )
    digest = hashlib.sha256(data).hexdigest()
    if tx.session.get(AttachmentBlob, digest) is None:
        tx.session.add(AttachmentBlob(sha256=digest, data=data))
    return tx.create(
        Attachment(owner_kind=entity_of(owner), owner_id=owner.id, sha256=digest, filename=filename, mime=mime,
                   size=len(data), grid_id=owner.grid_id)
    )  # fmt: skip


def remove_attachment(tx: WriteTx, attachment: Attachment) -> None:
    tx.delete(attachment)
