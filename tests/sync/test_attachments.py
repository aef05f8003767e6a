"""Attachment bytes travel with their records: a photo attached on one laptop reaches the others byte for byte,
an upload cut half way resumes from the server's offset, a download cut half way resumes on the next sync from the
bytes kept in the encrypted ledger, wrong bytes are refused, a laptop of another grid cannot read the file, a
file attached twice travels once, and the bytes of a deleted attachment leave every laptop after the sync. Real server subprocess (SQLite and PostgreSQL), real
ledgers, the fault proxy for the cut."""

from __future__ import annotations

import hashlib
import random

import pytest
import requests
from sqlalchemy import func, select

from app.ledger import Ledger
from app.models import Attachment, AttachmentBlob, Household, SyncState
from app.models.bookkeeping import BlobPart
from app.services.attachments import attach, remove_attachment
from sync.attachments import SWEPT, prune_blobs
from sync.client import SyncError
from sync.engine import SyncReport, client_for, push_outbox, read_state, run_sync
from sync.protocol import BLOB_CHUNK, UPLOAD_OFFSET
from tests.sync.conftest import Laptops, Server
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.steps import family, pending, through

BLOBS = "/v1/blobs"
PHOTO = random.Random(20240601).randbytes(3 * BLOB_CHUNK)
"""A 3 MiB "photo": pseudo-random bytes, three upload chunks."""
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()
TIMEOUT = 10


def attach_photo(ledger: Ledger, grid_id: str, data: bytes = PHOTO, household: str | None = None) -> str:
    """Attach ``data`` to a (new, unless given) household of ``grid_id``; the attachment's id."""
    owner_id = household or family(ledger, grid_id, size=1)
    with ledger.write() as tx:
        owner = tx.session.get(Household, owner_id)
        assert owner is not None
        return attach(tx, owner, "门牌照片.jpg", data, "image/jpeg").id


def blob_of(ledger: Ledger, sha256: str) -> bytes | None:
    with ledger.read() as session:
        blob = session.get(AttachmentBlob, sha256)
        return None if blob is None else blob.data


def token_of(ledger: Ledger) -> str:
    with ledger.read() as session:
        token: str = read_state(session)["token"]
    return token


def get(server: Server, token: str, sha256: str, **headers: str) -> requests.Response:
    return requests.get(
        f"{server.url}{BLOBS}/{sha256}",
        headers={"Authorization": f"Bearer {token}", **headers},
        timeout=TIMEOUT,
    )


def puts(proxy: FaultProxy, since: int = 0) -> list[int]:
    """Request sizes of the blob uploads the proxy passed on since its ``since``-th request."""
    return [seen.size for seen in proxy.seen[since:] if seen.method == "PUT" and seen.path.startswith(BLOBS)]


def gets(proxy: FaultProxy, since: int = 0) -> list[str]:
    """The byte ranges blob downloads asked for through the proxy since its ``since``-th request."""
    return [seen.range for seen in proxy.seen[since:] if seen.method == "GET" and seen.path.startswith(BLOBS)]


def pieces(ledger: Ledger) -> list[tuple[str, int, int, bytes]]:
    """The pieces of downloads under way the ledger keeps: (sha256, start, whole size, bytes)."""
    with ledger.read() as session:
        rows = session.execute(
            select(BlobPart.sha256, BlobPart.start, BlobPart.size, BlobPart.data).order_by(
                BlobPart.sha256, BlobPart.start
            )
        ).all()
    return [tuple(row) for row in rows]


def chunk_range(number: int) -> str:
    return f"bytes={number * BLOB_CHUNK}-{(number + 1) * BLOB_CHUNK - 1}"


def test_a_photo_attached_on_one_laptop_reaches_the_other_byte_for_byte(laptops: Laptops) -> None:
    grid = laptops.township.grid_a.id
    attach_photo(laptops.a, grid)

    sent = run_sync(laptops.a)
    got = run_sync(laptops.b)
    office = run_sync(laptops.office)

    assert (sent.blobs_up, got.blobs_down, office.blobs_down) == (1, 1, 1)
    assert blob_of(laptops.b, PHOTO_SHA) == PHOTO
    assert blob_of(laptops.office, PHOTO_SHA) == PHOTO
    again = [run_sync(ledger) for ledger in (laptops.a, laptops.b)]
    assert [(r.blobs_up, r.blobs_down) for r in again] == [(0, 0), (0, 0)]


