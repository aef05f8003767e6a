"""Attachment bytes on the township server: blobs named by their SHA-256, uploaded resumably, read per grid.

- ``HEAD /v1/blobs/{sha256}``: 200 with ``Content-Length`` when the whole blob is here; 404 otherwise, with
  ``Upload-Offset`` naming how many bytes of an unfinished upload the server holds (0 for none).
- ``PUT /v1/blobs/{sha256}`` with ``Content-Range: bytes START-END/TOTAL``: one chunk of at most ``BLOB_CHUNK``
  bytes, appended only at the server's offset (409 with ``Upload-Offset`` otherwise). Once the last byte arrived
  the whole is hashed; bytes that do not hash to the name are thrown away (422). A complete blob answers any
  further PUT with its status (a retry after a lost answer is no error).
- ``GET /v1/blobs/{sha256}`` with an optional ``Range``: the bytes (206 for a range), for a device that may read
  an attachment record naming that blob: one of its grids (or township data), or any for the township's device.
  Otherwise 404, as for a blob the server does not have: a device learns nothing of other grids' files.

Chunks are rows (``blob_chunks``, one per PUT), so an upload never rewrites what it already sent and a ranged
read fetches one chunk at a time; ``blobs`` holds each blob's size, offset and whether it is complete. Uploading
is open to every enrolled device (the attachment record follows the bytes, SYNC.md), reading is not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    LargeBinary,
    Select,
    String,
    Table,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from server.app import _ERRORS, _HEADERS, ApiError, Authorised, _json
from server.store import Device, Store, attachment_sha256, is_attachment, metadata, records, utcnow
from sync.protocol import (
    API_PREFIX,
    BLOB_CHUNK,
    MAX_BLOB,
    SHA256_PATTERN,
    UPLOAD_OFFSET,
    BlobStatus,
    ErrorBody,
    parse_content_range,
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("start", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

NOT_FOUND = "服务器上没有这个附件文件，或本设备无权读取（附件须由所在网格的电脑先上传）"
TOO_LARGE = (
    f"附件文件超过 {MAX_BLOB // 1048576} MB 上限，或单次上传超过 {BLOB_CHUNK // 1048576} MB，请压缩后再添加"
)
BAD_RANGE = "上传的 Content-Range 与内容长度不符，请升级软件或联系信息员"
MISMATCH = "上传的附件内容与其摘要不符，已丢弃；请在原电脑上重新同步，仍不行请重新添加该附件"
UNSATISFIABLE = "请求的附件字节范围超出文件大小，请重新同步"

_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")

Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN, description="附件内容的 SHA-256（小写十六进制）")]

_OFFSET_HEADER = {
    UPLOAD_OFFSET: {"description": "服务器已有的字节数", "schema": {"type": "integer", "minimum": 0}}
}
_BYTES = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description} | ({"headers": headers} if headers else {})


@dataclass(frozen=True)
class _Blob:
    size: int
    received: int
    complete: bool


class BlobStore:
    """The blob tables of a ``Store``'s database. Each public method is one transaction (or one read)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        metadata.create_all(self.engine, tables=[blobs, blob_chunks])  # also when Store() ran before import

    def status(self, sha256: str) -> _Blob | None:
        with self.engine.connect() as conn:
            return _read(conn, sha256)

    def append(self, sha256: str, start: int, data: bytes, total: int) -> BlobStatus:
        """Add ``data`` at ``start`` of a ``total``-byte upload; hash the whole once complete."""
        try:
            answer, refusal = self._append(sha256, start, data, total)
        except (
            IntegrityError
        ):  # another device created the same blob meanwhile (PostgreSQL): its offset counts
            answer, refusal = self._append(sha256, start, data, total)
        if refusal is not None:
            raise refusal
        return answer

    def _append(self, sha256: str, start: int, data: bytes, total: int) -> tuple[BlobStatus, ApiError | None]:
        now = utcnow()
        with self.engine.begin() as conn:
            # A write first: the blob's row lock (PostgreSQL) or the database's write lock (SQLite) until commit.
            conn.execute(update(blobs).where(blobs.c.sha256 == sha256).values(updated_at=now))
            blob = _read(conn, sha256)
            if blob is not None and blob.complete:
                return BlobStatus(sha256=sha256, size=blob.size, offset=blob.size, complete=True), None
            if blob is not None and blob.size != total and start == 0:
                conn.execute(
                    delete(blob_chunks).where(blob_chunks.c.sha256 == sha256)
                )  # another size: restart
                blob = _Blob(total, 0, False)
            held = blob.received if blob is not None else 0
            if start != held or (blob is not None and blob.size != total):
                return BlobStatus(sha256=sha256, size=total, offset=held, complete=False), _conflict(held)
            if data:
                conn.execute(blob_chunks.insert().values(sha256=sha256, start=start, data=data))
            received = start + len(data)
            complete = received == total
            if complete and _hash(conn, sha256) != sha256:
                conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256 == sha256))
                conn.execute(delete(blobs).where(blobs.c.sha256 == sha256))
                return BlobStatus(sha256=sha256, size=total, offset=0, complete=False), ApiError(
                    422, "blob_mismatch", MISMATCH, {UPLOAD_OFFSET: "0"}
                )
            values = {"size": total, "received": received, "complete": complete, "updated_at": now}
            if blob is None:
                conn.execute(blobs.insert().values(sha256=sha256, **values))
            else:
                conn.execute(update(blobs).where(blobs.c.sha256 == sha256).values(**values))
        return BlobStatus(sha256=sha256, size=total, offset=received, complete=complete), None

    def readable(self, device: Device, sha256: str) -> _Blob | None:
        """The complete blob when ``device`` may read it (see the module's docstring), else None."""
        with self.engine.connect() as conn:
            blob = _read(conn, sha256)
            if blob is None or not blob.complete or conn.execute(naming(device, sha256)).first() is None:
                return None
        return blob

    def prune(self, idle: timedelta) -> tuple[int, int]:
        """Delete every blob no live attachment record names and nothing wrote to for ``idle``: (blobs, bytes).

        A deleted photo's bytes go; a blob whose attachment record has not arrived yet (a laptop uploads the
        bytes first) is young, so it stays. One transaction: the blob and all its chunks, or nothing."""
        named = (
            select(records.c.record_id)
            .where(is_attachment, attachment_sha256 == blobs.c.sha256, records.c.deleted.is_(False))
            .exists()
        )
        with self.engine.begin() as conn:
            unused = conn.execute(
                select(blobs.c.sha256, blobs.c.received).where(blobs.c.updated_at < utcnow() - idle, ~named)
            ).all()
            names = [row.sha256 for row in unused]
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256.in_(chunk)))
                conn.execute(delete(blobs).where(blobs.c.sha256.in_(chunk)))
        return len(unused), sum(row.received for row in unused)

    def read(self, sha256: str, first: int, stop: int) -> Iterator[bytes]:
        """Bytes ``[first, stop)`` of a complete blob, a stored chunk at a time."""
        at = first
        while at < stop:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(blob_chunks.c.start, blob_chunks.c.data)
                    .where(blob_chunks.c.sha256 == sha256, blob_chunks.c.start <= at)
                    .order_by(blob_chunks.c.start.desc())
                    .limit(1)
                ).one()
            piece = bytes(row.data)[at - row.start : stop - row.start]
            yield piece
            at += len(piece)


