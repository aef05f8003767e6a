"""Errands (代办式服务): the item catalogue, errands and their steps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class ErrandItem(Synced, Base):
    """An item of the errand catalogue (代办事项目录) with its required materials. Township reference data."""

    __tablename__ = "errand_item"
    __record_label__ = "代办事项"

    category: Mapped[str] = mapped_column(
        String(16), index=True, info=label("事项类别", codes="ErrandCategory")
    )
    name: Mapped[str] = mapped_column(String(100), info=label("事项名称"))
    materials: Mapped[list[str]] = mapped_column(JSON, default=list, info=label("所需材料"))
    in_person: Mapped[bool] = mapped_column(Boolean, default=False, info=label("需本人办理"))
    office: Mapped[str] = mapped_column(String(100), default="", info=label("办理单位"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, info=label("排序"))


class Errand(Synced, Base):
    """An errand (代办): a villager's request carried from the doorstep to the township and back."""

    __tablename__ = "errand"
    __record_label__ = "代办件"

    person_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("person.id"), index=True, info=label("申请人")
    )
    applicant_name: Mapped[str] = mapped_column(String(64), info=label("申请人姓名"))
    applicant_phone: Mapped[str] = mapped_column(String(20), default="", info=label("申请人电话"))
    item_id: Mapped[str] = mapped_column(String(36), ForeignKey("errand_item.id"), info=label("代办事项"))
    agent_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("staff.id"), info=label("代办员"))
    state: Mapped[str] = mapped_column(String(16), default="registered", index=True, info=label("办理状态"))
    registered_on: Mapped[date] = mapped_column(Date, info=label("登记日期"))
    materials_received: Mapped[list[str]] = mapped_column(JSON, default=list, info=label("已收材料"))
    completed_on: Mapped[date | None] = mapped_column(Date, info=label("办结日期"))
    return_due: Mapped[date | None] = mapped_column(Date, index=True, info=label("应返还日期"))
    return_due_estimated: Mapped[bool] = mapped_column(Boolean, default=False, info=label("返还日期为估算"))
    returned_on: Mapped[date | None] = mapped_column(Date, info=label("返还日期"))
    evaluation: Mapped[str] = mapped_column(String(8), default="", info=label("评价"))
    guidance: Mapped[str] = mapped_column(Text, default="", info=label("办理指引"))
    reason: Mapped[str] = mapped_column(Text, default="", info=label("补件/不予办理原因"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("备注"))


class ErrandStep(Synced, Base):
    """One move of an errand through its workflow, with its note. Append-only."""

    __tablename__ = "errand_step"
    __record_label__ = "代办记录"

    errand_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("errand.id"), index=True, info=label("代办件")
    )
    action: Mapped[str] = mapped_column(String(16), info=label("操作"))
    from_state: Mapped[str] = mapped_column(String(16), info=label("原状态"))
    to_state: Mapped[str] = mapped_column(String(16), info=label("新状态"))
    acted_on: Mapped[date] = mapped_column(Date, info=label("日期"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("说明"))
