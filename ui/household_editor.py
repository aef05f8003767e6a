"""The household editor (户): the household's fields, its members and its history.

A new household's members are typed straight into rows — name, relation, sex, birth date, ID number — by
keyboard alone (Tab across, a fresh row appears as the last one is used, an ID number fills sex and birth date),
and the household is registered with all of them in one transaction. An existing household's members are
changed through the household services, each change confirmed and kept in the household's history: set the head,
change a relation, move a member to another household, split members off, merge another household in, move the
household to another grid.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import codes, repositories
from app.errors import LedgerError, ValidationError
from app.idcard import IdNumberInfo
from app.models import GridNode, Household, HouseholdChange, Person
from app.services import households
from app.writer import WriteTx
from ui.forms import RecordDialog, Refusal, hub, open_editor
from ui.widgets import CodePicker, DateEdit, IdNumberEdit, NoteEdit, TagEdit, note_field, parse_date

HEAD = households.HEAD
HOUSEHOLD_TEXT_FIELDS = ("number", "group_name", "door_number", "address", "phone", "note")
HOUSEHOLD_TAGS = ("低保户", "五保户", "脱贫户", "防返贫监测户", "留守", "独居老人", "残疾人", "军属")
"""Tags offered as typed: values kept in the ledger and synced, so the same words in every UI language."""


class MemberRow(QObject):
    """One typed member of a new household: its five inputs, kept in step with the ID number."""

    used = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.name = QLineEdit(parent)
        self.relation = CodePicker("Relation", parent)
        self.sex = CodePicker("Sex", parent)
        self.birth_date = DateEdit(parent)
        self.id_number = IdNumberEdit(parent)
        self.id_number.setMinimumWidth(170)
        self.id_number.checked.connect(self._filled)
        for line in (self.name, self.id_number):
            line.textEdited.connect(lambda _t: self.used.emit())

    def widgets(self) -> list[QWidget]:
        return [self.name, self.relation, self.sex, self.birth_date, self.id_number]

    def _filled(self, info: IdNumberInfo | None) -> None:
        if info is not None:
            self.sex.set_code(info.sex)
            self.birth_date.set_date(info.birth_date)

    def is_empty(self) -> bool:
        return not (self.name.text().strip() or self.id_number.text().strip())

    def state(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "relation": self.relation.currentText(),
            "sex": self.sex.currentText(),
            "birth_date": self.birth_date.text(),
            "id_number": self.id_number.text(),
        }

    def restore(self, state: dict[str, str]) -> None:
        self.name.setText(state.get("name", ""))
        self.id_number.setText(state.get("id_number", ""))
        for picker, key in ((self.relation, "relation"), (self.sex, "sex")):
            picker.setEditText(state.get(key, ""))
            picker.set_code(picker.code())
        self.birth_date.setText(state.get("birth_date", ""))

    def values(self) -> dict[str, Any]:
        text = self.birth_date.text().strip()
        birth = parse_date(text)
        if text and birth is None:
            name = self.name.text().strip()
            record = self.tr("Person “%1”").replace("%1", name) if name else self.tr("Person")
            raise Refusal(
                "birth_date",
                self.tr("%1, birth date: “%2” is not a date; type it like 1980-03-05.")
                .replace("%1", record)
                .replace("%2", text),
                self.birth_date,
            )
        values: dict[str, Any] = {
            "name": self.name.text().strip(),
            "relation": self.relation.code(),
            "birth_date": birth,
            "id_number": self.id_number.text().strip() or None,
        }
        if self.sex.code():
            values["sex"] = self.sex.code()
        return values


@dataclass(frozen=True)
class MemberInfo:
    id: str
    name: str
    relation: str
    sex: str
    birth: str
    id_number: str


class GridPicker(QDialog):
    """Pick a grid (a leaf of the grid tree) by arrow keys or by typing its name."""

    def __init__(self, session: Session, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Move to another grid"))
        layout = QVBoxLayout(self)
        self.tree = QTreeView()
        self.tree.setHeaderHidden(True)
        model = QStandardItemModel(self.tree)
        self.leaves: dict[str, QStandardItem] = {}

        def add(parent_item: QStandardItem, node: repositories.GridRow) -> None:
            item = QStandardItem(f"{node.name}（{node.code}）")
            item.setData(node.id, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            item.setSelectable(not node.children and node.id != current)
            parent_item.appendRow(item)
            if not node.children:
                self.leaves[node.id] = item
            for child in node.children:
                add(item, child)

        for root in repositories.grid_tree(session):
            add(model.invisibleRootItem(), root)
        self.tree.setModel(model)
        self.tree.expandAll()
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Move"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(420, 480)

    def grid_id(self) -> str | None:
        index = self.tree.currentIndex()
        value = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        return str(value) if value and value in self.leaves else None


class HouseholdEditor(RecordDialog):
    """Edit or register a household (with ``context["grid_id"]`` for a new one) and its members."""

    kind = "household"

    # -- building -------------------------------------------------------------------------------------------
    def build_form(self, layout: QVBoxLayout) -> None:
        self.rows: list[MemberRow] = []
        self.members_info: list[MemberInfo] = []
        self.suggested_number = ""
        """The 户号 suggested for a new household (left as is, the save numbers the household itself)."""
        self.grid_id: str | None = self.context.get("grid_id")
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)

        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("numbered automatically"))
        self.household_type = CodePicker("HouseholdType", blank=False)
        self.group_name = QLineEdit()
        self.door_number = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.registry_matches = QCheckBox(self.tr("Living where registered"))
        self.registry_matches.setChecked(True)
        self.tags = TagEdit(suggestions=HOUSEHOLD_TAGS)
        self.note = note_field(Household.note)
        top = QGridLayout()
        pairs = (
            (self.tr("Household &no.:"), self.number), (self.tr("Household &type:"), self.household_type),
            (self.tr("&Group / estate:"), self.group_name), (self.tr("&Door no.:"), self.door_number),
            (self.tr("&Address:"), self.address), (self.tr("&Phone:"), self.phone),
            (self.tr("T&ags:"), self.tags), (self.tr("&Note:"), self.note), ("", self.registry_matches),
        )  # fmt: skip
        for index, (text, widget) in enumerate(pairs):
            label = QLabel(text)
            label.setBuddy(widget)
            top.addWidget(label, index // 2, (index % 2) * 2)
            top.addWidget(widget, index // 2, (index % 2) * 2 + 1)
        outer.addLayout(top)
        outer.addLayout(form)
        self.field_widgets.update(
            number=self.number, household_type=self.household_type, group_name=self.group_name,
            door_number=self.door_number, address=self.address, phone=self.phone, tags=self.tags, note=self.note,
            registry_matches=self.registry_matches,
        )  # fmt: skip

        # Members typed in (new household) …
        self.entry = QWidget()
        entry_layout = QVBoxLayout(self.entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        self.row_host = QWidget()
        self.row_grid = QGridLayout(self.row_host)
        self.row_grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        for column, text in enumerate(
            (
                self.tr("Name"),
                self.tr("Relation to head"),
                self.tr("Sex"),
                self.tr("Birth date"),
                self.tr("ID number"),
            )
        ):
            self.row_grid.addWidget(QLabel(f"<b>{text}</b>"), 0, column)
        scroll.setWidget(self.row_host)
        entry_layout.addWidget(
            QLabel(self.tr("Members (Tab moves across; relation 02 户主 marks the head):"))
        )
        entry_layout.addWidget(scroll)
        self.row_problem = QLabel()
        self.row_problem.setStyleSheet("color: #b3261e;")
        self.row_problem.setWordWrap(True)
        entry_layout.addWidget(self.row_problem)
        head_row = QHBoxLayout()
        self.make_head_button = QPushButton(self.tr("Make this member the &head"))
        self.make_head_button.setAutoDefault(False)
        self.make_head_button.clicked.connect(self.make_focused_row_head)
        head_row.addWidget(self.make_head_button)
        head_row.addStretch(1)
        entry_layout.addLayout(head_row)
        outer.addWidget(self.entry, 1)

        # … or listed with actions (existing household).
        self.listing = QWidget()
        list_layout = QVBoxLayout(self.listing)
        list_layout.setContentsMargins(0, 0, 0, 0)
        self.member_table = QTableWidget(0, 5)
        self.member_table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Relation to head"),
                self.tr("Sex"),
                self.tr("Birth date"),
                self.tr("ID number"),
            ]
        )
        self.member_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.member_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.member_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.member_table.setTabKeyNavigation(False)
        self.member_table.horizontalHeader().setStretchLastSection(True)
        self.member_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.member_table.customContextMenuRequested.connect(self._member_menu)
        self.member_table.doubleClicked.connect(lambda _i: self.open_member())
        list_layout.addWidget(self.member_table)
        actions = QGridLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for index, (key, text, slot) in enumerate(
            (
                ("open", self.tr("&Open person"), self.open_member),
                ("add", self.tr("Add &member…"), self.add_member),
                ("head", self.tr("Set as &head"), self.set_head),
                ("relation", self.tr("Change &relation…"), self.change_relation),
                ("move", self.tr("Move to another &household…"), self.move_member),
                ("split", self.tr("&Split into a new household…"), self.split),
                ("merge", self.tr("Merge another household &in…"), self.merge),
                ("grid", self.tr("Move household to another &grid…"), self.move_grid),
            )
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            actions.addWidget(button, index // 4, index % 4)
            self.action_buttons[key] = button
        list_layout.addLayout(actions)
        outer.addWidget(self.listing, 1)
        self.tabs.addTab(page, self.tr("Household and &members"))

        self.history = QTableWidget(0, 3)
        self.history.setHorizontalHeaderLabels([self.tr("Date"), self.tr("Change"), self.tr("Details")])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.history, self.tr("&History"))

        new = self.record_id is None
        self.listing.setVisible(not new)
        self.entry.setVisible(new)
        self.tabs.setTabEnabled(1, not new)
        if new:
            self.add_row()
            self._suggest_number()
        self.field_widgets["relation"] = self.rows[0].relation if self.rows else self.member_table
        self.field_widgets["members"] = self.rows[0].name if self.rows else self.member_table
        self.field_widgets["head_id"] = self.member_table
        self.resize(980, 640)
        self.number.setFocus(Qt.FocusReason.OtherFocusReason)

    def _suggest_number(self) -> None:
        """Show the number the household will get: the services number it at the save if the field is left as
        is, so a number another save took meanwhile is not refused but replaced by the next free one."""
        if not self.grid_id:
            return
        with self.ledger.read() as session:
            grid = session.get(GridNode, self.grid_id)
            if grid is not None:
                self.suggested_number = households.next_household_number(session, grid.code)
                self.number.setText(self.suggested_number)

    # -- member rows of a new household ---------------------------------------------------------------------
    def add_row(self) -> MemberRow:
        row = MemberRow(self.row_host)
        index = len(self.rows) + 1
        for column, widget in enumerate(row.widgets()):
            self.row_grid.addWidget(widget, index, column)
            widget.show()  # at once: the layout would only show it on the next event loop turn
        if not self.rows:
            row.relation.set_code(HEAD)
        self.rows.append(row)
        # Tab runs through the household's fields, then row after row, then on to the head button and Save.
        chain: list[QWidget] = [self.registry_matches]
        for each in self.rows:
            chain += each.widgets()
        chain.append(self.make_head_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        row.used.connect(self._row_used)
        # After the field's own check (connected first): a wrong number stays "no info", so ``checked`` alone
        # would never show its problem.
        row.id_number.textChanged.connect(lambda _t, r=row: self._row_checked(r))
        row.id_number.editingFinished.connect(lambda r=row: self._row_checked(r))
        if hasattr(self, "draft_timer"):
            self.watch(self.row_host)  # hooks every row again; a second connection only marks dirty twice
        return row

    def _row_used(self) -> None:
        if self.rows and not self.rows[-1].is_empty():
            self.add_row()

    def _row_checked(self, row: MemberRow) -> None:
        problems = [
            self.tr("%1: %2")
            .replace("%2", r.id_number.problem)
            .replace("%1", r.name.text() or self.tr("Row %1").replace("%1", str(i + 1)))
            for i, r in enumerate(self.rows)
            if r.id_number.problem
        ]
        self.row_problem.setText("\n".join(problems))

    def make_focused_row_head(self) -> None:
        focused = self.focusWidget()
        for row in self.rows:
            if focused in row.widgets():
                for other in self.rows:
                    if other is not row and other.relation.code() == HEAD:
                        other.relation.set_code("")
                row.relation.set_code(HEAD)
                self.mark_dirty()
                return

    # -- load, draft ----------------------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        household = session.get_one(Household, self.record_id)
        self.grid_id = household.grid_id
        for field in HOUSEHOLD_TEXT_FIELDS:
            widget = self.field_widgets[field]
            assert isinstance(widget, QLineEdit | NoteEdit)
            widget.setText(str(getattr(household, field) or ""))
        self.household_type.set_code(household.household_type)
        self.registry_matches.setChecked(bool(household.registry_matches))
        self.tags.set_tags(household.tags or [])
        self._load_members(session, household)

    def _load_members(self, session: Session, household: Household) -> None:
        people = session.scalars(
            select(Person)
            .where(Person.household_id == household.id, Person.deleted.is_(False))
            .order_by(Person.relation, Person.birth_date)
        ).all()
        relation = codes.table("Relation")
        sex = codes.table("Sex")
        self.members_info = [
            MemberInfo(
                p.id,
                p.name,
                p.relation,
                sex.label(p.sex) or "",
                p.birth_date.isoformat() if p.birth_date else "",
                p.id_number or "",
            )
            for p in people
        ]
        self.member_table.setRowCount(len(people))
        for row, info in enumerate(self.members_info):
            cells = (
                info.name,
                f"{info.relation} {relation.label(info.relation) or ''}",
                info.sex,
                info.birth,
                info.id_number,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.id)
                self.member_table.setItem(row, column, item)
        for column in range(self.member_table.columnCount() - 1):  # the last (ID number) stretches
            self.member_table.resizeColumnToContents(column)
        changes = session.scalars(
            select(HouseholdChange)
            .where(HouseholdChange.household_id == household.id, HouseholdChange.deleted.is_(False))
            .order_by(HouseholdChange.created_at, HouseholdChange.id)
        ).all()
        names = {p.id: p.name for p in people}
        self.history.setRowCount(len(changes))
        kinds = self._change_names()
        for row, change in enumerate(changes):
            detail = change.detail or {}
            summary = "、".join(
                str(detail.get("name") or names.get(str(v), v))
                for k, v in detail.items()
                if k in ("name", "person_id", "new_head") and v
            )
            if "members" in detail:
                summary = self.tr("%1 members").replace("%1", str(len(detail["members"])))
            shown = (change.changed_on.isoformat(), kinds.get(change.kind, change.kind), summary)
            for column, text in enumerate(shown):
                self.history.setItem(row, column, QTableWidgetItem(text))

    def _change_names(self) -> dict[str, str]:
        return {
            "member_in": self.tr("Member moved in"),
            "member_out": self.tr("Member moved out"),
            "head_change": self.tr("Head changed"),
            "split": self.tr("Split"),
            "split_from": self.tr("Split off from another household"),
            "merge": self.tr("Merged another household in"),
            "merged_into": self.tr("Merged into another household"),
            "move_grid": self.tr("Moved to another grid"),
        }

    def reload(self) -> None:
        if self.record_id is None:
            return
        with self.ledger.read() as session:
            household = session.get_one(Household, self.record_id)
            self.grid_id = household.grid_id
            self._load_members(session, household)

    def form_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            field: widget.text()
            for field in HOUSEHOLD_TEXT_FIELDS
            if isinstance(widget := self.field_widgets[field], QLineEdit | NoteEdit)
        }
        if self.suggested_number:
            state["suggested_number"] = self.suggested_number
        state["household_type"] = self.household_type.currentText()
        state["registry_matches"] = self.registry_matches.isChecked()
        state["tags"] = self.tags.text()
        state["members"] = [row.state() for row in self.rows if not row.is_empty()]
        return state

    def restore_state(self, state: dict[str, Any]) -> None:
        for field in HOUSEHOLD_TEXT_FIELDS:
            widget = self.field_widgets[field]
            if field in state and isinstance(widget, QLineEdit | NoteEdit):
                widget.setText(str(state[field]))
        if self.record_id is None:
            self.suggested_number = str(state.get("suggested_number") or "")
        self.household_type.setEditText(str(state.get("household_type", "")))
        self.household_type.set_code(self.household_type.code())
        self.registry_matches.setChecked(bool(state.get("registry_matches", True)))
        self.tags.setText(str(state.get("tags", "")))
        if self.record_id is None:
            for index, member in enumerate(state.get("members") or []):
                while len(self.rows) <= index:
                    self.add_row()
                self.rows[index].restore(member)
            if self.rows and not self.rows[-1].is_empty():
                self.add_row()

    def draft_title(self) -> str:
        head = next((r.name.text().strip() for r in self.rows if r.relation.code() == HEAD), "")
        if not head and self.members_info:
            head = next((m.name for m in self.members_info if m.relation == HEAD), "")
        title = self.tr("Household %1").replace("%1", self.number.text().strip() or self.tr("(new)"))
        return f"{title} · {head}" if head else title

    def window_title(self) -> str:
        return self.draft_title() if self.record_id else self.tr("New household")

    # -- save -----------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            field: widget.text().strip()
            for field in HOUSEHOLD_TEXT_FIELDS
            if isinstance(widget := self.field_widgets[field], QLineEdit | NoteEdit)
        }
        values["household_type"] = self.household_type.code()
        values["registry_matches"] = self.registry_matches.isChecked()
        values["tags"] = self.tags.tags()
        return values

    def save(self, tx: WriteTx) -> str:
        values = self.values()
        if self.record_id is None:
            if not self.grid_id:
                raise Refusal(
                    "grid_id",
                    self.tr("New household, grid: choose a grid on the left before registering a household."),
                )
            if values["number"] == self.suggested_number:
                values["number"] = ""  # numbered by the services: the next number still free at this save
            members = [row.values() for row in self.rows if not row.is_empty()]
            self._point_at_rows()
            return households.register_household(
                tx, grid_id=self.grid_id, members=members, **values
            ).record.id
        household = tx.session.get_one(Household, self.record_id)
        households.update_household(tx, household, **values)
        return household.id

    def _point_at_rows(self) -> None:
        """A refused member points the cursor at the first row's field (refined in ``handle_error``)."""
        used = [r for r in self.rows if not r.is_empty()]
        if used:
            self.field_widgets.update(relation=used[0].relation, members=used[0].name)

    def handle_error(self, error: LedgerError) -> bool:
        # The services name a member as 人员“张三” in their (Chinese, by design) refusals: find that row.
        if isinstance(error, ValidationError) and error.record.startswith("人员“"):
            name = error.record[3:-1]
            for row in self.rows:
                if row.name.text().strip() == name:
                    widget = {
                        "relation": row.relation,
                        "sex": row.sex,
                        "birth_date": row.birth_date,
                        "id_number": row.id_number,
                    }.get(error.field, row.name)
                    self.field_widgets[error.field] = widget
                    break
        return False

    # -- actions on an existing household's members ---------------------------------------------------------
    def selected_member_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.member_table.selectionModel().selectedRows()})
        if not rows and self.member_table.currentRow() >= 0:
            rows = [self.member_table.currentRow()]
        return [self.members_info[r].id for r in rows if r < len(self.members_info)]

    def _member(self, person_id: str | None) -> MemberInfo | None:
        if person_id is None:
            ids = self.selected_member_ids()
            person_id = ids[0] if ids else None
        found = next((m for m in self.members_info if m.id == person_id), None)
        if found is None:
            self.say(self.tr("Select a member first."))
        return found

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Confirm"), text)
        return answer == QMessageBox.StandardButton.Yes

    def run_change(self, change: Any, title: str) -> bool:
        """Write one structural change in its own transaction; show a refusal; refresh; offer it to undo."""
        try:
            with self.ledger.write() as tx:
                household = tx.session.get_one(Household, self.record_id)
                change(tx, household)
                ops = list(tx.op_ids)
        except LedgerError as exc:
            self.say(exc.message)
            return False
        self.say("")
        self.reload()
        assert self.record_id is not None
        hub().saved.emit(self.kind, self.record_id)
        hub().saved_ops.emit(self.kind, self.record_id, ops, title)
        return True

    def _window(self) -> QWidget | None:
        window = self.parentWidget()
        return window if window is not None and hasattr(window, "ledger") else None

    def open_member(self, person_id: str | None = None) -> None:
        member = self._member(person_id)
        window = self._window()
        if member is not None and window is not None:
            open_editor(window, "person", member.id)

    def add_member(self) -> None:
        window = self._window()
        if window is not None and self.record_id is not None:
            open_editor(window, "person", context={"household_id": self.record_id, "grid_id": self.grid_id})

    def set_head(self, person_id: str | None = None) -> bool:
        member = self._member(person_id)
        if member is None or not self.confirm(
            self.tr("Make %1 the head of this household?").replace("%1", member.name)
        ):
            return False

        def change(tx: WriteTx, household: Household) -> None:
            households.set_head(tx, household, tx.session.get_one(Person, member.id))

        return self.run_change(change, self.tr("head of %1").replace("%1", self.number.text()))

    def _relation_choices(self) -> list[str]:
        return [f"{c.code} {c.name}" for c in codes.table("Relation").codes if c.code != HEAD]

    def change_relation(self, person_id: str | None = None, relation: str | None = None) -> bool:
        member = self._member(person_id)
        if member is None:
            return False
        if relation is None:
            choice, ok = QInputDialog.getItem(
                self, self.tr("Change relation"), self.tr("Relation of %1 to the head:").replace("%1", member.name),
                self._relation_choices(), 0, True,
            )  # fmt: skip
            if not ok:
                return False
            relation = choice.split(" ")[0]

        def change(tx: WriteTx, _household: Household) -> None:
            households.set_relation(tx, tx.session.get_one(Person, member.id), relation or "")

        return self.run_change(change, member.name)

    def find_households(self, text: str) -> list[tuple[str, str]]:
        """(id, "number · head") of live households other than this one whose number contains ``text``."""
        with self.ledger.read() as session:
            rows = session.execute(
                select(Household.id, Household.number, Person.name)
                .outerjoin(Person, Person.id == Household.head_id)
                .where(
                    Household.deleted.is_(False),
                    Household.number.contains(text.strip()),
                    Household.id != self.record_id,
                )
                .order_by(Household.number)
                .limit(50)
            ).all()
        return [(r[0], f"{r[1]} · {r[2] or ''}") for r in rows]

    def pick_household(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, self.tr("Household number (or part of it):"))
        if not ok:
            return None
        found = self.find_households(text)
        if not found:
            self.say(self.tr("No household number contains “%1”.").replace("%1", text))
            return None
        choice, ok = QInputDialog.getItem(
            self, title, self.tr("Household:"), [f for _i, f in found], 0, False
        )
        return next((i for i, f in found if f == choice), None) if ok else None

    def move_member(
        self, person_id: str | None = None, target_id: str | None = None, relation: str | None = None
    ) -> bool:
        member = self._member(person_id)
        if member is None:
            return False
        target_id = target_id or self.pick_household(
            self.tr("Move %1 to household").replace("%1", member.name)
        )
        if target_id is None:
            return False
        if relation is None:
            choice, ok = QInputDialog.getItem(
                self,
                self.tr("Relation"),
                self.tr("Relation to the new head:"),
                self._relation_choices(),
                0,
                True,
            )
            if not ok:
                return False
            relation = choice.split(" ")[0]
        with self.ledger.read() as session:
            number = session.get_one(Household, target_id).number
        if not self.confirm(
            self.tr("Move %1 to household %2?").replace("%1", member.name).replace("%2", number)
        ):
            return False

        def change(tx: WriteTx, _household: Household) -> None:
            households.move_member(
                tx,
                tx.session.get_one(Person, member.id),
                tx.session.get_one(Household, target_id),
                relation or "",
            )

        return self.run_change(change, member.name)

    def split(self, person_ids: list[str] | None = None, head_id: str | None = None) -> bool:
        ids = person_ids or self.selected_member_ids()
        chosen = [m for m in self.members_info if m.id in ids]
        if not chosen:
            self.say(self.tr("Select the members to split off first."))
            return False
        if head_id is None:
            names = [m.name for m in chosen]
            choice, ok = QInputDialog.getItem(
                self, self.tr("Split"), self.tr("Head of the new household:"), names, 0, False
            )
            if not ok:
                return False
            head_id = chosen[names.index(choice)].id
        if not self.confirm(
            self.tr("Split %1 into a new household?").replace("%1", "、".join(m.name for m in chosen))
        ):
            return False

        def change(tx: WriteTx, household: Household) -> None:
            households.split_household(tx, household, [m.id for m in chosen], head_id or "")

        return self.run_change(change, self.tr("split of %1").replace("%1", self.number.text()))

    def merge(self, other_id: str | None = None) -> bool:
        other_id = other_id or self.pick_household(self.tr("Merge a household into this one"))
        if other_id is None:
            return False
        with self.ledger.read() as session:
            number = session.get_one(Household, other_id).number
        if not self.confirm(
            self.tr(
                "Merge household %1 into this one? Its members join this household and it is closed."
            ).replace("%1", number)
        ):
            return False

        def change(tx: WriteTx, household: Household) -> None:
            households.merge_households(tx, household, tx.session.get_one(Household, other_id))

        return self.run_change(change, self.tr("merge into %1").replace("%1", self.number.text()))

    def move_grid(self, grid_id: str | None = None) -> bool:
        if grid_id is None:
            with self.ledger.read() as session:
                picker = GridPicker(session, self.grid_id, self)
            if picker.exec() != QDialog.DialogCode.Accepted:
                return False
            grid_id = picker.grid_id()
            if grid_id is None:
                return False
        with self.ledger.read() as session:
            grid = session.get_one(GridNode, grid_id)
            name = grid.name
        if not self.confirm(self.tr("Move this household and its members to %1?").replace("%1", name)):
            return False

        def change(tx: WriteTx, household: Household) -> None:
            households.move_household(tx, household, grid_id or "")

        return self.run_change(change, self.tr("grid of %1").replace("%1", self.number.text()))

    def _member_menu(self, position: Any) -> None:
        menu = QMenu(self)
        for button in self.action_buttons.values():
            menu.addAction(button.text().replace("&", ""), button.click)
        menu.exec(self.member_table.viewport().mapToGlobal(position))