def naming(device: Device, sha256: str) -> Select[tuple[str]]:
    """A live attachment record ``device`` may read that names blob ``sha256`` (at most one row). An index lookup
    (``ix_records_attachment_sha256``), not a read of every attachment: the same expression and condition."""
    query = select(records.c.record_id).where(
        is_attachment, attachment_sha256 == sha256, records.c.deleted.is_(False)
    )
    if not device.township:
        query = query.where(or_(records.c.grid_id.in_(device.grids), records.c.grid_id.is_(None)))
    return query.limit(1)


def _read(conn: Connection, sha256: str) -> _Blob | None:
    row = conn.execute(
        select(blobs.c.size, blobs.c.received, blobs.c.complete).where(blobs.c.sha256 == sha256)
    ).first()
    return None if row is None else _Blob(row.size, row.received, bool(row.complete))


def _hash(conn: Connection, sha256: str) -> str:
    digest = hashlib.sha256()
    starts = conn.execute(
        select(blob_chunks.c.start).where(blob_chunks.c.sha256 == sha256).order_by(blob_chunks.c.start)
    ).scalars()
    for start in list(starts):
        query = select(blob_chunks.c.data).where(blob_chunks.c.sha256 == sha256, blob_chunks.c.start == start)
        digest.update(conn.execute(query).scalar_one())
    return digest.hexdigest()


