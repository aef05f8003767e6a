"""Township reference data published from the server's admin command: the grid tree, staff and their posts, code
tables, the holiday calendar and the errand catalogue. Every enrolled laptop receives it on its next pull.

A publication is a list of operations pushed through ``Store.push`` by the township administrator's device, the
one path a laptop's push takes too: dedupe, versions, three-way merge and the change log stay in one place. Each
published row becomes a create, or an update whose old values are the server's current ones (so a laptop's
change made meanwhile comes back as a conflict, never silently overwritten); an unchanged row becomes nothing, so
publishing the same file again adds nothing to the change log.

Ids are the laptops' ids. A row the server already has under the same natural key (a grid's code, a person's
login, a code's table and code, a day …) keeps its id; otherwise it gets the fixed UUIDv5 of
``app.services.reference.reference_id``, which is what every laptop gives its bundled rows (codes, holidays): a
published row updates the bundled one instead of adding a twin. A bundled row is on every laptop at version 1 but
not on the server; changing it is published as the create every laptop already has (version 1, skipped there)
followed by the update (version 2, applied there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app import codes
from app.ids import uuid7
from app.models import (
    CalendarDay,
    CalendarYear,
    CodeEntry,
    DeadlineRule,
    ErrandItem,
    GridNode,
    GridPost,
    Staff,
    Synced,
)
from app.services.reference import DEFAULT_DEADLINES, reference_id
from app.workdays import bundled_special_days, bundled_years
from app.writer import entity_of, field_columns, to_json
from server.store import Device, Store, records, same_value, utcnow
from server.township_file import (
    CodeRow,
    DayRow,
    DeadlineRow,
    ItemRow,
    KnownNode,
    PostRow,
    TownshipFile,
    post_label,
)
from sync.protocol import PROTOCOL_VERSION, TOWNSHIP, Operation, OpStatus, PushRequest

ADMIN_ACTOR = "乡镇管理员"
"""Who the change log and the laptops name as the author of a publication."""
ADMIN_DEVICE_ID = reference_id("device", "township-admin")


def admin_device() -> Device:
    """The township administrator's device: every grid and the township's reference data (never stored)."""
    return Device(
        id=ADMIN_DEVICE_ID, name="乡镇管理员（服务器 admin 命令）", grids=[TOWNSHIP], revoked=False,
        created_at=utcnow(),
    )  # fmt: skip


# -- the server's records as they are now ----------------------------------------------------------------
@dataclass(frozen=True)
class Current:
    record_id: str
    grid_id: str | None
    version: int
    deleted: bool
    values: dict[str, Any]


def _key(values: Mapping[str, Any], fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(values.get(f)) for f in fields)


class ServerRecords:
    """Records of the kinds a publication touches, read once before it is planned. Anything changed after that
    is caught by the push's three-way merge (a conflict), not lost."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._by_id: dict[str, dict[str, Current]] = {}
        self._by_key: dict[tuple[str, tuple[str, ...]], dict[tuple[str, ...], Current]] = {}

    def of(self, model: type[Synced]) -> dict[str, Current]:
        entity = entity_of(model)
        found = self._by_id.get(entity)
        if found is None:
            query = select(records).where(records.c.entity == entity).order_by(records.c.record_id)
            with self.store.engine.connect() as conn:
                rows = conn.execute(query).all()
            found = self._by_id[entity] = {
                r.record_id: Current(r.record_id, r.grid_id, r.version, r.deleted, dict(r.values))
                for r in rows
            }
        return found

    def find(self, model: type[Synced], fields: tuple[str, ...], key: Sequence[Any]) -> Current | None:
        """The record whose ``fields`` hold ``key`` (a live one before a deleted one)."""
        index = self._by_key.get((entity_of(model), fields))
        if index is None:
            index = {}
            for current in sorted(self.of(model).values(), key=lambda c: not c.deleted):
                index.setdefault(_key(current.values, fields), current)
            self._by_key[(entity_of(model), fields)] = index
        return index.get(tuple(str(k) for k in key))

    def resolve(
        self, model: type[Synced], fields: tuple[str, ...], key: Sequence[Any], default_id: str
    ) -> str:
        """The id a published row takes: its fixed id if the server has that record, else the id of the record
        with the same natural key, else the fixed id."""
        if default_id in self.of(model):
            return default_id
        same = self.find(model, fields, key)
        return same.record_id if same is not None else default_id

    def known_nodes(self) -> dict[str, KnownNode]:
        """The live grid nodes by code, for checking a file that hangs new nodes under them."""
        nodes = {c.record_id: c for c in self.of(GridNode).values() if not c.deleted}
        return {
            str(c.values["code"]): KnownNode(
                str(c.values["code"]), str(c.values.get("name", "")), str(c.values.get("kind", "")),
                int(c.values.get("level") or 0), bool(c.values.get("urban")),
            )
            for c in nodes.values()
            if c.values.get("code")
        }  # fmt: skip

    def grid_id(self, code: str) -> str | None:
        found = self.find(GridNode, ("code",), (code,))
        return found.record_id if found is not None and not found.deleted else None


