"""The command line IT staff use: exit codes, JSON output, and non-interactive use through the environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app import cli
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import AuditEntry
from app.services import persons
from tests.conftest import PASSPHRASE, build_township

VALID = make_id_number("620502", date(1962, 7, 15), 37)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_id_reports_each_number_and_fails_if_any_is_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "check-id",
        "--json",
        VALID,
        "6.20502E+17",
        VALID[:17] + "0" if VALID[17] != "0" else VALID[:17] + "1",
    )
    data = json.loads(out)
    assert code == cli.EXIT_NO
    assert data[0] == {
        "input": VALID, "valid": True, "number": VALID, "birth_date": "1962-07-15", "sex": "男",
        "region_code": "620502", "region": "甘肃省天水市秦州区", "converted_from_15": False,
    }  # fmt: skip
    assert data[1]["valid"] is False and "文本" in data[1]["reason"]
    assert data[2]["valid"] is False and "校验码" in data[2]["reason"]
    assert run(capsys, "check-id", VALID.lower())[0] == cli.EXIT_OK


def test_workdays_add_says_whether_the_year_is_published(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "workdays", "add", "2026-09-30", "2", "--json")
    assert code == 0 and json.loads(out)["day"] == "2026-10-09" and json.loads(out)["calendar"] == "published"
    code, out, _ = run(capsys, "workdays", "add", "2027-12-30", "1", "--json")
    data = json.loads(out)
    assert (
        data["day"] == "2027-12-31" and data["calendar"] == "estimated" and data["estimated_years"] == [2027]
    )
    with pytest.raises(SystemExit) as exited:
        cli.main(["workdays", "add", "30/09/2026", "2"])
    assert exited.value.code == cli.EXIT_USAGE and "2026-10-09" in capsys.readouterr().err


@pytest.fixture
def profile(tmp_path: Path, empty_ledger_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "profile"
    folder.mkdir()
    shutil.copyfile(empty_ledger_file, folder / "ledger.db")
    ledger = Ledger.open(folder / "ledger.db", PASSPHRASE, actor="it")
    township = build_township(ledger)
    with ledger.write() as tx:
        persons.register_person(
            tx, grid_id=township.grid_a.id, name="欧阳娜", id_number=VALID, phone="13809381234"
        )
    ledger.close()
    monkeypatch.setenv("GRIDDESK_PASSPHRASE", PASSPHRASE)
    return folder


def test_search_masks_id_numbers_unless_asked_and_audited(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    code, out, _ = run(capsys, "--profile", str(profile), "search", "--json", "oyn")
    data = json.loads(out)
    assert code == 0 and data["count"] == 1
    person = data["people"][0]
    assert person["name"] == "欧阳娜" and person["id_number"] == VALID[:6] + "********" + VALID[-4:]
    assert person["phone"] == "138****1234"
    code, out, _ = run(capsys, "--profile", str(profile), "search", "--json", "--full", VALID[-6:])
    assert json.loads(out)["people"][0]["id_number"] == VALID
    ledger = Ledger.open(profile / "ledger.db", PASSPHRASE, actor="it")
    with ledger.read() as session:
        views = session.scalars(select(AuditEntry.fields).where(AuditEntry.action == "view")).all()
    ledger.close()
    assert views == [["id_number", "phone"]]


def test_db_check_backup_restore_and_upgrade(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--profile", str(profile), "db", "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["problems"] == [] and data["people"] == 1 and data["schema_up_to_date"]
    backup = tmp_path / "b" / "copy.db"
    assert run(capsys, "--profile", str(profile), "db", "backup", str(backup))[0] == 0
    assert backup.exists()
    assert run(capsys, "--profile", str(profile), "db", "restore", str(backup), "--json")[0] == 0
    code, out, _ = run(capsys, "--profile", str(profile), "db", "upgrade", "--json")
    assert code == 0 and json.loads(out)["backup"] is None


def test_a_wrong_passphrase_exits_3_with_a_message(
    capsys: pytest.CaptureFixture[str], profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDDESK_PASSPHRASE", "wrong")
    code, _out, err = run(capsys, "--profile", str(profile), "db", "check")
    assert code == cli.EXIT_STORAGE and "口令不正确" in err and "Traceback" not in err


def test_without_a_terminal_a_missing_passphrase_is_explained(
    capsys: pytest.CaptureFixture[str], profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRIDDESK_PASSPHRASE")
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run(capsys, "--profile", str(profile), "search", "张")
    assert code == cli.EXIT_STORAGE and "GRIDDESK_PASSPHRASE" in err


def test_the_installed_command_runs_as_a_program(profile: Path) -> None:
    env = os.environ | {"GRIDDESK_PROFILE": str(profile), "GRIDDESK_PASSPHRASE": PASSPHRASE}
    result = subprocess.run(
        [sys.executable, "-m", "ui.entry", "search", "--json", "娜"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["people"][0]["name"] == "欧阳娜"


def test_an_administrator_sets_a_holiday_and_the_profile_calendar_follows(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    base = ["--profile", str(profile), "workdays"]
    assert json.loads(run(capsys, *base, "add", "2026-09-30", "2", "--json")[1])["day"] == "2026-10-09"
    assert run(capsys, *base, "set", "2026-10-09", "holiday", "临时调整")[0] == 0
    data = json.loads(run(capsys, *base, "add", "2026-09-30", "2", "--json")[1])
    assert data["day"] == "2026-10-10" and data["source"] == "profile"
    assert run(capsys, *base, "set", "2026-10-09", "clear")[0] == 0
    assert json.loads(run(capsys, *base, "add", "2026-09-30", "2", "--json")[1])["day"] == "2026-10-09"
