"""The encrypted ledger file: no plaintext on disk, clear messages for wrong passphrases and newer schemas,
a copy aside before any upgrade, backups that restore."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select, text

from app import db
from app.errors import StorageError
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import OutboxOp, Person
from app.services import households
from tests.conftest import PASSPHRASE, Township

NAME = "欧阳明轩"
ID_NUMBER = make_id_number("620502", date(1987, 3, 14), 215)


def _register(ledger: Ledger, township: Township, name: str = NAME, id_number: str = ID_NUMBER) -> None:
    with ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="玉泉镇李家村三组12号",
            members=[{"name": name, "id_number": id_number, "relation": "02"}],
        )


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_ledger_file_and_wal_hold_no_plaintext_name_or_id_number(ledger: Ledger, township: Township) -> None:
    _register(ledger, township)
    # Before a checkpoint the row lives in the WAL: both files must be ciphertext.
    raw = _all_bytes(ledger.path.parent)
    assert ledger.path.with_name("ledger.db-wal").exists()
    for secret in (NAME, ID_NUMBER, "玉泉镇李家村"):
        assert secret.encode("utf-8") not in raw
        assert secret.encode("utf-16-le") not in raw
    assert b"SQLite format 3" not in raw
    # The test would notice plaintext: the same data in a plain SQLite file is visible.
    plain = ledger.path.parent / "plain.db"
    conn = sqlcipher3.connect(str(plain))
    conn.execute("CREATE TABLE t(name TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (NAME,))
    conn.commit()
    conn.close()
    assert NAME.encode() in plain.read_bytes()


def test_wrong_passphrase_gives_a_clear_message_not_a_traceback(ledger: Ledger, township: Township) -> None:
    path = ledger.path
    ledger.close()
    with pytest.raises(StorageError, match="口令不正确"):
        Ledger.open(path, "not the passphrase", actor="x")
    with pytest.raises(StorageError, match="未提供台账口令"):
        Ledger.open(path, "", actor="x")
    reopened = Ledger.open(path, PASSPHRASE, actor="x")
    reopened.close()


def test_missing_file_is_not_created_silently(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="找不到台账文件"):
        Ledger.open(tmp_path / "nothing.db", PASSPHRASE, actor="x")
    assert not (tmp_path / "nothing.db").exists()


def test_a_file_from_a_newer_program_is_refused_untouched(ledger: Ledger) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    path = ledger.path
    ledger.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="更新版本"):
        Ledger.open(path, PASSPHRASE, actor="x")
    assert path.read_bytes() == before


def test_pragmas_wal_foreign_keys_and_full_sync_are_on(ledger: Ledger) -> None:
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()


def test_backup_is_encrypted_and_restores_the_ledger(
    ledger: Ledger, township: Township, tmp_path: Path
) -> None:
    _register(ledger, township)
    target = tmp_path / "backup" / "ledger-backup.db"
    db.backup(ledger.engine, target)
    assert NAME.encode() not in target.read_bytes()
    assert not target.with_name(target.name + ".partial").exists()
    # A later change, then restore: the later change is gone, the backed-up one is back.
    _register(ledger, township, name="张后来", id_number=make_id_number("620502", date(1990, 1, 2), 11))
    path = ledger.path
    ledger.close()
    kept = db.restore(path, target, PASSPHRASE)
    assert kept is not None and kept.exists()
    restored = Ledger.open(path, PASSPHRASE, actor="x")
    with restored.read() as session:
        names = set(session.scalars(select(Person.name)))
    restored.close()
    assert names == {NAME}


def test_restore_refuses_a_backup_with_another_passphrase(ledger: Ledger, tmp_path: Path) -> None:
    other = Ledger.open(tmp_path / "other" / "ledger.db", "another passphrase", actor="x", create=True)
    other.close()
    path = ledger.path
    ledger.close()
    with pytest.raises(StorageError, match="口令不正确"):
        db.restore(path, other.path, PASSPHRASE)
    assert path.exists()


def test_integrity_check_reports_a_whole_file_as_whole(ledger: Ledger, township: Township) -> None:
    _register(ledger, township)
    assert db.integrity_check(ledger.engine) == []


def test_an_older_schema_is_copied_aside_before_upgrading(
    ledger: Ledger, township: Township, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program one migration newer opens today's file: the file is copied aside, then upgraded."""
    _register(ledger, township)
    path = ledger.path
    ledger.close()
    newer = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, newer, ignore=shutil.ignore_patterns("__pycache__"))
    head = db.head_revision()
    (newer / "versions" / "9000_add_nickname.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = '9000'\ndown_revision = {head!r}\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('person') as b:\n"
        "        b.add_column(sa.Column('nickname', sa.String(20), nullable=True))\n"
        "def downgrade():\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(db, "MIGRATIONS_DIR", newer)
    with pytest.raises(StorageError, match="griddesk db upgrade"):
        Ledger.open(path, PASSPHRASE, actor="x", upgrade=False)
    upgraded = Ledger.open(path, PASSPHRASE, actor="x")
    assert upgraded.upgraded_from is not None and upgraded.upgraded_from.exists()
    with upgraded.engine.connect() as conn:
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(person)")]
        assert "nickname" in columns
        assert conn.execute(select(func.count()).select_from(Person)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(OutboxOp)).scalar()
    upgraded.close()
    # The copy is the old schema, encrypted, with the data.
    monkeypatch.setattr(db, "MIGRATIONS_DIR", db.Path(db.__file__).parent / "migrations")
    copy = Ledger.open(upgraded.upgraded_from, PASSPHRASE, actor="x", upgrade=False)
    assert db.current_revision(copy.engine) == head
    copy.close()


def test_a_read_during_an_open_write_sees_only_committed_data(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        households.register_household(
            tx, grid_id=township.grid_a.id, members=[{"name": NAME, "relation": "02"}]
        )
        with ledger.read() as session:
            assert session.scalar(select(func.count()).select_from(Person)) == 0
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_second_writer_waits_for_the_first_instead_of_failing(ledger: Ledger, township: Township) -> None:
    """Two programs on one file (two Ledger objects): BEGIN IMMEDIATE queues the second behind the first."""
    import threading

    other = Ledger.open(ledger.path, PASSPHRASE, actor="other")
    first_inside = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        first_inside.wait()
        try:
            with other.write() as tx:
                households.register_household(
                    tx, grid_id=township.grid_a.id, members=[{"name": "李二", "relation": "02"}]
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with ledger.write() as tx:
        households.register_household(
            tx, grid_id=township.grid_a.id, members=[{"name": "张一", "relation": "02"}]
        )
        first_inside.set()
        import time

        time.sleep(0.3)
    thread.join(10)
    other.close()
    assert errors == []
    with ledger.read() as session:
        assert sorted(session.scalars(select(Person.name))) == ["张一", "李二"]


def test_the_newest_migration_file_names_alembics_head() -> None:
    """A start checks the file's revision against the files' names alone: they must name Alembic's head."""
    assert db.newest_file_revision() == db.head_revision()
    for script in (db.MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        assert f'revision = "{script.name[:4]}"' in script.read_text(encoding="utf-8"), script.name
