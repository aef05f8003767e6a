"""Places and things (地、物): buildings, rental housing, complex places, hot spots, service points; organisations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class Place(Synced, Base):
    """A place: ``kind`` is building, rental (出租屋), complex (复杂场所), hotspot, facility or service_point.

    ``category`` holds the kind's own classification (出租用途 for rental housing, 服务圈 category for service
    points, 涉及区域类型 for hot spots); ``fields`` the kind's further details.
    """

    __tablename__ = "place"
    __record_label__ = "场所"
    # Each order the place list sorts in (migration 0004).
    __table_args__ = (
        Index("ix_place_name_id", "name", "id"),
        Index("ix_place_kind_id", "kind", "id"),
        Index("ix_place_address_id", "address", "id"),
    )

    kind: Mapped[str] = mapped_column(String(16), index=True, info=label("场所类型", codes="PlaceKind"))
    name: Mapped[str] = mapped_column(String(100), info=label("名称"))
    address: Mapped[str] = mapped_column(String(200), default="", info=label("地址"))
    category: Mapped[str] = mapped_column(String(16), default="", info=label("类别"))
    owner_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("person.id"), info=label("房主/负责人")
    )
    owner_name: Mapped[str] = mapped_column(String(64), default="", info=label("房主/负责人姓名"))
    phone: Mapped[str] = mapped_column(String(20), default="", info=label("联系电话"))
    hidden_danger: Mapped[str] = mapped_column(
        String(2), default="00", info=label("隐患类型", codes="HiddenDangerType")
    )
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=label("详细信息"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("备注"))


class Tenancy(Synced, Base):
    """A tenant living in rental housing (出租屋承租人), from a date to a date."""

    __tablename__ = "tenancy"
    __record_label__ = "承租记录"

    place_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("place.id"), index=True, info=label("出租屋")
    )
    person_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("person.id"), index=True, info=label("承租人")
    )
    start_on: Mapped[date | None] = mapped_column(Date, info=label("起租日期"))
    end_on: Mapped[date | None] = mapped_column(Date, info=label("退租日期"))


class Organisation(Synced, Base):
    """An organisation (组织): the rural 7+1, 两新组织 (non-public enterprises, social organisations)."""

    __tablename__ = "organisation"
    __record_label__ = "组织"
    __table_args__ = (
        Index("ix_organisation_name_id", "name", "id"),
        Index("ix_organisation_kind_id", "kind", "id"),
    )

    kind: Mapped[str] = mapped_column(String(32), index=True, info=label("组织类别", codes="OrgKind"))
    name: Mapped[str] = mapped_column(String(100), info=label("名称"))
    credit_code: Mapped[str] = mapped_column(String(18), default="", info=label("统一社会信用代码"))
    leader_name: Mapped[str] = mapped_column(String(64), default="", info=label("负责人"))
    phone: Mapped[str] = mapped_column(String(20), default="", info=label("联系电话"))
    address: Mapped[str] = mapped_column(String(200), default="", info=label("地址"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=label("详细信息"))


class Membership(Synced, Base):
    """A person's membership of an organisation, with a role (主任, 成员 …)."""

    __tablename__ = "membership"
    __record_label__ = "组织成员"

    organisation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organisation.id"), index=True, info=label("组织")
    )
    person_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("person.id"), index=True, info=label("成员")
    )
    role: Mapped[str] = mapped_column(String(32), default="成员", info=label("职务"))