def test_an_upload_cut_half_way_resumes_from_the_servers_offset(
    laptops: Laptops, server: Server, proxy: FaultProxy
) -> None:
    attach_photo(laptops.a, laptops.township.grid_a.id)
    client = through(proxy, laptops.a, attempts=3)
    # HEAD and the first chunk pass; the second chunk is cut after half of it (~1.5 MiB of the photo sent), and
    # its two retries are reset: this sync fails offline.
    proxy.add(
        Fault("pass", BLOBS),
        Fault("pass", BLOBS),
        Fault("cut_request", BLOBS, after=BLOB_CHUNK // 2),
        Fault("reset", BLOBS),
        Fault("reset", BLOBS),
    )
    with pytest.raises(SyncError) as failed:
        run_sync(laptops.a, client)
    assert failed.value.offline
    assert pending(laptops.a) > 0, (
        "the attachment record must not be pushed before its bytes are on the server"
    )
    assert client.blob_offset(PHOTO_SHA).offset == BLOB_CHUNK

    before = len(proxy.seen)
    report = run_sync(laptops.a, client)

    resent = puts(proxy, before)
    assert report.blobs_up == 1
    assert len(resent) == 2, "only the two chunks the server did not have"
    assert 2 * BLOB_CHUNK < sum(resent) < len(PHOTO)
    assert run_sync(laptops.b).blobs_down == 1
    assert blob_of(laptops.b, PHOTO_SHA) == PHOTO


def test_a_download_cut_half_way_goes_on_from_the_bytes_kept_on_the_next_sync(
    laptops: Laptops, server: Server, proxy: FaultProxy
) -> None:
    attach_photo(laptops.a, laptops.township.grid_a.id)
    run_sync(laptops.a)
    client = through(proxy, laptops.b, attempts=3)
    # The first chunk arrives; the second is cut off half way and its two retries are reset: the sync fails offline.
    proxy.add(
        Fault("pass", BLOBS),
        Fault("cut_response", BLOBS, after=BLOB_CHUNK // 2),
        Fault("reset", BLOBS),
        Fault("reset", BLOBS),
    )
    with pytest.raises(SyncError) as failed:
        run_sync(laptops.b, client)
    assert failed.value.offline
    assert gets(proxy) == [chunk_range(0), chunk_range(1), chunk_range(1), chunk_range(1)]
    assert blob_of(laptops.b, PHOTO_SHA) is None
    assert pieces(laptops.b) == [(PHOTO_SHA, 0, len(PHOTO), PHOTO[:BLOB_CHUNK])]
    # kept inside the encrypted ledger only: no file of the profile holds the bytes in the clear
    for path in laptops.b.path.parent.iterdir():
        if path.is_file():
            assert PHOTO[:64] not in path.read_bytes(), path

    before = len(proxy.seen)
    report = run_sync(laptops.b, client)

    assert report.blobs_down == 1
    assert gets(proxy, before) == [chunk_range(1), chunk_range(2)], "only the bytes it did not have"
    assert blob_of(laptops.b, PHOTO_SHA) == PHOTO
    assert pieces(laptops.b) == [], "dropped with the whole stored"


def test_kept_pieces_that_do_not_hash_right_are_dropped_and_fetched_again_from_the_start(
    laptops: Laptops, server: Server, proxy: FaultProxy
) -> None:
    attach_photo(laptops.a, laptops.township.grid_a.id)
    run_sync(laptops.a)
    with laptops.b.write() as tx:  # a first piece that is not the photo's (a damaged earlier download)
        tx.session.add(BlobPart(sha256=PHOTO_SHA, start=0, size=len(PHOTO), data=bytes(BLOB_CHUNK)))
    client = through(proxy, laptops.b)

    first = run_sync(laptops.b, client)
    assert first.blobs_down == 0 and blob_of(laptops.b, PHOTO_SHA) is None
    assert gets(proxy) == [chunk_range(1), chunk_range(2)]
    assert pieces(laptops.b) == []
    before = len(proxy.seen)
    second = run_sync(laptops.b, client)
    assert second.blobs_down == 1 and blob_of(laptops.b, PHOTO_SHA) == PHOTO
    assert gets(proxy, before) == [chunk_range(0), chunk_range(1), chunk_range(2)]


def test_pieces_of_a_file_no_attachment_names_any_more_are_dropped(laptops: Laptops) -> None:
    with laptops.b.write() as tx:
        tx.session.add(BlobPart(sha256="0" * 64, start=0, size=10, data=b"12345"))
    run_sync(laptops.b)
    assert pieces(laptops.b) == []


def test_bytes_that_do_not_hash_to_their_name_are_refused_and_discarded(
    laptops: Laptops, server: Server
) -> None:
    url = f"{server.url}{BLOBS}/{PHOTO_SHA}"
    auth = {"Authorization": f"Bearer {token_of(laptops.a)}"}
    wrong = PHOTO[:BLOB_CHUNK] + b"not the photo"
    total = len(wrong)

    first = requests.put(
        url, data=wrong[:BLOB_CHUNK], timeout=TIMEOUT,
        headers=auth | {"Content-Range": f"bytes 0-{BLOB_CHUNK - 1}/{total}"},
    )  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json() == {"sha256": PHOTO_SHA, "size": total, "offset": BLOB_CHUNK, "complete": False}
    elsewhere = requests.put(
        url, data=b"x", headers=auth | {"Content-Range": f"bytes 5-5/{total}"}, timeout=10
    )
    assert elsewhere.status_code == 409
    assert elsewhere.headers[UPLOAD_OFFSET] == str(BLOB_CHUNK)

    last = requests.put(
        url, data=wrong[BLOB_CHUNK:], timeout=TIMEOUT,
        headers=auth | {"Content-Range": f"bytes {BLOB_CHUNK}-{total - 1}/{total}"},
    )  # fmt: skip

    assert last.status_code == 422
    assert last.json()["code"] == "blob_mismatch"
    assert "摘要不符" in last.json()["message"]
    head = requests.head(url, headers=auth, timeout=TIMEOUT)
    assert (head.status_code, head.headers[UPLOAD_OFFSET]) == (404, "0"), "the wrong bytes are thrown away"
    # The real photo still goes up afterwards, from the start.
    attach_photo(laptops.a, laptops.township.grid_a.id)
    assert run_sync(laptops.a).blobs_up == 1
    assert get(server, token_of(laptops.b), PHOTO_SHA).content == PHOTO


def test_a_laptop_of_another_grid_cannot_read_the_file(laptops: Laptops, server: Server) -> None:
    attachment = attach_photo(laptops.a, laptops.township.grid_a.id)
    run_sync(laptops.a)
    code = server.admin("enrol-code", "--grids", laptops.township.grid_b.id)
    enrolled = requests.post(
        f"{server.url}/v1/enrol", json={"code": code, "device_name": "乙网格的电脑"}, timeout=TIMEOUT
    )
    grid_b = enrolled.json()["token"]

    refused = get(server, grid_b, PHOTO_SHA)
    assert refused.status_code == 404
    assert "无权读取" in refused.json()["message"]
    assert get(server, token_of(laptops.b), PHOTO_SHA).content == PHOTO
    assert get(server, token_of(laptops.office), PHOTO_SHA).content == PHOTO
    part = get(server, token_of(laptops.b), PHOTO_SHA, Range="bytes=1000-1999")
    assert (part.status_code, part.content) == (206, PHOTO[1000:2000])
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(PHOTO)}"

    with laptops.a.write() as tx:
        record = tx.session.get(Attachment, attachment)
        assert record is not None
        remove_attachment(tx, record)
    run_sync(laptops.a)
    assert get(server, token_of(laptops.b), PHOTO_SHA).status_code == 404, "no attachment names it any more"


def test_the_same_photo_attached_twice_is_stored_and_uploaded_once(
    laptops: Laptops, server: Server, proxy: FaultProxy
) -> None:
    household = family(laptops.a, laptops.township.grid_a.id, size=1)
    attach_photo(laptops.a, laptops.township.grid_a.id, household=household)
    attach_photo(laptops.a, laptops.township.grid_a.id, household=household)
    with laptops.a.read() as session:
        assert session.scalar(select(func.count()).select_from(AttachmentBlob)) == 1

    report = run_sync(laptops.a, through(proxy, laptops.a))

    assert report.blobs_up == 1
    assert len(puts(proxy)) == len(PHOTO) // BLOB_CHUNK
    got = run_sync(laptops.b)
    assert got.blobs_down == 1
    with laptops.b.read() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 2
        assert session.scalar(select(func.count()).select_from(AttachmentBlob)) == 1


def remove(ledger: Ledger, attachment_id: str) -> None:
    """Delete an attachment through the services, as the desk does (a tombstone that syncs)."""
    with ledger.write() as tx:
        record = tx.session.get(Attachment, attachment_id)
        assert record is not None
        remove_attachment(tx, record)


def test_the_bytes_of_a_deleted_attachment_leave_every_laptop_after_the_sync(laptops: Laptops) -> None:
    grid = laptops.township.grid_a.id
    scan = b"synthetic scan of an ID card, front side"
    scan_sha = hashlib.sha256(scan).hexdigest()
    household = family(laptops.a, grid, size=1)
    photo_here = attach_photo(laptops.a, grid, household=household)
    attach_photo(laptops.a, grid)  # the same photo, attached to another household too
    scan_here = attach_photo(laptops.a, grid, data=scan, household=household)
    run_sync(laptops.a)
    assert run_sync(laptops.b).blobs_down == 2
    assert blob_of(laptops.b, scan_sha) == scan

    remove(laptops.a, photo_here)
    remove(laptops.a, scan_here)
    run_sync(laptops.a)
    run_sync(laptops.b)

    for ledger in (laptops.a, laptops.b):
        assert blob_of(ledger, scan_sha) is None, "no live attachment names the scan any more"
        assert blob_of(ledger, PHOTO_SHA) == PHOTO, "the other household's attachment still names the photo"
    assert run_sync(laptops.office).blobs_down == 1, "the photo only: the scan was deleted before it synced"
    assert blob_of(laptops.office, scan_sha) is None


def test_bytes_an_operation_waiting_to_be_pushed_needs_are_kept(laptops: Laptops) -> None:
    grid = laptops.township.grid_a.id
    attached = attach_photo(laptops.a, grid)
    scan = b"synthetic scan of a household register page"
    scan_sha = hashlib.sha256(scan).hexdigest()
    removed = attach_photo(laptops.a, grid, data=scan)
    remove(laptops.a, removed)  # deleted before it was ever pushed: its create and delete wait together

    assert prune_blobs(laptops.a) == 0
    assert blob_of(laptops.a, PHOTO_SHA) == PHOTO and blob_of(laptops.a, scan_sha) == scan
    run_sync(laptops.a)
    assert blob_of(laptops.a, scan_sha) is None, "dropped once nothing waits for it"
    assert blob_of(laptops.a, PHOTO_SHA) == PHOTO
    assert run_sync(laptops.b).blobs_down == 1
    assert blob_of(laptops.b, PHOTO_SHA) == PHOTO
    remove(laptops.b, attached)
    assert prune_blobs(laptops.b) == 0, "the delete waits to be pushed"
    run_sync(laptops.b)
    assert blob_of(laptops.b, PHOTO_SHA) is None


def test_attachments_synced_before_blob_sync_are_uploaded_once(laptops: Laptops) -> None:
    """A ledger from before blob sync: its attachment records were pushed without their bytes."""
    attach_photo(laptops.a, laptops.township.grid_a.id)
    client = client_for(laptops.a)
    push_outbox(laptops.a, client, SyncReport())
    with laptops.a.write() as tx:
        swept = tx.session.get(SyncState, SWEPT)
        assert swept is not None
        tx.session.delete(swept)

    assert run_sync(laptops.a).blobs_up == 1
    assert run_sync(laptops.a).blobs_up == 0
    assert run_sync(laptops.b).blobs_down == 1


def test_an_empty_file_travels_and_oversize_uploads_are_refused(laptops: Laptops, server: Server) -> None:
    empty = hashlib.sha256(b"").hexdigest()
    attach_photo(laptops.a, laptops.township.grid_a.id, data=b"")
    assert run_sync(laptops.a).blobs_up == 1
    assert run_sync(laptops.b).blobs_down == 1
    assert blob_of(laptops.b, empty) == b""

    url = f"{server.url}{BLOBS}/{PHOTO_SHA}"
    auth = {"Authorization": f"Bearer {token_of(laptops.a)}"}
    too_big = f"bytes 0-0/{50 * 1024 * 1024 + 1}"
    for headers, data in (
        ({"Content-Range": too_big}, b"x"),
        ({"Content-Range": "bytes 0-1048576/3145728"}, b""),
    ):
        answer = requests.put(
            url, data=data or bytes(BLOB_CHUNK + 1), headers=auth | headers, timeout=TIMEOUT
        )
        assert answer.status_code == 413
        assert "上限" in answer.json()["message"]
    garbled = requests.put(url, data=b"x", headers=auth | {"Content-Range": "bytes 9-0/3"}, timeout=TIMEOUT)
    assert garbled.status_code == 422
