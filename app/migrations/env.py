"""Alembic environment: always run on a connection the app hands over (the keyed, encrypted ledger)."""

from __future__ import annotations

from alembic import context

from app.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("GridDesk migrations run through app.db.upgrade(), on an open ledger connection.")

# Tables kept by hand-written SQL (FTS5 phone and address index): autogenerate must neither drop nor recreate them.
UNMANAGED_PREFIXES = ("person_text_",)


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(UNMANAGED_PREFIXES))


context.configure(
    connection=connection,
    include_name=include_name,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
