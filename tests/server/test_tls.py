"""HTTPS between laptops and the township server: ``serve --certfile --keyfile`` with a throwaway CA made here
(trustme), the real server as a subprocess on loopback and an encrypted laptop ledger. A laptop given the
township's CA file enrols and syncs; one that trusts only the system CAs is refused with the Chinese certificate
message and sends nothing; switching verification off is refused outright."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from sqlalchemy import func, select

from app.ledger import Ledger
from app.models import OutboxOp
from server.store import Store, records
from sync.client import SyncClient, SyncError
from sync.engine import enrol, read_state, run_sync
from tests.conftest import PASSPHRASE, build_township

ROOT = Path(__file__).resolve().parents[2]
UNTRUSTED = "与乡镇服务器的安全连接校验失败（证书不受信任）"


@dataclass
class Certificates:
    ca: Path
    cert: Path
    key: Path
    other_key: Path
    """A key that does not belong to ``cert``."""


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA(organization_name="天水市测试乡镇 CA")
    issued = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    (folder / "server.pem").write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    issued.private_key_pem.write_to_path(str(folder / "server.key"))
    ca.issue_cert("127.0.0.1").private_key_pem.write_to_path(str(folder / "other.key"))
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "other.key")


@dataclass
class HttpsServer:
    url: str
    store: Store
    """The server's database opened in the test process, for enrol codes and for looking at what arrived."""

    def record_count(self) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(records)).scalar_one())


def _first_line(process: subprocess.Popen[str], seconds: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        return ""


@pytest.fixture
def https_server(tmp_path: Path, certificates: Certificates) -> Iterator[HttpsServer]:
    db = f"sqlite:///{tmp_path / 'server.db'}"
    store = Store(db)
    store.init_township([])
    errors = tmp_path / "server.err"
    with errors.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--url", db, "--host", "127.0.0.1", "--port", "0",
             "--certfile", str(certificates.cert), "--keyfile", str(certificates.key)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
        try:
            line = _first_line(process, 30)
            assert line.startswith("listening on https://127.0.0.1:"), f"{line!r}\n{errors.read_text()}"
            yield HttpsServer(line.split()[-1], store)
        finally:
            process.kill()
            process.wait()
            store.close()
    assert "Traceback" not in errors.read_text(), errors.read_text()


def pending(ledger: Ledger) -> int:
    with ledger.read() as session:
        query = select(func.count()).select_from(OutboxOp).where(OutboxOp.state == "pending")
        return int(session.scalar(query) or 0)


def enrol_command(server: HttpsServer, ledger: Ledger, ca_file: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """``griddesk --profile DIR enrol --server URL --code CODE --ca-file CA_FILE``, with a township code."""
    from ui.entry import main

    monkeypatch.setenv("GRIDDESK_PASSPHRASE", PASSPHRASE)
    code = server.store.create_enrol_code([], township=True)
    folder = str(ledger.path.parent)
    return main(["--profile", folder, "enrol", "--server", server.url, "--code", code, "--ca-file", ca_file])


def test_a_laptop_given_the_township_ca_file_enrols_and_syncs_over_https(
    https_server: HttpsServer,
    certificates: Certificates,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert enrol_command(https_server, ledger, str(certificates.ca), monkeypatch) == 0
    assert "已登记到" in capsys.readouterr().out
    with ledger.read() as session:
        assert read_state(session)["verify"] == str(certificates.ca)

    build_township(ledger)
    waiting = pending(ledger)
    report = run_sync(ledger)  # the client made from the ledger's state, CA file included
    assert report.applied == waiting > 0 and report.needs_person == 0
    assert pending(ledger) == 0
    assert https_server.record_count() == waiting


def test_the_enrol_command_refuses_a_ca_file_that_is_not_there(
    https_server: HttpsServer,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert enrol_command(https_server, ledger, "no-such-ca.pem", monkeypatch) == 6
    assert "找不到 --ca-file 指定的证书文件 no-such-ca.pem" in capsys.readouterr().err
    with ledger.read() as session:
        assert "token" not in read_state(session)


def test_a_laptop_trusting_only_the_system_cas_is_refused_and_sends_nothing(
    https_server: HttpsServer, certificates: Certificates, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    code = https_server.store.create_enrol_code([], township=True)
    with pytest.raises(SyncError, match=UNTRUSTED) as refused:
        enrol(ledger, https_server.url, code, "系统证书的笔记本")
    assert not refused.value.offline
    with ledger.read() as session:
        assert "token" not in read_state(session)
    # The server never saw the enrolment: the code is still unused.
    enrol(ledger, https_server.url, code, "乡镇办公室", verify=str(certificates.ca))

    build_township(ledger)
    waiting = pending(ledger)
    with ledger.read() as session:
        token = read_state(session)["token"]
    system_only = SyncClient(https_server.url, token)
    with pytest.raises(SyncError, match=UNTRUSTED):
        run_sync(ledger, system_only)
    system_only.close()
    assert pending(ledger) == waiting
    assert https_server.record_count() == 0


def test_switching_certificate_verification_off_is_refused(https_server: HttpsServer, ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="never switched off"):
        SyncClient(https_server.url, verify=False)
    code = https_server.store.create_enrol_code([], township=True)
    with pytest.raises(ValueError, match="never switched off"):
        enrol(ledger, https_server.url, code, "不校验证书的笔记本", verify=False)
    with ledger.read() as session:
        assert "token" not in read_state(session)


def test_serve_refuses_a_key_that_does_not_match_the_certificate(
    tmp_path: Path, certificates: Certificates
) -> None:
    base = [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "s.db"), "--port", "0"]
    mismatched = subprocess.run(
        [*base, "--certfile", str(certificates.cert), "--keyfile", str(certificates.other_key)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert mismatched.returncode == 2
    assert "无法加载 HTTPS 证书或私钥" in mismatched.stderr
    alone = subprocess.run(
        [*base, "--certfile", str(certificates.cert)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert alone.returncode == 2
    assert "--certfile 和 --keyfile 要一起给" in alone.stderr
