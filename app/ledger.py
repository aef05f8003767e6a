"""An open ledger: the encrypted file of one profile, its one writer, and sessions for reading.

Everything that reads or writes the ledger starts here::

    ledger = Ledger.open(path, passphrase, actor="zhangsan")
    with ledger.write() as tx:          # the one write path (app.writer.WriteTx)
        persons.register_person(tx, ...)
    with ledger.read() as session:      # reads on their own connection
        search.search_people(session, "zs")
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import app.search  # noqa: F401 - registers the person indexer on the write path
from app import db
from app.bulk import restore_indexes
from app.errors import StorageError
from app.services.reference import seed_reference_data
from app.writer import WriteTx, read_session, write_session


class Ledger:
    """The ledger of one profile. One instance per process per file; writes are serialised by a lock."""

    def __init__(self, engine: Engine, path: Path, actor: str) -> None:
        self.engine = engine
        self.path = path
        self.actor = actor
        self.upgraded_from: Path | None = None
        self._write_lock = threading.Lock()

    @classmethod
    def open(
        cls, path: Path, passphrase: str, *, actor: str, create: bool = False, upgrade: bool = True
    ) -> Ledger:
        """Open (or with ``create`` make) the ledger at ``path``.

        An older schema is upgraded when ``upgrade`` is set, after the file is copied aside; a newer schema, a
        wrong passphrase or a file that is not a ledger raise StorageError with a message for the user.
        """
        path = Path(path)
        if not path.exists() and not create:
            raise StorageError(
                f"找不到台账文件 {path}：请检查配置目录，或先创建台账（griddesk demo 或 db upgrade）。"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = db.make_engine(path, passphrase)
        try:
            status = db.schema_status(engine)
            ledger = cls(engine, path, actor)
            if not status.up_to_date:
                if status.current is not None and not upgrade:
                    raise StorageError(
                        f"台账数据结构为旧版本 {status.current}，需要升级到 {status.head}："
                        "请运行 griddesk db upgrade（升级前会自动备份）。"
                    )
                if status.current is not None:
                    with db.write_connection(engine) as conn:
                        restore_indexes(conn)  # a migration may expect every index of its schema
                ledger.upgraded_from = db.upgrade(engine, path)
                if status.current is None:
                    with ledger.write(actor="system") as tx:
                        seed_reference_data(tx)
        except (DBAPIError, StorageError) as exc:
            engine.dispose()
            if isinstance(exc, StorageError):
                raise
            raise db.unwrap_storage_error(exc) or StorageError(
                f"无法打开台账文件 {path}：{exc.orig}"
            ) from exc
        return ledger

    @contextmanager
    def write(self, actor: str | None = None, durable: bool = True) -> Iterator[WriteTx]:
        """The one write path: a WriteTx committed when the block ends, rolled back if it raises.

        ``durable=False`` only for what is fetched again if a power cut undoes it (see db.write_connection)."""
        with (
            self._write_lock,
            db.write_connection(self.engine, durable) as conn,
            write_session(conn, actor or self.actor) as tx,
        ):
            yield tx

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = read_session(self.engine)
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
