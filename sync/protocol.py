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

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"
MAX_BATCH = 500
"""Operations per push request."""
MAX_PAGE = 2000
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
