"""The township server's HTTP API: enrol, push, pull and time under ``/v1``, plus ``/health``.

Every answer is a protocol model serialised here (FastAPI's default encoder is ~3× slower, PERFORMANCE.md); every
non-2xx answer is an ``ErrorBody`` with a Chinese message. ``response_model`` stays declared so the OpenAPI
document describes the payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.store import Device, EnrolRefused, Store, StoreError
from sync.protocol import (
    API_PREFIX,
    MAX_PAGE,
    PROTOCOL_VERSION,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerTime,
)

UNAUTHORIZED = "设备未登记、登记已过期或已被吊销，请重新登记"

MAX_CURSOR = 2**63 - 1
"""The largest sequence number a database integer holds; a larger cursor is refused (422), not a database error."""

_HEADERS = {"Cache-Control": "no-store"}
"""Sync answers must never come from a cache (a proxy replaying an old pull page would skip nothing but repeat)."""


class ApiError(Exception):
    """An answer other than 2xx: HTTP status, machine code and a Chinese message for the person."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def _json(model: BaseModel | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``model`` as the JSON body of an answer (``bytes`` are JSON already: a pull page, see ``Store.pull``)."""
    return Response(
        content=model if isinstance(model, bytes) else model.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers=_HEADERS | (headers or {}),
    )


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = "Bearer"
    return _json(ErrorBody(code=code, message=message), status, extra)


def _protocol_error(sent: Any) -> ApiError:
    return ApiError(
        400,
        "protocol",
        f"同步协议版本不一致（本机 {sent}，服务器 {PROTOCOL_VERSION}），请升级软件或联系信息员",
    )


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "协议版本不一致"),
        (401, "设备未登记、登记已过期或已被吊销"),
        (422, "请求内容不符合协议"),
    )
}

_HTTP_MESSAGES = {
    404: "没有这个地址，请检查服务器地址是否填对",
    405: "请求方法不对，请升级软件",
}


_bearer = HTTPBearer(auto_error=False, description="设备登记时得到的令牌")


def current_device(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Device:
    """The device whose ``Authorization: Bearer`` token came with the request; 401 if none, unknown or revoked."""
    store: Store = request.app.state.store
    device = store.device_for_token(credentials.credentials) if credentials else None
    if device is None:
        raise ApiError(401, "unauthorized", UNAUTHORIZED)
    return device


Authorised = Annotated[Device, Depends(current_device)]


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="GridDesk 乡镇同步服务",
        version=f"protocol {PROTOCOL_VERSION}",
        description="网格台账的乡镇同步服务：设备登记、推送变更、按序号拉取变更。",
    )
    app.state.store = store

    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, exc: ApiError) -> Response:
        return _error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> Response:
        # A laptop speaking another protocol version is told so, even when its payload no longer fits ours.
        body = exc.body
        if isinstance(body, dict) and body.get("protocol", PROTOCOL_VERSION) != PROTOCOL_VERSION:
            return await on_api_error(_request, _protocol_error(body.get("protocol")))
        errors = exc.errors()
        where = ""
        if errors:
            first = errors[0]
            where = "（" + ".".join(str(p) for p in first.get("loc", ())) + f"：{first.get('msg', '')}）"
        return _error(422, "invalid", f"请求内容不符合同步协议{where}，请升级软件或联系信息员")

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code, f"请求失败（HTTP {exc.status_code}）")
        # Starlette's own headers stay (a 405 names the allowed methods in Allow, RFC 9110).
        return _error(exc.status_code, f"http_{exc.status_code}", message, exc.headers)

    @app.exception_handler(StoreError)
    async def on_store_error(_request: Request, exc: StoreError) -> Response:
        return _error(503, "not_ready", str(exc))

    @app.exception_handler(Exception)
    async def on_crash(_request: Request, _exc: Exception) -> Response:
        return _error(500, "server_error", "乡镇服务器出错，请稍后再同步；多次出现请联系信息员")

    @app.get("/health")
    def health() -> Response:
        return Response(content=b'{"ok":true}', media_type="application/json", headers=_HEADERS)

    @app.post(
        f"{API_PREFIX}/enrol",
        response_model=EnrolResponse,
        responses={403: {"model": ErrorBody, "description": "登记码无效、已用过或已过期"}, **_ERRORS},
    )
    def enrol(body: EnrolRequest) -> Response:
        """Enrol a laptop with a one-time code from the township; answers its token (shown only once)."""
        try:
            answer = store.enrol(body.code, body.device_name)
        except EnrolRefused as exc:
            raise ApiError(403, "enrol_refused", str(exc)) from exc
        return _json(answer)

    @app.post(f"{API_PREFIX}/push", response_model=PushResponse, responses=_ERRORS)
    def push(body: PushRequest, device: Authorised) -> Response:
        """Apply a batch of operations; each is answered applied / duplicate / conflict / rejected."""
        if body.protocol != PROTOCOL_VERSION:
            raise _protocol_error(body.protocol)
        return _json(store.push(device, body))

    @app.get(f"{API_PREFIX}/pull", response_model=PullResponse, responses=_ERRORS)
    def pull(
        device: Authorised,
        cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="上次拉取返回的 cursor；首次为 0")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="本页最多几条变更")] = MAX_PAGE,
    ) -> Response:
        """Changes after ``cursor`` in commit order, for this device's grids and the township's reference data."""
        return _json(store.pull(device, cursor, limit))

    @app.get(f"{API_PREFIX}/time", response_model=ServerTime, responses=_ERRORS)
    def server_time(device: Authorised) -> Response:
        """The server's clock (UTC) and epoch, so a laptop can warn when its own clock is far off."""
        return _json(ServerTime(now=datetime.now(UTC), epoch=store.epoch()))

    from server.blobs import add_blob_routes  # it builds on this module's errors and authorisation

    add_blob_routes(app, store)
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the sync API (``python -m server openapi``; committed as server/openapi.json)."""
    store = Store("sqlite://")  # the routes need a store to exist, not a database to read
    try:
        return create_app(store).openapi()
    finally:
        store.close()
