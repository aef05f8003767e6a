"""The sync protocol, version 1: the payloads laptops and the township server exchange (shared by both ends).

Rules it carries (see ../shared/design/SYNC.md):
- every record has a client-made UUIDv7; every operation an ``op_id`` the server dedupes on (same id with other
  content is refused, never applied);
- a push answers each operation with applied / duplicate / conflict / rejected, so one bad operation never blocks
  the queue; the reply echoes the batch id, so a captive portal's 200 page is not taken as an acknowledgement;
- pulls page by the server's sequence number (commit order), never by time; ``epoch`` changes when the server is
  restored from a backup, and then the laptop pulls from the start and resends what it had sent.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"
TOWNSHIP = "*"
"""The grid list of the township's own device: every grid."""
MAX_BATCH = 500
"""Operations per push request (each batch costs a commit, an fsync, on both sides)."""
MAX_PAGE = 10000
"""Changes per pull page."""


class Operation(BaseModel):
    """One change a laptop made: a record created, changed (field → [old, new]) or deleted."""

    op_id: str
    entity: str
    record_id: str
    grid_id: str | None
    kind: Literal["create", "update", "delete"]
    changes: dict[str, list[Any]]
    base_version: int = Field(ge=0)
    created_at: datetime
    actor: str


class PushRequest(BaseModel):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    operations: list[Operation] = Field(max_length=MAX_BATCH)


class OpStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class OpResult(BaseModel):
    """What the server did with one operation. ``conflicts`` holds the server's current value of each field the
    operation could not change (same field changed differently elsewhere); ``reason`` is Chinese, for people."""

    op_id: str
    status: OpStatus
    reason: str = ""
    version: int | None = None
    conflicts: dict[str, Any] = Field(default_factory=dict)
    changed_by: str = ""
    changed_at: datetime | None = None


class PushResponse(BaseModel):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    results: list[OpResult]


class Change(BaseModel):
    """A record as the server has it after one applied operation, in commit order (``seq``)."""

    seq: int
    entity: str
    record_id: str
    grid_id: str | None
    version: int
    deleted: bool
    values: dict[str, Any]
    changed_by: str
    changed_at: datetime


class PullResponse(BaseModel):
    protocol: int = PROTOCOL_VERSION
    epoch: str
    changes: list[Change]
    cursor: int
    more: bool


class EnrolRequest(BaseModel):
    code: str
    device_name: str


class EnrolResponse(BaseModel):
    protocol: int = PROTOCOL_VERSION
    device_id: str
    token: str
    grids: list[str]
    epoch: str


class ServerTime(BaseModel):
    protocol: int = PROTOCOL_VERSION
    now: datetime
    epoch: str


class ErrorBody(BaseModel):
    """Every non-2xx answer: a machine code and a Chinese message for the person."""

    code: str
    message: str


# -- attachment bytes ----------------------------------------------------------------------------------------
# Blobs are named by the SHA-256 of their bytes (lower-case hex). An upload is resumable in the spirit of tus:
# ``HEAD`` answers how many bytes the server holds (``Upload-Offset``), each ``PUT`` carries the next chunk with
# a ``Content-Range`` starting exactly there, and the server hashes the whole once the last byte arrived.

BLOB_CHUNK = 1024 * 1024
"""Most bytes one blob request carries: a PUT's body, and what a laptop asks for per ranged GET."""
MAX_BLOB = 50 * 1024 * 1024
"""Largest blob the server takes."""
SHA256_PATTERN = r"^[0-9a-f]{64}$"
UPLOAD_OFFSET = "Upload-Offset"
"""Header: bytes of a blob the server holds, from the start."""

_CONTENT_RANGE = re.compile(r"bytes (?:(\d{1,19})-(\d{1,19})|\*)/(\d{1,19})")


class BlobStatus(BaseModel):
    """What the server holds of a blob after an upload request: the first ``offset`` of ``size`` bytes;
    ``complete`` once every byte arrived and they hashed to the name."""

    sha256: str
    size: int
    offset: int
    complete: bool


def content_range(start: int, stop: int, total: int) -> str:
    """The ``Content-Range`` of bytes ``[start, stop)`` of ``total`` (``bytes */0`` for an empty blob)."""
    return f"bytes {start}-{stop - 1}/{total}" if stop > start else f"bytes */{total}"


def parse_content_range(value: str) -> tuple[int, int, int] | None:
    """``(start, stop, total)`` of a ``Content-Range`` header (``stop`` exclusive), or None when malformed."""
    found = _CONTENT_RANGE.fullmatch(value.strip())
    if found is None:
        return None
    first, last, total = found.groups()
    if first is None:
        return (0, 0, int(total)) if int(total) == 0 else None
    start, stop = int(first), int(last) + 1
    return (start, stop, int(total)) if start < stop <= int(total) else None