def _conflict(held: int) -> ApiError:
    return ApiError(
        409,
        "offset_mismatch",
        f"服务器已有该附件的前 {held} 字节，上传须从这里继续（本机会自动续传）",
        {UPLOAD_OFFSET: str(held)},
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[first, stop)`` a ``Range`` header asks of a ``size``-byte blob; None for the whole (no header, or one
    this server does not read: RFC 9110 lets it answer the whole). 416 when it starts past the end."""
    found = _RANGE.fullmatch(header.strip()) if header else None
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first_text, last_text = found.groups()
    if first_text == "":
        suffix = int(last_text)
        first, stop = max(0, size - suffix), size
    else:
        first = int(first_text)
        stop = size if last_text == "" else min(size, int(last_text) + 1)
        if last_text != "" and int(last_text) < first:
            return None
    if first >= stop:
        raise ApiError(416, "range_not_satisfiable", UNSATISFIABLE, {"Content-Range": f"bytes */{size}"})
    return first, stop


async def _body(request: Request) -> bytes:
    """The request's body, refused (413) as soon as it passes ``BLOB_CHUNK`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BLOB_CHUNK:
        raise ApiError(413, "too_large", TOO_LARGE)
    parts: list[bytes] = []
    length = 0
    async for part in request.stream():
        length += len(part)
        if length > BLOB_CHUNK:
            raise ApiError(413, "too_large", TOO_LARGE)
        parts.append(part)
    return b"".join(parts)


def add_blob_routes(app: FastAPI, store: Store) -> None:
    """Serve ``/v1/blobs/{sha256}`` (HEAD, PUT, GET) from ``store``'s database."""
    found = BlobStore(store)
    path = f"{API_PREFIX}/blobs/{{sha256}}"

    @app.head(
        path,
        response_class=Response,
        responses={
            200: {
                "description": "服务器已有完整的附件文件",
                "headers": _OFFSET_HEADER
                | {
                    "Upload-Length": {
                        "description": "附件文件的总字节数",
                        "schema": {"type": "integer", "minimum": 0},
                    }
                },
            },
            404: _error("服务器还没有完整的附件文件；Upload-Offset 为已收到的字节数", _OFFSET_HEADER),
            **_ERRORS,
        },
    )
    def blob_offset(sha256: Sha256, device: Authorised) -> Response:
        """Whether the server has the whole blob, and how much of an unfinished upload it holds."""
        blob = found.status(sha256)
        if blob is None or not blob.complete:
            held = blob.received if blob is not None else 0
            raise ApiError(404, "blob_incomplete", NOT_FOUND, {UPLOAD_OFFSET: str(held)})
        size = str(blob.size)
        return Response(
            status_code=200,
            headers=_HEADERS | {"Content-Length": size, UPLOAD_OFFSET: size, "Upload-Length": size},
        )

    @app.put(
        path,
        response_model=BlobStatus,
        openapi_extra={"requestBody": {"required": True, "content": _BYTES}},
        responses={
            409: _error("上传位置与服务器已有的字节数不符", _OFFSET_HEADER),
            413: _error("附件或单次上传过大"),
            **_ERRORS,
            422: _error("请求不符合协议，或附件内容与摘要不符（已丢弃）"),
        },
    )
    async def upload_blob(
        request: Request,
        sha256: Sha256,
        device: Authorised,
        content_range: Annotated[
            str, Header(alias="Content-Range", description="本次上传的字节范围：bytes 起-止/总长")
        ],
    ) -> Response:
        """Append one chunk (at most 1 MiB) at the server's offset; the whole is hashed once complete."""
        span = parse_content_range(content_range)
        if span is None:
            raise ApiError(422, "invalid", BAD_RANGE)
        start, stop, total = span
        if total > MAX_BLOB:
            raise ApiError(413, "too_large", TOO_LARGE)
        data = await _body(request)
        if len(data) != stop - start:
            raise ApiError(422, "invalid", BAD_RANGE)
        answer = await run_in_threadpool(found.append, sha256, start, data, total)
        return _json(answer, headers={UPLOAD_OFFSET: str(answer.offset)})

    @app.get(
        path,
        response_class=Response,
        responses={
            200: {"description": "附件文件的全部字节", "content": _BYTES},
            206: {"description": "请求的字节范围", "content": _BYTES},
            404: _error(NOT_FOUND),
            416: _error(UNSATISFIABLE),
            **_ERRORS,
        },
    )
    def download_blob(
        sha256: Sha256,
        device: Authorised,
        range_: Annotated[str | None, Header(alias="Range", description="可选：bytes=起-止")] = None,
    ) -> Response:
        """The blob's bytes (206 for a range) when an attachment record this device may read names it."""
        blob = found.readable(device, sha256)
        if blob is None:
            raise ApiError(404, "blob_not_found", NOT_FOUND)
        span = byte_range(range_, blob.size)
        first, stop = span or (0, blob.size)
        headers = _HEADERS | {"Accept-Ranges": "bytes", "Content-Length": str(stop - first)}
        if span is not None:
            headers["Content-Range"] = f"bytes {first}-{stop - 1}/{blob.size}"
        return StreamingResponse(
            found.read(sha256, first, stop),
            status_code=206 if span else 200,
            media_type="application/octet-stream",
            headers=headers,
        )
