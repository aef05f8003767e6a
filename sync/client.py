"""HTTP client for the township server: timeouts on every request, TLS verified, bounded retries with backoff.

Blocking by design: the engine runs in a worker thread or a command, never on the UI thread.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from sync.protocol import (
    API_PREFIX,
    BLOB_CHUNK,
    UPLOAD_OFFSET,
    BlobStatus,
    EnrolRequest,
    EnrolResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerTime,
    content_range,
    parse_content_range,
)

M = TypeVar("M", bound=BaseModel)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class SyncError(Exception):
    """A sync step that failed; ``offline`` when the server could not be reached at all. Message in Chinese."""

    def __init__(self, message: str, *, offline: bool = False, unauthorised: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.offline = offline
        self.unauthorised = unauthorised


@dataclass
class Backoff:
    """Exponential backoff with full jitter; ``Retry-After`` wins when the server sends it."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(self.cap, max(0.0, float(retry_after)))
            except ValueError:
                pass
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


class SyncClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        verify: bool | str = True,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        backoff: Backoff | None = None,
    ) -> None:
        if verify is False:
            raise ValueError("TLS verification is never switched off; pass the township CA file instead")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.verify = verify
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def _send(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        data: bytes | None = None,
        accept: frozenset[int] = frozenset(),
        **params: Any,
    ) -> requests.Response:
        """One request, retried with backoff while the server is unreachable or busy. Answers 2xx and those in
        ``accept`` are returned; any other raises SyncError with a message for the person."""
        if self.token:
            headers = headers | {"Authorization": f"Bearer {self.token}"}
        last: SyncError | None = None
        for attempt in range(self.backoff.attempts):
            try:
                response = self.http.request(
                    method,
                    self.base_url + path,
                    data=data,
                    params=params or None,
                    headers=headers,
                    timeout=self.timeout,
                    verify=self.verify,
                )
            except requests.exceptions.SSLError as exc:
                raise SyncError(f"与乡镇服务器的安全连接校验失败（证书不受信任）：{exc}") from exc
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                # ChunkedEncodingError: the answer was cut off part way (the link dropped mid-body).
                last = SyncError(
                    f"连不上乡镇服务器（{type(exc).__name__}），数据已保存在本机，稍后自动重试。",
                    offline=True,
                )
                self.backoff.sleep(self.backoff.delay(attempt, None))
                continue
            if response.status_code == 401:
                raise SyncError(
                    "本机未登记、登记已过期或已被乡镇吊销，请联系乡镇信息员重新登记；待上传的数据仍保存在本机。",
                    unauthorised=True,
                )
            if response.status_code in RETRY_STATUSES:
                last = SyncError(
                    f"乡镇服务器暂时无法处理（HTTP {response.status_code}），稍后自动重试。", offline=True
                )
                self.backoff.sleep(self.backoff.delay(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400 and response.status_code not in accept:
                raise SyncError(f"乡镇服务器拒绝了请求（HTTP {response.status_code}）：{_message(response)}")
            return response
        assert last is not None
        raise last

    def _request(
        self, method: str, path: str, answer: type[M], body: BaseModel | None = None, **params: Any
    ) -> M:
        headers = {"Accept": "application/json"}
        data = body.model_dump_json().encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        response = self._send(method, path, headers, data, **params)
        try:
            return answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise _not_our_server() from exc

    def enrol(self, code: str, device_name: str) -> EnrolResponse:
        return self._request(
            "POST", API_PREFIX + "/enrol", EnrolResponse, EnrolRequest(code=code, device_name=device_name)
        )

    def push(self, request: PushRequest) -> PushResponse:
        answer = self._request("POST", API_PREFIX + "/push", PushResponse, request)
        sent = {op.op_id for op in request.operations}
        if answer.batch_id != request.batch_id or {r.op_id for r in answer.results} != sent:
            raise SyncError("乡镇服务器的应答与本次上传不符，本次不算上传成功，稍后重试。", offline=True)
        return answer

    def pull(self, cursor: int, limit: int) -> PullResponse:
        return self._request("GET", API_PREFIX + "/pull", PullResponse, cursor=cursor, limit=limit)

    def server_time(self) -> ServerTime:
        return self._request("GET", API_PREFIX + "/time", ServerTime)

    # -- attachment bytes (see server.blobs) -------------------------------------------------------------------
    def blob_offset(self, sha256: str) -> BlobStatus:
        """How much of blob ``sha256`` the server holds (``size`` is -1 while it is incomplete)."""
        response = self._send("HEAD", _blob_path(sha256), {}, accept=frozenset({404}))
        held = response.headers.get(UPLOAD_OFFSET, "")
        if not held.isdigit():
            if response.status_code == 404:
                raise SyncError("乡镇服务器的版本过旧，不能接收附件文件；请联系信息员升级服务器后再同步。")
            raise _not_our_server()
        complete = response.status_code == 200
        return BlobStatus(
            sha256=sha256, size=int(held) if complete else -1, offset=int(held), complete=complete
        )

    def put_blob(self, sha256: str, start: int, chunk: bytes, total: int) -> BlobStatus:
        """Send ``chunk`` as the bytes from ``start`` of the ``total``-byte blob; the server's offset after it
        (its own offset when it holds another number of bytes than ``start``)."""
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Range": content_range(start, start + len(chunk), total),
        }
        response = self._send("PUT", _blob_path(sha256), headers, chunk, accept=frozenset({409}))
        held = response.headers.get(UPLOAD_OFFSET, "")
        if response.status_code == 409 and held.isdigit():
            return BlobStatus(sha256=sha256, size=total, offset=int(held), complete=False)
        try:
            return BlobStatus.model_validate_json(response.content)
        except ValidationError as exc:
            raise _not_our_server() from exc

    def get_blob(self, sha256: str, start: int) -> tuple[int, bytes, int] | None:
        """Up to ``BLOB_CHUNK`` bytes of blob ``sha256`` from ``start``: (where they start, the bytes, the
        blob's size); None when the server has no such blob for this laptop (not uploaded yet, or not ours)."""
        headers = {"Range": f"bytes={start}-{start + BLOB_CHUNK - 1}"}
        response = self._send("GET", _blob_path(sha256), headers, accept=frozenset({404, 416}))
        if response.status_code == 404:
            return None
        if response.status_code == 416:
            return start, b"", start  # nothing from here on: the caller checks what it has
        if response.status_code == 200:
            return 0, response.content, len(response.content)
        span = parse_content_range(response.headers.get("Content-Range", ""))
        if response.status_code != 206 or span is None or span[1] - span[0] != len(response.content):
            raise _not_our_server()
        return span[0], response.content, span[2]


def _blob_path(sha256: str) -> str:
    return f"{API_PREFIX}/blobs/{sha256}"


def _not_our_server() -> SyncError:
    """A captive portal or proxy answering 200 with its own page is not an answer from our server."""
    return SyncError("收到的不是乡镇服务器的应答（可能是网络登录页面），本次不算上传成功。", offline=True)


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return (
        str(body.get("message") or body.get("detail") or body)[:200]
        if isinstance(body, dict)
        else str(body)[:200]
    )
