"""The organisation editor (组织): the rural 7+1 village organisations, 两新组织 and social organisations.

The kind, name and contact of the organisation, and its members: a person picked by typing, with a role (职务)
from the roles of that kind of organisation (会长, 召集人, 主任, 队长 …, or typed). Members added, removed or
given another role are written with the save; a member opens in the person editor.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app import codes
from app.models import Membership, Organisation, Person
from app.services import places
from app.services.common import live
from app.writer import WriteTx
from ui import widgets
from ui.forms import RecordDialog, Refusal, hub, open_editor
from ui.person_picker import PersonPicker, shown_person
from ui.place_editor import chain_tab_order, editor_window, follow_current, make_table
from ui.widgets import CodePicker, text_field

ROLE_COLUMN = 3
MEMBER_ROLE = "成员"
"""The role of a member with no office: a value kept in the ledger (and synced), the same in every language."""
TWO_NEW = ("non_public_enterprise", "social_org")
"""两新组织 and social organisations: registered bodies with a unified social credit code."""


def roles_for(kind: str) -> tuple[str, ...]:
    """The member roles offered for an organisation of ``kind`` (an OrgKind code), the leader's first."""
    return places.ORGANISATION_ROLES.get(kind, places.OTHER_ORGANISATION_ROLES)


def role_combo(roles: tuple[str, ...], parent: QWidget | None = None) -> QComboBox:
    """An editable list of the roles of an organisation kind (any other role may be typed)."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(list(roles))
    line = combo.lineEdit()
    assert line is not None
    line.setMaxLength(32)
    return combo


class RoleDelegate(QStyledItemDelegate):
    """Edits a member's role in the table (F2 or a double click) with the organisation kind's roles."""

    def __init__(self, editor: OrganisationEditor) -> None:
        super().__init__(editor)
        self.organisation_editor = editor

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        return role_combo(roles_for(self.organisation_editor.kind_picker.code()), parent)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data() or ""))

    def setModelData(
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText().strip())


class OrganisationEditor(RecordDialog):
    kind = "organisation"

    # -- the form ----------------------------------------------------------------------------------
    def build_form(self, layout: QVBoxLayout) -> None:
        self.resize(760, 620)
        self.loaded_fields: dict[str, Any] = {}
        """The organisation's ``fields`` as loaded: details this form does not show are kept as they were."""
        self.members: list[dict[str, Any]] = []
        """The members table: saved memberships and those added or given another role since."""
        self.removed: list[str] = []
        """Saved memberships removed in the form (deleted with the save)."""
        self.filling = False

        form = QFormLayout()
        self.form = form
        layout.addLayout(form)
        self.grid_label = QLabel()
        form.addRow(self.tr("Village or grid:"), self.grid_label)
        self.kind_picker = CodePicker("OrgKind", blank=False)
        form.addRow(self.tr("Organisation &type:"), self.kind_picker)
        self.name_edit = text_field(Organisation.name)
        form.addRow(self.tr("&Name:"), self.name_edit)
        self.credit_code_edit = text_field(Organisation.credit_code)
        form.addRow(self.tr("&Credit code:"), self.credit_code_edit)
        self.leader_edit = text_field(Organisation.leader_name)
        form.addRow(self.tr("&Leader:"), self.leader_edit)
        self.phone_edit = text_field(Organisation.phone)
        form.addRow(self.tr("&Phone:"), self.phone_edit)
        self.address_edit = text_field(Organisation.address)
        form.addRow(self.tr("A&ddress:"), self.address_edit)
        self.established_edit = QLineEdit()  # kept in the organisation's details, as 2013 or 2013-05
        self.established_edit.setMaxLength(10)
        self.established_edit.setPlaceholderText("2013-05")
        form.addRow(self.tr("&Established:"), self.established_edit)

        members_box = QGroupBox(self.tr("Members"))
        layout.addWidget(members_box, 1)
        box = QVBoxLayout(members_box)
        add_row = QHBoxLayout()
        member_label = QLabel(self.tr("&Member:"))
        self.member_picker = PersonPicker(self.ledger)
        member_label.setBuddy(self.member_picker)
        role_label = QLabel(self.tr("&Role:"))
        self.role_picker = role_combo(roles_for(""))
        role_label.setBuddy(self.role_picker)
        self.add_member_button = QPushButton(self.tr("&Add member"))
        self.add_member_button.setAutoDefault(False)
        add_row.addWidget(member_label)
        add_row.addWidget(self.member_picker, 3)
        add_row.addWidget(role_label)
        add_row.addWidget(self.role_picker, 1)
        add_row.addWidget(self.add_member_button)
        box.addLayout(add_row)
        self.member_table = make_table(
            [self.tr("Name"), self.tr("ID number"), self.tr("Phone"), self.tr("Role (F2 to change)")]
        )
        self.member_table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.member_table.setItemDelegateForColumn(ROLE_COLUMN, RoleDelegate(self))
        box.addWidget(self.member_table, 1)
        row_buttons = QHBoxLayout()
        self.open_member_button = QPushButton(self.tr("Open per&son"))
        self.open_member_button.setAutoDefault(False)
        self.remove_member_button = QPushButton(self.tr("Remo&ve member"))
        self.remove_member_button.setAutoDefault(False)
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.open_member_button)
        row_buttons.addWidget(self.remove_member_button)
        box.addLayout(row_buttons)

        self.field_widgets.update(
            kind=self.kind_picker,
            name=self.name_edit,
            credit_code=self.credit_code_edit,
            leader_name=self.leader_edit,
            phone=self.phone_edit,
            address=self.address_edit,
            person_id=self.member_picker,
            role=self.member_table,
        )
        chain_tab_order(
            [
                self.kind_picker,
                self.name_edit,
                self.credit_code_edit,
                self.leader_edit,
                self.phone_edit,
                self.address_edit,
                self.established_edit,
                self.member_picker,
                self.role_picker,
                self.add_member_button,
                self.member_table,
                self.open_member_button,
                self.remove_member_button,
            ]
        )

        self.kind_picker.codeChanged.connect(self.show_kind)
        self.add_member_button.clicked.connect(self.add_member)
        self.open_member_button.clicked.connect(self.open_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        self.member_table.doubleClicked.connect(self.table_double_clicked)
        self.member_table.itemSelectionChanged.connect(self.member_selected)
        self.member_table.currentCellChanged.connect(lambda row, *_: follow_current(self.member_table, row))
        self.member_table.itemChanged.connect(self.role_edited)
        for widget in (self.member_picker, self.role_picker, self.member_table):
            widget.installEventFilter(self)

        hub().saved.connect(self.saved_elsewhere)

        self.show_grid(self.context.get("grid_id"))
        self.kind_picker.set_code(str(self.context.get("kind") or ""))
        self.show_kind(self.kind_picker.code())
        self.member_selected()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the add-a-member row adds the member once one is picked; Delete in the table removes one."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and watched in (self.member_picker, self.role_picker)
                and not self.member_picker.results_visible()
                and self.member_picker.person_id() is not None
            ):
                self.add_member()
                return True
            if (
                key == Qt.Key.Key_Delete
                and watched is self.member_table
                and self.member_table.state() != QAbstractItemView.State.EditingState
            ):
                self.remove_member()
                return True
        return super().eventFilter(watched, event)

    def show_grid(self, grid_id: str | None) -> None:
        widgets.show_grid(
            self.grid_label,
            self.ledger,
            grid_id,
            self.tr("None chosen: choose a village or grid in the grid tree first"),
        )

    def show_kind(self, kind: str) -> None:
        """The credit code row for registered bodies only; the roles offered for the kind."""
        self.form.setRowVisible(self.credit_code_edit, kind in TWO_NEW or bool(self.credit_code_edit.text()))
        typed = self.role_picker.currentText()
        self.role_picker.clear()
        self.role_picker.addItems(list(roles_for(kind)))
        roles = roles_for(kind)
        self.role_picker.setCurrentText(
            typed if typed and typed != MEMBER_ROLE and typed in roles else MEMBER_ROLE
        )

    # -- members -----------------------------------------------------------------------------------
    def add_member(self) -> None:
        picker = self.member_picker
        person_id = picker.person_id()
        if person_id is None:
            self.say(self.tr("Member: type a name and pick the person from the list first."), picker)
            return
        if any(m["person_id"] == person_id for m in self.members):
            self.say(self.tr("%1 is already a member.").replace("%1", picker.person_name()), picker)
            return
        role = self.role_picker.currentText().strip() or MEMBER_ROLE
        hit = picker.hit
        self.members.append(
            {
                "membership_id": None,
                "person_id": person_id,
                **shown_person(
                    picker.person_name(), hit.id_number if hit else None, hit.phone if hit else None
                ),
                "role": role,
                "saved_role": "",
            }
        )
        leading = roles_for(self.kind_picker.code())[0]
        if role == leading and not self.leader_edit.text().strip():
            self.leader_edit.setText(picker.person_name())
            if hit is not None and hit.phone and not self.phone_edit.text().strip():
                self.phone_edit.setText(hit.phone)
        self.error.setVisible(False)
        picker.clear_person()
        self.role_picker.setCurrentText(MEMBER_ROLE)
        self.show_members(select=len(self.members) - 1)
        self.mark_dirty()
        picker.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_member(self) -> dict[str, Any] | None:
        row = self.member_table.currentRow()
        return self.members[row] if 0 <= row < len(self.members) else None

    def remove_member(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        if member["membership_id"] is not None:
            self.removed.append(member["membership_id"])
        row = self.members.index(member)
        self.members.remove(member)
        self.show_members(select=min(row, len(self.members) - 1))
        self.mark_dirty()

    def open_member(self) -> None:
        member = self.selected_member()
        if member is not None:
            open_editor(editor_window(self), "person", member["person_id"])

    def table_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != ROLE_COLUMN:
            self.open_member()

    def member_selected(self) -> None:
        chosen = self.selected_member() is not None
        self.open_member_button.setEnabled(chosen)
        self.remove_member_button.setEnabled(chosen)

    def role_edited(self, item: QTableWidgetItem) -> None:
        if self.filling or item.column() != ROLE_COLUMN or not 0 <= item.row() < len(self.members):
            return
        member = self.members[item.row()]
        role = item.text().strip()
        if role and role != member["role"]:
            member["role"] = role
            self.mark_dirty()
        elif not role:
            self.show_members(select=item.row())

    def show_members(self, select: int | None = None) -> None:
        table = self.member_table
        self.filling = True
        table.setRowCount(len(self.members))
        for row, m in enumerate(self.members):
            pending = m["membership_id"] is None or m["role"] != m["saved_role"]
            for col, text in enumerate([m["name"], m["id_number"], m["phone"], m["role"]]):
                item = QTableWidgetItem(text)
                if col != ROLE_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if pending:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                    item.setToolTip(self.tr("Saved with the organisation"))
                table.setItem(row, col, item)
        self.filling = False
        if select is not None and 0 <= select < len(self.members):
            table.selectRow(select)
        self.member_selected()

    def saved_elsewhere(self, kind: str, record_id: str) -> None:
        """A save (another editor, an undo) touched this organisation or one of its members: show the members
        table as the ledger now has it."""
        if (kind == self.kind and record_id == self.record_id) or (
            kind == "person" and any(m["person_id"] == record_id for m in self.members)
        ):
            self.reread_members()

    def reread_members(self) -> None:
        """Read the members table again, keeping what this form has not saved yet (members added or removed,
        roles changed); the other fields keep what is typed in them."""
        chosen = self.selected_member()
        mine = {m["membership_id"]: m for m in self.members if m["membership_id"] is not None}
        unsaved = [m for m in self.members if m["membership_id"] is None]
        with self.ledger.read() as session:
            organisation = session.get(Organisation, self.record_id) if self.record_id else None
            rows = places.MemberRow.of_organisation(session, organisation) if organisation is not None else []
            people = {m["person_id"]: session.get(Person, m["person_id"]) for m in unsaved}
        members = []
        for row in rows:
            if row.membership_id in self.removed:
                continue
            member = _member(row)
            typed = mine.get(row.membership_id)
            if typed is not None and typed["role"] != typed["saved_role"]:
                member["role"] = typed["role"]  # a role changed here and not saved yet
            members.append(member)
        for m in unsaved:
            person = people.get(m["person_id"])
            if person is not None:
                m |= shown_person(person.name, person.id_number, person.phone)
            members.append(m)
        self.members = members
        keep = next(
            (
                i
                for i, m in enumerate(members)
                if chosen is not None
                and (m["membership_id"], m["person_id"]) == (chosen["membership_id"], chosen["person_id"])
            ),
            None,
        )
        self.show_members(select=keep)

    # -- load, draft, save -------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        organisation = session.get_one(Organisation, self.record_id)
        self.loaded_fields = dict(organisation.fields or {})
        self.show_grid(organisation.grid_id)
        self.kind_picker.set_code(organisation.kind)
        self.name_edit.setText(organisation.name)
        self.credit_code_edit.setText(organisation.credit_code)
        self.leader_edit.setText(organisation.leader_name)
        self.phone_edit.setText(organisation.phone)
        self.address_edit.setText(organisation.address)
        self.established_edit.setText(str(self.loaded_fields.get("established") or ""))
        self.show_kind(organisation.kind)
        self.members = [_member(m) for m in places.MemberRow.of_organisation(session, organisation)]
        self.show_members()

    def form_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind_picker.code(),
            "name": self.name_edit.text(),
            "credit_code": self.credit_code_edit.text(),
            "leader_name": self.leader_edit.text(),
            "phone": self.phone_edit.text(),
            "address": self.address_edit.text(),
            "established": self.established_edit.text(),
            "members": [dict(m) for m in self.members],
            "removed": list(self.removed),
            "member": self.member_picker.state(),
            "role": self.role_picker.currentText(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.kind_picker.set_code(str(state.get("kind") or ""))
        self.name_edit.setText(str(state.get("name") or ""))
        self.credit_code_edit.setText(str(state.get("credit_code") or ""))
        self.leader_edit.setText(str(state.get("leader_name") or ""))
        self.phone_edit.setText(str(state.get("phone") or ""))
        self.address_edit.setText(str(state.get("address") or ""))
        self.established_edit.setText(str(state.get("established") or ""))
        self.show_kind(self.kind_picker.code())
        self.members = [dict(m) for m in state.get("members") or []]
        self.removed = [str(r) for r in state.get("removed") or []]
        self.member_picker.restore(state.get("member"))
        self.role_picker.setCurrentText(str(state.get("role") or MEMBER_ROLE))
        self.show_members()

    def save(self, tx: WriteTx) -> str:
        kind = self.kind_picker.code()
        name = self.name_edit.text()
        record = (
            self.tr("Organisation “%1”").replace("%1", name.strip())
            if name.strip()
            else self.tr("Organisation")
        )
        if not kind:
            raise Refusal(
                "kind",
                self.tr(
                    "%1, organisation type: choose the type of organisation (villagers' council, village patrol …)."
                ).replace("%1", record),
            )
        fields = dict(self.loaded_fields)
        established = self.established_edit.text().strip()
        if established:
            fields["established"] = established
        else:
            fields.pop("established", None)
        values: dict[str, Any] = {
            "credit_code": self.credit_code_edit.text().strip().upper(),
            "leader_name": self.leader_edit.text().strip(),
            "phone": self.phone_edit.text().strip(),
            "address": self.address_edit.text().strip(),
            "fields": fields,
        }
        if self.record_id is None:
            grid_id = self.context.get("grid_id")
            if not grid_id:
                raise Refusal(
                    "grid_id",
                    self.tr(
                        "%1, village (grid): none chosen. Choose the organisation's village or grid in the grid tree first, then create the organisation."
                    ).replace("%1", record),
                )
            organisation = places.register_organisation(tx, grid_id=grid_id, kind=kind, name=name, **values)
        else:
            organisation = tx.session.get_one(Organisation, self.record_id)
            places.update_organisation(tx, organisation, kind=kind, name=name, **values)
        for membership_id in self.removed:
            places.remove_member(tx, tx.session.get_one(Membership, membership_id))
        for m in self.members:
            if m["membership_id"] is None:
                member = self.tr("Member “%1”").replace("%1", m["name"])
                person = live(tx, Person, m["person_id"], "person_id", member)
                places.add_member(tx, organisation, person, m["role"] or MEMBER_ROLE)
            elif m["role"] != m["saved_role"]:
                tx.update(tx.session.get_one(Membership, m["membership_id"]), role=m["role"])
        return organisation.id

    def kind_name(self) -> str:
        return codes.table("OrgKind").label(self.kind_picker.code()) or self.tr("Organisation")

    def draft_title(self) -> str:
        name = self.name_edit.text().strip() or self.tr("(no name yet)")
        return f"{self.kind_name()} · {name}"

    def window_title(self) -> str:
        if self.record_id is None:
            return self.tr("New organisation")
        return self.tr("Organisation: %1").replace("%1", self.name_edit.text().strip())


def _member(row: places.MemberRow) -> dict[str, Any]:
    """A saved membership as the members table shows it and the form keeps it (its role as saved)."""
    return {
        "membership_id": row.membership_id,
        "person_id": row.person_id,
        **shown_person(row.name, row.id_number, row.phone),
        "role": row.role,
        "saved_role": row.role,
    }
