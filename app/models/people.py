"""Households (户), persons (人, GB/T 31000), residence-class details and special-group records."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class Household(Synced, Base):
    """A household (户): number, grid, address, type, members through ``Person.household_id``."""

    __tablename__ = "household"
    __record_label__ = "户"
    # Each order the household list sorts in (migration 0004).
    __table_args__ = (
        Index("ix_household_number_id", "number", "id"),
        Index("ix_household_address_id", "address", "id"),
        Index("ix_household_live_grid", "grid_id", sqlite_where=text("deleted = 0")),
    )

    number: Mapped[str] = mapped_column(String(32), index=True, info=label("户号"))
    head_id: Mapped[str | None] = mapped_column(String(36), index=True, info=label("户主"))
    household_type: Mapped[str] = mapped_column(
        String(2), default="1", info=label("户别", codes="HouseholdType")
    )
    group_name: Mapped[str] = mapped_column(String(32), default="", info=label("组/小区"))
    door_number: Mapped[str] = mapped_column(String(32), default="", info=label("门牌号"))
    address: Mapped[str] = mapped_column(String(200), default="", info=label("地址"))
    registry_matches: Mapped[bool] = mapped_column(Boolean, default=True, info=label("人户一致"))
    phone: Mapped[str] = mapped_column(String(20), default="", info=label("联系电话"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, info=label("户标签"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("备注"))


class HouseholdChange(Synced, Base):
    """History of a household: moves between grids, splits, merges, members in and out (append-only)."""

    __tablename__ = "household_change"
    __record_label__ = "户变动记录"

    household_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("household.id"), index=True, info=label("户")
    )
    kind: Mapped[str] = mapped_column(String(16), info=label("变动类型"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=label("变动内容"))
    changed_on: Mapped[date] = mapped_column(Date, info=label("变动日期"))


class Person(Synced, Base):
    """A person (人员) with the GB/T 31000 basic fields."""

    __tablename__ = "person"
    __record_label__ = "人员"
    __table_args__ = (
        Index("ix_person_name_id", "name", "id"),
        Index("ix_person_sex_id", "sex", "id"),
        Index("ix_person_residence_class_id", "residence_class", "id"),
        Index("ix_person_birth_sort", func.ifnull(text("birth_date"), ""), "id"),
        Index("ix_person_live_grid", "grid_id", sqlite_where=text("deleted = 0")),
        # One live person per ID number; a tombstone keeps its number without blocking a new record.
        Index("uq_person_live_id_number", "id_number", unique=True, sqlite_where=text("deleted = 0")),
    )

    household_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("household.id"), index=True, info=label("所属户", identity=True)
    )
    relation: Mapped[str] = mapped_column(
        String(2), default="", info=label("与户主关系", codes="Relation", identity=True)
    )
    id_type: Mapped[str] = mapped_column(String(3), default="111", info=label("证件类型", codes="IdType"))
    id_number: Mapped[str | None] = mapped_column(
        String(32), info=label("证件号码", sensitive=True, identity=True)
    )
    name: Mapped[str] = mapped_column(String(64), info=label("姓名", identity=True))
    former_name: Mapped[str] = mapped_column(String(64), default="", info=label("曾用名"))
    sex: Mapped[str] = mapped_column(String(1), default="0", info=label("性别", codes="Sex"))
    birth_date: Mapped[date | None] = mapped_column(Date, info=label("出生日期", identity=True))
    ethnicity: Mapped[str] = mapped_column(String(2), default="01", info=label("民族", codes="Ethnicity"))
    native_place: Mapped[str] = mapped_column(String(6), default="", info=label("籍贯"))
    marital: Mapped[str] = mapped_column(String(2), default="", info=label("婚姻状况", codes="Marital"))
    political: Mapped[str] = mapped_column(String(2), default="", info=label("政治面貌", codes="Political"))
    education: Mapped[str] = mapped_column(String(2), default="", info=label("学历", codes="Education"))
    religion: Mapped[str] = mapped_column(String(16), default="", info=label("宗教信仰"))
    occupation: Mapped[str] = mapped_column(String(64), default="", info=label("职业"))
    workplace: Mapped[str] = mapped_column(String(100), default="", info=label("服务处所"))
    phone: Mapped[str] = mapped_column(String(20), default="", info=label("联系电话", sensitive=True))
    registered_region: Mapped[str] = mapped_column(String(12), default="", info=label("户籍地"))
    registered_address: Mapped[str] = mapped_column(String(200), default="", info=label("户籍门（楼）详址"))
    residence_region: Mapped[str] = mapped_column(String(12), default="", info=label("现住地"))
    residence_address: Mapped[str] = mapped_column(String(200), default="", info=label("现住门（楼）详址"))
    residence_class: Mapped[str] = mapped_column(
        String(1), default="1", info=label("人口类别", codes="ResidenceClass")
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, info=label("人员标签"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("备注"))


class ResidenceDetail(Synced, Base):
    """The residence class's own fields (流动人口: 流入原因, 办证类型, 住所类型 …; 境外人员; 未落户人员).

    One row per person; ``residence_class`` says which set of fields ``fields`` holds (see app.people_rules).
    """

    __tablename__ = "residence_detail"
    __record_label__ = "人口类别信息"

    person_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("person.id"), unique=True, info=label("人员")
    )
    residence_class: Mapped[str] = mapped_column(String(1), info=label("人口类别", codes="ResidenceClass"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=label("类别信息"))


class SpecialGroupRecord(Synced, Base):
    """A special-group detail record (刑满释放, 社区矫正, 严重精神障碍, 吸毒, 艾滋病危险, 重点青少年, 留守人员).

    Sensitive under PIPL: the whole record is marked sensitive, so audit logs who touched it, never the values.
    """

    __tablename__ = "special_group_record"
    __record_label__ = "特殊人群信息"

    person_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("person.id"), index=True, info=label("人员")
    )
    group_code: Mapped[str] = mapped_column(
        String(16), info=label("人群类别", codes="SpecialGroup", sensitive=True)
    )
    concern_level: Mapped[str] = mapped_column(
        String(2), default="", info=label("关注程度", codes="ConcernDegree", sensitive=True)
    )
    help_situation: Mapped[str] = mapped_column(
        String(2), default="", info=label("帮扶情况", codes="HelpSituation", sensitive=True)
    )
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=label("详细信息", sensitive=True))