def resolve_grids(store: Store, values: Iterable[str]) -> list[str]:
    """Grid ids for ``values`` that are ids or grid codes (a code the server knows becomes its node's id)."""
    server = ServerRecords(store)
    return [server.grid_id(v) or v for v in values]


# -- a publication: operations planned against the server's records --------------------------------------
def wire_values(model: type[Synced], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of ``model`` as a laptop's create sends it (JSON form, column defaults filled in), without
    ``deleted``, which travels beside the values."""
    columns = field_columns(model)
    unknown = set(values) - set(columns)
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    found: dict[str, Any] = {}
    for name, column in columns.items():
        if name == "deleted":
            continue
        default: Any = column.default
        fallback = getattr(default, "arg", None)
        if getattr(default, "is_callable", False):
            fallback = default.arg(None)  # SQLAlchemy wraps a callable default to take the execution context
        found[name] = to_json(values.get(name, fallback))
    return found


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class Outcome:
    """What a publication did: counts of records, and the Chinese reasons of operations the server refused."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not (self.created or self.updated or self.deleted):
            return f"没有变化（{self.unchanged} 条与服务器上相同），未发布任何内容"
        done = f"已发布：新增 {self.created} 条，修改 {self.updated} 条，删除 {self.deleted} 条"
        return done + (f"，{self.unchanged} 条没有变化" if self.unchanged else "")


class Publication:
    """Operations that make the server's records what a file says, in the order they must be applied."""

    def __init__(self, server: ServerRecords) -> None:
        self.server = server
        self.ops: list[Operation] = []
        self.labels: dict[str, str] = {}
        self.outcome = Outcome()

    def _op(
        self,
        kind: str,
        model: type[Synced],
        record_id: str,
        grid_id: str | None,
        changes: dict[str, list[Any]],
        base_version: int,
        label: str,
    ) -> None:
        op = Operation(
            op_id=uuid7(), entity=entity_of(model), record_id=record_id, grid_id=grid_id, kind=kind,  # type: ignore[arg-type]
            changes=changes, base_version=base_version, created_at=utcnow(), actor=ADMIN_ACTOR,
        )  # fmt: skip
        self.ops.append(op)
        self.labels[op.op_id] = label

    def _create(self, model: type[Synced], record_id: str, values: dict[str, Any], label: str) -> None:
        changes = {name: [None, v] for name, v in values.items() if not _empty(v)}
        changes["deleted"] = [None, False]
        self._op("create", model, record_id, values.get("grid_id"), changes, 0, label)

    def want(
        self,
        model: type[Synced],
        record_id: str,
        values: Mapping[str, Any],
        label: str,
        baseline: Mapping[str, Any] | None = None,
    ) -> None:
        """The record ``record_id`` should hold ``values``. ``baseline``: the values every laptop already has
        under this id (a bundled row), used when the server does not have the record yet."""
        wanted = wire_values(model, values)
        current = self.server.of(model).get(record_id)
        if current is None and baseline is not None:
            bundled = wire_values(model, baseline)
            if all(same_value(bundled[name], value) for name, value in wanted.items()):
                self.outcome.unchanged += 1
                return
            self._create(model, record_id, bundled, label)
            current = Current(record_id, bundled.get("grid_id"), 1, False, bundled)
        if current is None:
            self._create(model, record_id, wanted, label)
            self.outcome.created += 1
            return
        changes = {
            name: [current.values.get(name), value]
            for name, value in wanted.items()
            if not same_value(current.values.get(name), value)
        }
        if current.deleted:
            changes["deleted"] = [True, False]
        if not changes:
            self.outcome.unchanged += 1
            return
        self._op("update", model, record_id, current.grid_id, changes, current.version, label)
        self.outcome.updated += 1

    def remove(self, model: type[Synced], current: Current, label: str) -> None:
        if current.deleted:
            return
        self._op("delete", model, current.record_id, current.grid_id, {"deleted": [False, True]}, current.version,
                 label)  # fmt: skip
        self.outcome.deleted += 1

    def remove_bundled(
        self, model: type[Synced], record_id: str, baseline: Mapping[str, Any], label: str
    ) -> None:
        """Delete a bundled row the server has never had: the create every laptop has, then the delete."""
        bundled = wire_values(model, baseline)
        self._create(model, record_id, bundled, label)
        self.remove(model, Current(record_id, bundled.get("grid_id"), 1, False, bundled), label)

    def push(self, store: Store) -> Outcome:
        """Push every operation in one transaction: a laptop pulling meanwhile sees all of it or none of it."""
        if not self.ops:
            return self.outcome
        # One request, past the HTTP batch limit (it bounds request bodies, not this in-process call).
        request = PushRequest.model_construct(
            protocol=PROTOCOL_VERSION, batch_id=uuid7(), operations=self.ops
        )
        answer = store.push(admin_device(), request)
        for result in answer.results:
            if result.status in (OpStatus.CONFLICT, OpStatus.REJECTED):
                self.outcome.problems.append(f"{self.labels[result.op_id]}：{result.reason}")
        return self.outcome


# -- what each kind of file publishes --------------------------------------------------------------------
def _node_label(name: str, code: str) -> str:
    return f"网格节点“{name}”（{code}）"


def plan_township(server: ServerRecords, township: TownshipFile) -> tuple[Publication, list[str]]:
    """The grid tree and the staff with their posts; returns the publication and the ids of the grids (leaves).

    A person listed in the file holds exactly the posts listed for them (others are removed); nodes and people
    not in the file are left as they are."""
    publication = Publication(server)
    ids = {
        n.code: server.resolve(GridNode, ("code",), (n.code,), reference_id("grid", n.code))
        for n in township.nodes
    }
    for node in township.nodes:  # parents first
        parent_id = (ids.get(node.parent) or server.grid_id(node.parent)) if node.parent else None
        values = {"code": node.code, "name": node.name, "level": node.level, "kind": node.kind,
                  "urban": node.urban, "parent_id": parent_id, "sort_order": node.sort_order}  # fmt: skip
        publication.want(GridNode, ids[node.code], values, _node_label(node.name, node.code))
    people = {p.login: (p.name, p.phone, p.login) for p in township.posts}
    plan_staff(publication, list(people.values()), township.posts, ids, only_these_posts=True)
    return publication, [ids[n.code] for n in township.nodes if n.kind == "grid"]


def plan_staff(
    publication: Publication,
    people: Sequence[tuple[str, str, str]],
    posts: Sequence[PostRow],
    node_ids: Mapping[str, str],
    *,
    only_these_posts: bool,
) -> None:
    """Staff, each (name, phone, login), and posts; ``only_these_posts``: the people listed hold exactly the posts
    listed (others are removed), else posts are only added. Staff are township reference data (``grid_id`` empty:
    every laptop gets the whole directory, so a post never points to a person a laptop lacks); a post belongs to
    its grid."""
    server = publication.server
    ids: dict[str, str] = {}
    for name, phone, login in people:
        staff_id = ids[login] = server.resolve(Staff, ("login",), (login,), reference_id("staff", login))
        values = {"name": name, "login": login, "phone": phone, "active": True, "grid_id": None}
        publication.want(Staff, staff_id, values, f"工作人员“{name}”（登录名 {login}）")
    wanted: set[str] = set()
    for row in posts:
        staff_id = ids[row.login]
        grid_id = node_ids.get(row.grid) or server.grid_id(row.grid)
        assert grid_id is not None  # checked with the file
        key = (staff_id, grid_id, row.post)
        post_id = server.resolve(
            GridPost, ("staff_id", "grid_id", "post"), key, reference_id("post", ":".join(key))
        )
        wanted.add(post_id)
        values = {"staff_id": staff_id, "post": row.post, "grid_id": grid_id}
        publication.want(
            GridPost, post_id, values, f"“{row.name}”在 {row.grid} 的岗位“{post_label(row.post)}”"
        )
    if only_these_posts:
        for current in server.of(GridPost).values():
            if current.values.get("staff_id") in ids.values() and current.record_id not in wanted:
                post = str(current.values.get("post"))
                publication.remove(GridPost, current, f"岗位“{post_label(post)}”（已不在文件中）")


def plan_codes(server: ServerRecords, rows: Sequence[CodeRow]) -> Publication:
    """Code table rows (added or changed; codes not in the file stay)."""
    publication = Publication(server)
    bundled = {(c.table, c.code): c for t in codes.bundled_tables().values() for c in t.codes}
    for row in rows:
        fixed = reference_id("code", f"{row.table}:{row.code}")
        record_id = server.resolve(CodeEntry, ("table", "code"), (row.table, row.code), fixed)
        shipped = bundled.get((row.table, row.code)) if record_id == fixed else None
        baseline = (
            {"table": shipped.table, "code": shipped.code, "name": shipped.name, "sort_order": shipped.order}
            if shipped is not None
            else None
        )
        order = row.order
        if order is None:
            current = server.of(CodeEntry).get(record_id)
            if current is not None:
                order = int(current.values.get("sort_order") or 0)
            else:
                order = shipped.order if shipped is not None else row.position
        values = {"table": row.table, "code": row.code, "name": row.name, "sort_order": order}
        publication.want(
            CodeEntry, record_id, values, f"代码表 {row.table} 的代码 {row.code}（{row.name}）", baseline
        )
    return publication


def plan_calendar(server: ServerRecords, year: int, days: Sequence[DayRow], source: str) -> Publication:
    """A year's holiday arrangement, whole: its special days, days of that year not listed made ordinary again,
    and the year marked published (no longer estimated on the laptops)."""
    publication = Publication(server)
    shipped = {d.day: d for d in bundled_special_days() if d.day.year == year}

    def baseline(day: date) -> dict[str, Any] | None:
        found = shipped.get(day)
        return None if found is None else {"day": day, "is_workday": found.is_workday, "name": found.name}

    listed: set[str] = set()
    for row in days:
        iso = row.day.isoformat()
        fixed = reference_id("day", iso)
        record_id = server.resolve(CalendarDay, ("day",), (iso,), fixed)
        listed.add(record_id)
        values = {"day": row.day, "is_workday": row.is_workday, "name": row.name}
        publication.want(CalendarDay, record_id, values, f"{iso}（{row.name}）",
                         baseline(row.day) if record_id == fixed else None)  # fmt: skip
    on_server = server.of(CalendarDay)
    for current in on_server.values():
        iso = str(current.values.get("day", ""))
        if iso.startswith(f"{year}-") and current.record_id not in listed:
            publication.remove(CalendarDay, current, f"{iso}（改回普通日子）")
    for day in sorted(shipped):
        iso = day.isoformat()
        fixed = reference_id("day", iso)
        if (
            fixed not in listed
            and fixed not in on_server
            and server.find(CalendarDay, ("day",), (iso,)) is None
        ):
            publication.remove_bundled(CalendarDay, fixed, baseline(day) or {}, f"{iso}（改回普通日子）")
    fixed = reference_id("year", year)
    record_id = server.resolve(CalendarYear, ("year",), (year,), fixed)
    year_baseline = {"year": year, "source": "chinesecalendar"} if year in bundled_years() else None
    publication.want(CalendarYear, record_id, {"year": year, "source": source}, f"{year} 年节假日安排",
                     year_baseline if record_id == fixed else None)  # fmt: skip
    return publication


def plan_errand_items(server: ServerRecords, rows: Sequence[ItemRow]) -> Publication:
    """The errand catalogue (items added or changed; items not in the file stay)."""
    publication = Publication(server)
    for row in rows:
        key = (row.category, row.name)
        record_id = server.resolve(
            ErrandItem, ("category", "name"), key, reference_id("errand_item", ":".join(key))
        )
        values = {"category": row.category, "name": row.name, "materials": row.materials,
                  "in_person": row.in_person, "office": row.office, "sort_order": row.order}  # fmt: skip
        publication.want(ErrandItem, record_id, values, f"代办事项“{row.name}”")
    return publication


def plan_deadlines(server: ServerRecords, rows: Sequence[DeadlineRow]) -> Publication:
    """Event deadlines per category, under the ids every laptop has them bundled with (categories not in the
    file keep theirs)."""
    publication = Publication(server)
    for row in rows:
        fixed = reference_id("deadline", row.category)
        record_id = server.resolve(DeadlineRule, ("category",), (row.category,), fixed)
        shipped = DEFAULT_DEADLINES.get(row.category) if record_id == fixed else None
        baseline = {"category": row.category, "working_days": shipped} if shipped is not None else None
        values = {"category": row.category, "working_days": row.working_days}
        publication.want(DeadlineRule, record_id, values, f"事件类别 {row.category} 的办理时限", baseline)
    return publication


def calendar_from_package(year: int) -> list[DayRow]:
    """A year's special days as the bundled ``chinesecalendar`` package has them (empty: a year it lacks)."""
    return [
        DayRow(f"chinesecalendar {d.day.isoformat()}", d.day, d.is_workday, d.name)
        for d in bundled_special_days()
        if d.day.year == year
    ]


# -- listings ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffListing:
    name: str
    phone: str
    login: str
    posts: list[str]
    """“网格管理员 @ 李家村第一网格（620502101201001）” …"""


def list_staff(server: ServerRecords) -> list[StaffListing]:
    nodes = server.of(GridNode)
    held: dict[str, list[str]] = {}
    for post in server.of(GridPost).values():
        if post.deleted:
            continue
        node = nodes.get(post.grid_id or "")
        where = f"{node.values.get('name')}（{node.values.get('code')}）" if node else str(post.grid_id)
        held.setdefault(str(post.values.get("staff_id")), []).append(
            f"{post_label(str(post.values.get('post')))} @ {where}"
        )
    people = [c for c in server.of(Staff).values() if not c.deleted]
    people.sort(key=lambda c: (str(c.values.get("name")), str(c.values.get("login"))))
    return [
        StaffListing(
            str(c.values.get("name", "")), str(c.values.get("phone") or ""), str(c.values.get("login", "")),
            sorted(held.get(c.record_id, [])),
        )
        for c in people
    ]  # fmt: skip


def list_nodes(server: ServerRecords) -> list[Current]:
    """The live grid nodes, by code."""
    live = [c for c in server.of(GridNode).values() if not c.deleted]
    return sorted(live, key=lambda c: str(c.values.get("code")))
