"""The encrypted ledger file: opening it (SQLCipher), pragmas, schema migrations, backup and restore.

One file per profile. Every connection is keyed with the passphrase; the file, its WAL and its backups hold no
plaintext. Writes take ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing half way.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool

from app.errors import PassphraseError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CACHE_KIB = 65536
"""Page cache per connection (64 MiB): encryption costs show on cache misses, so keep the hot pages in memory."""


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # Alembic is imported only to upgrade or inspect the schema (100 ms)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this program knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def newest_file_revision() -> str:
    """The newest revision as the migration files name it (``0005_blob_parts.py`` is revision 0005): what a
    ledger at the newest schema is checked against at every start without loading Alembic."""
    return max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def make_engine(path: Path, passphrase: str) -> Engine:
    """An engine on the encrypted file at ``path``; connections are keyed, checked and tuned as they open."""
    if not passphrase:
        raise PassphraseError("未提供台账口令：请输入口令（或设置环境变量 GRIDDESK_PASSPHRASE）后重试。")
    url = URL.create("sqlite+pysqlcipher", password=passphrase, database=str(path))
    # A small pool of kept connections: key derivation costs ~80 ms per new connection, and a read may run while
    # a write transaction is open (on another connection), which one connection per thread would not allow.
    # Last in, first out: a read takes the connection used last, whose page cache is warm, so a connection opened
    # for a moment of overlap stays idle and small instead of filling a page cache of its own (64 MiB each).
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_use_lifo=True,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        try:
            cur.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except sqlcipher3.DatabaseError as exc:
            raise PassphraseError(
                f"无法打开台账文件 {path}：口令不正确，或该文件不是网格台账数据库。请确认口令后重试；"
                "忘记口令请联系乡镇信息员用备份恢复。"
            ) from exc
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 10000")
        # FULL: a committed save survives a power cut, not just a crash of the program.
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()
        # Let SQLAlchemy's "begin" event decide how a transaction starts (deferred read or immediate write).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        mode = "IMMEDIATE" if options.get("write") else "DEFERRED"
        if options.get("write"):
            # Only a transaction that can be fetched again (a pulled page with its cursor) may skip the fsync;
            # the next FULL commit writes it to disk with its own. Set before BEGIN: it is the connection's.
            conn.exec_driver_sql(
                f"PRAGMA synchronous = {'FULL' if options.get('durable', True) else 'NORMAL'}"
            )
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def unwrap_storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError a connect listener raised, if SQLAlchemy wrapped it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, StorageError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def current_revision(engine: Engine) -> str | None:
    """The file's schema revision (None for a new file), read as Alembic keeps it."""
    with engine.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).first()
        if exists is None:
            return None
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return None if version is None else str(version)


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    """Where the file's schema stands; raises StorageError for a file written by a newer program."""
    current = current_revision(engine)
    if current is not None and current == newest_file_revision():
        return SchemaStatus(current, current)  # the usual start: no need to load the migrations
    if current is not None and current not in _known_revisions():
        raise StorageError(
            f"此台账由更新版本的网格台账创建（数据结构版本 {current}），当前程序无法安全打开。"
            "请先将本机程序升级到最新版本，再打开此台账；台账文件未作任何改动。"
        )
    return SchemaStatus(current, head_revision())


def upgrade(engine: Engine, path: Path) -> Path | None:
    """Bring the schema to head. An existing file is copied aside first; returns the copy's path."""
    status = schema_status(engine)
    if status.up_to_date:
        return None
    copy: Path | None = None
    if status.current is not None:
        copy = backup_path(path, f"before-{status.head}")
        backup(engine, copy)
    from alembic import command

    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(conn), "head")
    return copy


def backup_path(path: Path, reason: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{path.stem}-{stamp}-{reason}.db"


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of the live ledger at ``target``, encrypted with the same passphrase.

    Uses SQLite's online backup, so it is safe while the app is open; the copy is written to a temporary name
    and renamed, so a cut-off backup never looks complete.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with engine.connect() as conn:
        source = conn.connection.dbapi_connection
        assert source is not None
        passphrase = engine.url.password or ""
        dest = sqlcipher3.connect(str(partial))
        try:
            dest.execute("PRAGMA key = " + _quote(passphrase))
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            ok = dest.execute("PRAGMA integrity_check").fetchone()
            if ok is None or ok[0] != "ok":
                raise StorageError(f"备份文件 {target} 校验失败：{ok}")
        finally:
            dest.close()
    partial.replace(target)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def restore(path: Path, source: Path, passphrase: str) -> Path | None:
    """Replace the ledger at ``path`` by the backup ``source`` (checked first); the old file is kept aside."""
    probe = make_engine(source, passphrase)
    try:
        with probe.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        if result != "ok":
            raise StorageError(f"备份文件 {source} 已损坏（{result}），未作恢复。")
        schema_status(probe)
    except (DatabaseError, OperationalError) as exc:
        raise unwrap_storage_error(exc) or StorageError(f"备份文件 {source} 无法读取：{exc}") from exc
    finally:
        probe.dispose()
    kept: Path | None = None
    if path.exists():
        kept = backup_path(path, "before-restore")
        shutil.move(str(path), kept)
        for suffix in ("-wal", "-shm"):
            extra = path.with_name(path.name + suffix)
            if extra.exists():
                shutil.move(str(extra), kept.with_name(kept.name + suffix))
    shutil.copy2(source, path)
    return kept


def integrity_check(engine: Engine) -> list[str]:
    """Problems SQLite finds in the file (empty when whole), plus foreign keys that point nowhere."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        problems = [] if rows == ["ok"] else rows
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
            problems.append(f"外键失效：表 {row[0]} 第 {row[1]} 行引用 {row[2]} 不存在")
    return problems


@contextmanager
def write_connection(engine: Engine, durable: bool = True) -> Iterator[Connection]:
    """A connection whose transaction starts with BEGIN IMMEDIATE (the one-writer lock).

    Not ``durable``: committed without waiting for the disk (SQLite's synchronous = NORMAL in WAL mode). A power
    cut may then undo this transaction, never corrupt the file: only for writes that are fetched again when lost.
    """
    with engine.connect().execution_options(write=True, durable=durable) as conn, conn.begin():
        yield conn


__all__ = [
    "SchemaStatus",
    "backup",
    "head_revision",
    "integrity_check",
    "make_engine",
    "restore",
    "schema_status",
    "upgrade",
    "write_connection",
]
