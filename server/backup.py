"""The server database's history id (epoch), and backup and restore of a SQLite server.

A database restored from an older backup has forgotten changes laptops were told were applied, and its change log
hands out sequence numbers laptops have already pulled past. A new epoch tells them: they pull from the start
and send again what they had sent; the server dedupes what it still has. ``restore`` gives the restored
database a new epoch itself; after a PostgreSQL restore (pg_restore) the IT person runs ``admin new-epoch``.

Both copies use SQLite's online backup API: the backup is consistent while the server runs, and a restore
writes into the live database through SQLite's locks, so a running server reads the restored records at once.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import make_url

from server.store import SCHEMA_KEY, SCHEMA_VERSION, Store, StoreError, meta

POSTGRES_HINT = (
    "这是 PostgreSQL 数据库：请用 pg_dump 备份、pg_restore 恢复；"
    "恢复后运行 python -m server admin new-epoch --url 数据库地址，让笔记本重新同步"
)
_TABLES = ("meta", "devices", "records", "change_log", "applied_ops")


def new_epoch(store: Store) -> str:
    """Give the database a new epoch; laptops then pull from the start and send again. Returns it."""
    epoch = uuid.uuid4().hex
    with store.engine.begin() as conn:
        done = conn.execute(update(meta).where(meta.c.key == "epoch").values(value=epoch))
        if done.rowcount != 1:
            raise StoreError("乡镇服务器尚未初始化（还没有纪元），请先运行 admin init")
    return epoch


def sqlite_file(url: str) -> Path:
    """The file of a SQLite server database; a PostgreSQL URL is refused with what to do instead."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(POSTGRES_HINT)
    if not parsed.database or parsed.database == ":memory:":
        raise StoreError("内存数据库无法备份或恢复，请用 --db 指定数据库文件")
    return Path(parsed.database)


@dataclass(frozen=True)
class Snapshot:
    """What a database file holds, to tell a person what a backup or restore covered."""

    path: Path
    devices: int
    records: int
    last_seq: int

    def describe(self) -> str:
        return f"{self.path}（{self.devices} 台设备，{self.records} 条记录，变更序号到 {self.last_seq}）"


def _check(path: Path, what: str, *, initialised: bool = True) -> Snapshot:
    """``path`` is a sound GridDesk server database, or StoreError says what is wrong with it."""
    if not path.is_file():
        raise StoreError(f"找不到{what} {path}，请检查路径")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise StoreError(f"{what} {path} 已损坏（{verdict}），请换一个备份")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [t for t in _TABLES if t not in tables]
            if missing:
                raise StoreError(f"{what} {path} 不是乡镇同步服务器的数据库（缺少 {'、'.join(missing)} 表）")
            if initialised and conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone() is None:
                raise StoreError(f"{what} {path} 还没有初始化（没有纪元），不能用来恢复")
            layout = conn.execute("SELECT value FROM meta WHERE key = ?", (SCHEMA_KEY,)).fetchone()
            if layout is not None and layout[0] != str(SCHEMA_VERSION):
                raise StoreError(
                    f"{what} {path} 的数据结构版本为 {layout[0]}，本程序只能使用版本 {SCHEMA_VERSION}："
                    "请先安装最新版本的 griddesk-server 再恢复"
                )
            return Snapshot(
                path,
                conn.execute("SELECT count(*) FROM devices").fetchone()[0],
                conn.execute("SELECT count(*) FROM records").fetchone()[0],
                conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0],
            )
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{what} {path} 不是 SQLite 数据库或无法读取（{exc}）") from exc


def _copy(source: Path, target: Path) -> None:
    """Copy a live database into ``target`` through the backup API (a consistent snapshot)."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)


def backup(url: str, target: Path) -> Snapshot:
    """A consistent copy of the server database in ``target`` (a new file), safe while the server runs."""
    source = sqlite_file(url)
    if not source.is_file():
        raise StoreError(f"找不到数据库文件 {source}，请检查 --db")
    if target.exists():
        raise StoreError(f"{target} 已存在：备份不覆盖已有文件，请换一个文件名")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # the backup is one self-contained file
    snapshot = _check(partial, "备份", initialised=False)
    partial.replace(target)
    return Snapshot(target, snapshot.devices, snapshot.records, snapshot.last_seq)


@dataclass(frozen=True)
class Restored:
    restored: Snapshot
    kept: Path | None
    """A copy of the database as it was before the restore (None when there was none)."""
    epoch: str


def restore(url: str, source: Path) -> Restored:
    """Replace the server database's content by the backup ``source``, keep a copy of what it replaced, and give
    it a new epoch so laptops pull from the start and send again what the backup lacks."""
    live = sqlite_file(url)
    snapshot = _check(source, "备份文件")
    kept: Path | None = None
    if live.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kept = live.with_name(f"{live.name}.before-restore-{stamp}")
        backup(url, kept)
    live.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, live)
    store = Store(f"sqlite:///{live}")
    try:
        epoch = new_epoch(store)
    finally:
        store.close()
    return Restored(snapshot, kept, epoch)
