"""The grid tree, staff and posts (一网三员). Reference data the township owns; laptops receive it through sync."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.errors import ValidationError
from app.ids import uuid7
from app.models import GridNode, GridPost, Staff
from app.services.common import live, require_text
from app.writer import WriteTx

LEVELS = {"township": 1, "street": 1, "area": 2, "village": 3, "community": 2, "grid": 0}
"""Level of each node kind; a grid is one below its parent (3 urban, 4 rural)."""


def create_grid_node(
    tx: WriteTx, *, code: str, name: str, kind: str, parent_id: str | None = None, **values: Any
) -> GridNode:
    """Add a node to the grid tree; a grid's code extends its parent village or community code."""
    record = f"网格节点“{name}”"
    name = require_text(GridNode, "name", name, record)
    code = str(code).strip()
    parent = live(tx, GridNode, parent_id, "parent_id", record) if parent_id else None
    if kind in ("township", "street", "village", "community") and not re.fullmatch(r"\d{12}", code):
        raise ValidationError("code", "区划代码", f"应为 12 位统计用区划代码，现在是“{code}”。", record)
    if kind == "grid" and (
        parent is None
        or not code.startswith(parent.code)
        or not re.fullmatch(r"\d{3}", code[len(parent.code) :])
    ):
        raise ValidationError("code", "网格代码", "应为上级村（社区）代码后加 3 位数字。", record)
    if tx.session.scalar(select(GridNode.id).where(GridNode.code == code)):
        raise ValidationError("code", "区划/网格代码", f"{code} 已存在，请核对。", record)
    level = parent.level + 1 if parent else LEVELS.get(kind, 1)
    node_id = values.pop("id", None) or uuid7()
    urban = parent.urban if parent else kind == "street"
    return tx.create(
        GridNode(id=node_id, code=code, name=name, kind=kind, parent_id=parent_id, level=level, urban=urban,
                 **values)
    )  # fmt: skip


def create_staff(tx: WriteTx, *, name: str, login: str, phone: str = "") -> Staff:
    """A staff member. The staff directory is township reference data (no grid of its own: every laptop has all
    of it, so an errand's agent or a log's recorder from another grid is always known); posts tie staff to grids."""
    record = f"工作人员“{name}”"
    login = require_text(Staff, "login", login, record)
    if tx.session.scalar(select(Staff.id).where(Staff.login == login)):
        raise ValidationError("login", "登录名", f"“{login}”已被使用，请换一个。", record)
    return tx.create(
        Staff(name=require_text(Staff, "name", name, record), login=login, phone=phone, grid_id=None)
    )


def assign_post(tx: WriteTx, staff: Staff, grid_id: str, post: str) -> GridPost:
    """Give ``staff`` a post in a grid (一员多能: one person may hold several posts)."""
    existing = tx.session.scalar(
        select(GridPost).where(
            GridPost.staff_id == staff.id,
            GridPost.grid_id == grid_id,
            GridPost.post == post,
            GridPost.deleted.is_(False),
        )
    )
    if existing is not None:
        return existing
    live(tx, GridNode, grid_id, "grid_id", f"工作人员“{staff.name}”")
    return tx.create(GridPost(staff_id=staff.id, grid_id=grid_id, post=post))


def remove_post(tx: WriteTx, post: GridPost) -> None:
    tx.delete(post)
