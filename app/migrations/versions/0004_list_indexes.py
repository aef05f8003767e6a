"""indexes for the paged lists' sort orders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Every order a list can be sorted in has an index on (sort value, id), so a page in either direction is an index
range read wherever it starts (app.repositories.list_page). A birth date may be missing: its index is on
``ifnull(birth_date, '')``, the very expression the list sorts on, so keyset comparisons never meet NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_household_number_id", "household", ("number", "id")),
    ("ix_household_address_id", "household", ("address", "id")),
    ("ix_person_sex_id", "person", ("sex", "id")),
    ("ix_person_residence_class_id", "person", ("residence_class", "id")),
    ("ix_place_name_id", "place", ("name", "id")),
    ("ix_place_kind_id", "place", ("kind", "id")),
    ("ix_place_address_id", "place", ("address", "id")),
    ("ix_organisation_name_id", "organisation", ("name", "id")),
    ("ix_organisation_kind_id", "organisation", ("kind", "id")),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns), unique=False)
    op.create_index("ix_person_birth_sort", "person", [sa.text("ifnull(birth_date, '')"), "id"], unique=False)
    # The tree's counts per grid, read from the index alone.
    for table in ("household", "person"):
        op.create_index(f"ix_{table}_live_grid", table, ["grid_id"], sqlite_where=sa.text("deleted = 0"))


def downgrade() -> None:
    for table in ("household", "person"):
        op.drop_index(f"ix_{table}_live_grid", table_name=table)
    op.drop_index("ix_person_birth_sort", table_name="person")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
