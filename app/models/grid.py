"""The grid tree (网格), staff and their posts (一网三员)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class GridNode(Synced, Base):
    """A node of the grid tree: township/street (1), area (2, rural only), village/community, grid (leaf).

    Urban: 街道 → 社区 → 网格 (3 levels). Rural: 乡镇 → 领导包片区域 → 行政村 → 网格 (4 levels).
    The tree is township reference data: ``grid_id`` is empty, so every laptop of the township receives it and
    only the township changes it.
    """

    __tablename__ = "grid_node"
    __record_label__ = "网格节点"

    code: Mapped[str] = mapped_column(String(18), unique=True, info=label("区划/网格代码"))
    name: Mapped[str] = mapped_column(String(64), info=label("名称"))
    level: Mapped[int] = mapped_column(Integer, info=label("层级"))
    kind: Mapped[str] = mapped_column(String(16), info=label("节点类型", codes="GridLevelKind"))
    urban: Mapped[bool] = mapped_column(Boolean, default=False, info=label("城市网格"))
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("grid_node.id"), index=True, info=label("上级节点")
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0, info=label("排序"))


class Staff(Synced, Base):
    """A grid staff member or township worker (网格员, 代办员, 值班人员)."""

    __tablename__ = "staff"
    __record_label__ = "工作人员"

    name: Mapped[str] = mapped_column(String(32), info=label("姓名"))
    login: Mapped[str] = mapped_column(String(64), unique=True, info=label("登录名"))
    phone: Mapped[str] = mapped_column(String(20), default="", info=label("联系电话"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=label("在岗"))


class GridPost(Synced, Base):
    """One post a staff member holds in one grid (管理员, 协管员, 信息采集员; 一员多能: several allowed)."""

    __tablename__ = "grid_post"
    __record_label__ = "网格岗位"

    staff_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("staff.id"), index=True, info=label("工作人员")
    )
    post: Mapped[str] = mapped_column(String(16), info=label("岗位", codes="StaffPost"))
