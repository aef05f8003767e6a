"""One background sync as the desk runs it, free of Qt: prove the township server is there with a quick
``GET /health`` (an offline laptop does not sit through the engine's retries), push and pull, then measure the
laptop's clock against the server's. Messages are Chinese, for people, like the engine's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests

from app.ledger import Ledger
from sync.client import SyncClient, SyncError
from sync.clock import check_clock
from sync.engine import SyncReport, client_for, run_sync
from sync.status import remember_failure

OFFLINE_MESSAGE = "连不上乡镇服务器，数据已保存在本机，网络恢复后自动同步。"

PROBE_TIMEOUT = (2.0, 3.0)
"""Connect and read timeouts of the health probe (seconds): short, it only proves the server is there."""


@dataclass(frozen=True)
class SyncOutcome:
    report: SyncReport
    clock_offset: float | None
    """The server's clock minus this laptop's (seconds), measured after the run; None if it could not be."""


def probe(ledger: Ledger, client: SyncClient) -> None:
    """Raise SyncError (offline) unless the township server answers its health check, and say so in the status."""
    try:
        response = client.http.get(client.base_url + "/health", timeout=PROBE_TIMEOUT, verify=client.verify)
        body = response.json() if response.ok else None
    except requests.exceptions.SSLError:
        return  # not a network problem: the run itself reports the certificate
    except (requests.RequestException, ValueError):
        body = None
    if isinstance(body, dict) and body.get("ok") is True:
        return
    remember_failure(ledger, OFFLINE_MESSAGE, offline=True)
    raise SyncError(OFFLINE_MESSAGE, offline=True)


def sync_once(ledger: Ledger, progress: Callable[[str, int], None] | None = None) -> SyncOutcome:
    """Probe, push and pull, then measure the clock: the worker's whole job, free of Qt. Raises SyncError."""
    client = client_for(ledger)
    try:
        probe(ledger, client)
        report = run_sync(ledger, client, progress)
        try:
            offset: float | None = check_clock(ledger, client)
        except SyncError:
            offset = None
        return SyncOutcome(report, offset)
    finally:
        client.close()
