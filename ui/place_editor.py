"""The place editor (场所): rental housing with its owner and tenants, complex places, service points.

The place kind decides the form: rental housing (出租屋) has an owner picked from the people of the ledger, the
rental use, rooms and area, and a tenants table (add a tenant with a start date, end a tenancy with an end date);
a complex place (复杂场所) has a category, a responsible person and risk notes; a service point of the 一刻钟服务圈
has its service category, opening hours and contact. Tenancies added or ended are written with the save.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app import codes
from app.models import Person, Place, Tenancy
from app.search import PersonHit
from app.services import places
from app.services.common import live
from app.writer import WriteTx
from ui import widgets
from ui.forms import RecordDialog, Refusal, hub, open_editor
from ui.person_picker import PersonPicker, shown_person
from ui.widgets import CodePicker, DateEdit, NoteEdit, note_field, parse_date, text_field

RENTAL = "rental"
COMPLEX = "complex"
SERVICE_POINT = "service_point"


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab visits ``widgets`` in this order (hidden ones are skipped by Qt)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def make_table(headers: Sequence[str]) -> QTableWidget:
    """A read-only, row-selecting table that Tab leaves and Enter passes to the dialog (save)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(150)
    return table


def follow_current(table: QTableWidget, row: int) -> None:
    """The row the keyboard is on is the row chosen (focus entering a table puts it on the first row)."""
    if row >= 0 and not table.selectionModel().isRowSelected(row):
        table.selectRow(row)


def editor_window(dialog: RecordDialog) -> QWidget:
    """The window to open further editors from: the main window when there is one, else the dialog itself."""
    parent = dialog.parentWidget()
    return parent if parent is not None and hasattr(parent, "ledger") else dialog


def _same_tenancy(one: dict[str, Any], other: dict[str, Any]) -> bool:
    if one["tenancy_id"] is not None or other["tenancy_id"] is not None:
        return bool(one["tenancy_id"] == other["tenancy_id"])
    return bool(one["person_id"] == other["person_id"])


class PlaceEditor(RecordDialog):
    kind = "place"

    # -- the form ----------------------------------------------------------------------------------
    def build_form(self, layout: QVBoxLayout) -> None:
        self.resize(780, 660)
        self.loaded_fields: dict[str, Any] = {}
        """The place's ``fields`` as loaded: details this form does not show are kept as they were."""
        self.other_category = ""
        """The category of a kind without a category row here (kept as it was)."""
        self.tenancies: list[dict[str, Any]] = []
        """The tenants table: saved tenancies and those added or ended since (written with the save)."""
        self.auto_phone = ""
        """The phone filled in from the picked owner (replaced when another owner is picked, unless edited)."""

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        scroll.setWidget(body)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)

        form = QFormLayout()
        self.form = form
        column.addLayout(form)
        self.grid_label = QLabel()
        form.addRow(self.tr("Grid:"), self.grid_label)
        self.kind_picker = CodePicker("PlaceKind", blank=False)
        form.addRow(self.tr("Place t&ype:"), self.kind_picker)
        self.name_edit = text_field(Place.name)
        form.addRow(self.tr("&Name:"), self.name_edit)
        self.address_edit = text_field(Place.address)
        form.addRow(self.tr("A&ddress:"), self.address_edit)

        self.renting_use = CodePicker("RentingUse")
        form.addRow(self.tr("Rental &use:"), self.renting_use)
        self.complex_category = QComboBox()
        self.complex_category.setEditable(True)
        self.complex_category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.complex_category.addItems(["", *places.COMPLEX_PLACE_CATEGORIES])
        complex_line = self.complex_category.lineEdit()
        assert complex_line is not None
        complex_line.setMaxLength(16)
        form.addRow(self.tr("&Category:"), self.complex_category)
        self.service_category = CodePicker("ServiceCircle")
        form.addRow(self.tr("Service &category:"), self.service_category)

        self.owner_label = QLabel()
        self.owner_picker = PersonPicker(self.ledger)
        self.owner_label.setBuddy(self.owner_picker)
        form.addRow(self.owner_label, self.owner_picker)
        self.phone_edit = text_field(Place.phone)
        form.addRow(self.tr("&Phone:"), self.phone_edit)

        self.rooms_spin = QSpinBox()
        self.rooms_spin.setRange(0, 999)
        self.rooms_spin.setSpecialValueText(self.tr("not recorded"))
        form.addRow(self.tr("&Rooms:"), self.rooms_spin)
        self.area_spin = QDoubleSpinBox()
        self.area_spin.setRange(0, 100000)
        self.area_spin.setDecimals(1)
        self.area_spin.setSuffix(" m²")
        self.area_spin.setSpecialValueText(self.tr("not recorded"))
        form.addRow(self.tr("Floor &area:"), self.area_spin)
        self.hours_edit = QLineEdit()
        self.hours_edit.setMaxLength(60)
        self.hours_edit.setPlaceholderText("8:00-18:00")
        form.addRow(self.tr("Opening &hours:"), self.hours_edit)

        self.danger_picker = CodePicker("HiddenDangerType", blank=False)
        form.addRow(self.tr("Hidden dan&ger:"), self.danger_picker)
        self.risk_edit = NoteEdit()
        self.risk_edit.setPlaceholderText(
            self.tr("Risks found and measures taken (Enter starts a new line; Ctrl+Enter saves)")
        )
        form.addRow(self.tr("Ris&k notes:"), self.risk_edit)
        self.note_edit = note_field(Place.note)
        form.addRow(self.tr("N&otes:"), self.note_edit)

        self.tenants_box = QGroupBox(self.tr("Tenants"))
        column.addWidget(self.tenants_box)
        box = QVBoxLayout(self.tenants_box)
        add_row = QHBoxLayout()
        tenant_label = QLabel(self.tr("&Tenant:"))
        self.tenant_picker = PersonPicker(self.ledger)
        tenant_label.setBuddy(self.tenant_picker)
        start_label = QLabel(self.tr("&From:"))
        self.start_edit = DateEdit()
        start_label.setBuddy(self.start_edit)
        self.add_tenant_button = QPushButton(self.tr("Add t&enant"))
        self.add_tenant_button.setAutoDefault(False)
        add_row.addWidget(tenant_label)
        add_row.addWidget(self.tenant_picker, 3)
        add_row.addWidget(start_label)
        add_row.addWidget(self.start_edit, 1)
        add_row.addWidget(self.add_tenant_button)
        box.addLayout(add_row)
        self.tenant_table = make_table(
            [self.tr("Tenant"), self.tr("ID number"), self.tr("Phone"), self.tr("From"), self.tr("Until")]
        )
        box.addWidget(self.tenant_table)
        end_row = QHBoxLayout()
        end_label = QLabel(self.tr("&Moved out on:"))
        self.end_edit = DateEdit()
        end_label.setBuddy(self.end_edit)
        self.end_button = QPushButton(self.tr("End tenan&cy"))
        self.end_button.setAutoDefault(False)
        self.open_tenant_button = QPushButton(self.tr("Open per&son"))
        self.open_tenant_button.setAutoDefault(False)
        self.remove_tenant_button = QPushButton(self.tr("Remo&ve unsaved"))
        self.remove_tenant_button.setAutoDefault(False)
        end_row.addWidget(end_label)
        end_row.addWidget(self.end_edit)
        end_row.addWidget(self.end_button)
        end_row.addStretch(1)
        end_row.addWidget(self.open_tenant_button)
        end_row.addWidget(self.remove_tenant_button)
        box.addLayout(end_row)
        column.addStretch(1)

        self.field_widgets.update(
            kind=self.kind_picker,
            name=self.name_edit,
            address=self.address_edit,
            owner_id=self.owner_picker,
            owner_name=self.owner_picker,
            phone=self.phone_edit,
            hidden_danger=self.danger_picker,
            note=self.note_edit,
            person_id=self.tenant_picker,
            start_on=self.start_edit,
            end_on=self.end_edit,
            place_id=self.kind_picker,
        )
        chain_tab_order(
            [
                self.kind_picker,
                self.name_edit,
                self.address_edit,
                self.renting_use,
                self.complex_category,
                self.service_category,
                self.owner_picker,
                self.phone_edit,
                self.rooms_spin,
                self.area_spin,
                self.hours_edit,
                self.danger_picker,
                self.risk_edit,
                self.note_edit,
                self.tenant_picker,
                self.start_edit,
                self.add_tenant_button,
                self.tenant_table,
                self.end_edit,
                self.end_button,
                self.open_tenant_button,
                self.remove_tenant_button,
            ]
        )

        self.kind_picker.codeChanged.connect(self.show_kind)
        self.owner_picker.picked.connect(self.owner_picked)
        self.add_tenant_button.clicked.connect(self.add_tenant)
        self.end_button.clicked.connect(self.end_tenancy)
        self.open_tenant_button.clicked.connect(self.open_tenant)
        self.remove_tenant_button.clicked.connect(self.remove_tenant)
        self.tenant_table.doubleClicked.connect(lambda _index: self.open_tenant())
        self.tenant_table.itemSelectionChanged.connect(self.tenant_selected)
        self.tenant_table.currentCellChanged.connect(lambda row, *_: follow_current(self.tenant_table, row))
        for widget in (self.tenant_picker, self.start_edit, self.end_edit):
            widget.installEventFilter(self)

        hub().saved.connect(self.saved_elsewhere)

        self.danger_picker.set_code("00")
        self.show_grid(self.context.get("grid_id"))
        self.kind_picker.set_code(str(self.context.get("kind") or RENTAL))
        self.show_kind(self.kind_picker.code())
        self.tenant_selected()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the tenants' rows acts there (instead of saving the form): in the add-a-tenant row once a
        person is picked it adds them; in the moved-out date, a date not yet given ends the chosen tenancy."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            if (
                watched in (self.tenant_picker, self.start_edit)
                and not self.tenant_picker.results_visible()
                and self.tenant_picker.person_id() is not None
            ):
                self.add_tenant()
                return True
            tenancy = self.selected_tenancy()
            typed = self.end_edit.date()
            if (
                watched is self.end_edit
                and self.end_edit.text().strip()
                and tenancy is not None
                and (typed is None or tenancy["end_on"] != typed.isoformat())
            ):
                self.end_tenancy()
                return True
        return super().eventFilter(watched, event)

    def show_grid(self, grid_id: str | None) -> None:
        widgets.show_grid(
            self.grid_label,
            self.ledger,
            grid_id,
            self.tr("No grid chosen: choose a grid in the grid tree first"),
        )

    def show_kind(self, kind: str) -> None:
        """Show the rows of the place kind's sub-form and hide the others."""
        rows: list[tuple[QWidget, bool]] = [
            (self.renting_use, kind == RENTAL),
            (self.complex_category, kind == COMPLEX),
            (self.service_category, kind == SERVICE_POINT),
            (self.rooms_spin, kind == RENTAL),
            (self.area_spin, kind == RENTAL),
            (self.hours_edit, kind == SERVICE_POINT),
            (self.risk_edit, kind == COMPLEX),
        ]
        for widget, visible in rows:
            self.form.setRowVisible(widget, visible)
        self.tenants_box.setVisible(kind == RENTAL)
        self.owner_label.setText(
            {
                RENTAL: self.tr("O&wner:"),
                COMPLEX: self.tr("Responsi&ble person:"),
                SERVICE_POINT: self.tr("Con&tact:"),
            }.get(kind, self.tr("Responsi&ble person:"))
        )
        self.field_widgets["category"] = self.category_widget(kind)

    def category_widget(self, kind: str) -> QWidget:
        if kind == RENTAL:
            return self.renting_use
        if kind == SERVICE_POINT:
            return self.service_category
        return self.complex_category

    def category(self, kind: str) -> str:
        if kind == RENTAL:
            return self.renting_use.code()
        if kind == SERVICE_POINT:
            return self.service_category.code()
        if kind == COMPLEX:
            return self.complex_category.currentText().strip()
        return self.other_category

    def set_category(self, kind: str, value: str) -> None:
        if kind == RENTAL:
            self.renting_use.set_code(value)
        elif kind == SERVICE_POINT:
            self.service_category.set_code(value)
        elif kind == COMPLEX:
            self.complex_category.setEditText(value)

    def owner_picked(self, hit: PersonHit) -> None:
        """The owner's (or responsible person's) phone comes with them unless another was typed."""
        if not self.phone_edit.text().strip() or self.phone_edit.text() == self.auto_phone:
            self.phone_edit.setText(hit.phone)
            self.auto_phone = hit.phone
        self.mark_dirty()

    # -- tenants -----------------------------------------------------------------------------------
    def add_tenant(self) -> None:
        picker = self.tenant_picker
        person_id = picker.person_id()
        if person_id is None:
            self.say(self.tr("Tenant: type a name and pick the person from the list first."), picker)
            return
        typed = self.start_edit.text().strip()
        start = parse_date(typed)
        if typed and start is None:
            self.say(
                self.tr("From: “%1” is not a date; type it like 2025-03-01.").replace("%1", typed),
                self.start_edit,
            )
            return
        if any(t["person_id"] == person_id and not t["end_on"] for t in self.tenancies):
            self.say(self.tr("%1 is already a tenant here.").replace("%1", picker.person_name()), picker)
            return
        hit = picker.hit
        self.tenancies.append(
            {
                "tenancy_id": None,
                "person_id": person_id,
                **shown_person(
                    picker.person_name(), hit.id_number if hit else None, hit.phone if hit else None
                ),
                "start_on": start.isoformat() if start else "",
                "end_on": "",
                "saved_end_on": "",
            }
        )
        self.error.setVisible(False)
        picker.clear_person()
        self.show_tenancies(select=len(self.tenancies) - 1)
        self.mark_dirty()
        picker.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_tenancy(self) -> dict[str, Any] | None:
        row = self.tenant_table.currentRow()
        return self.tenancies[row] if 0 <= row < len(self.tenancies) else None

    def end_tenancy(self) -> None:
        tenancy = self.selected_tenancy()
        if tenancy is None:
            self.say(self.tr("Pick the tenant who moved out in the table first."), self.tenant_table)
            return
        end = self.end_edit.date()
        if end is None:
            self.say(
                self.tr("Moved out on: type the date the tenant moved out, like 2025-10-31."), self.end_edit
            )
            return
        tenancy["end_on"] = end.isoformat()
        self.error.setVisible(False)
        self.show_tenancies(select=self.tenancies.index(tenancy))
        self.mark_dirty()

    def remove_tenant(self) -> None:
        tenancy = self.selected_tenancy()
        if tenancy is None:
            return
        if tenancy["tenancy_id"] is not None:
            self.say(
                self.tr(
                    "A saved tenancy stays in the ledger: type the date the tenant moved out and end it."
                ),
                self.end_edit,
            )
            return
        self.tenancies.remove(tenancy)
        self.show_tenancies()
        self.mark_dirty()

    def open_tenant(self) -> None:
        tenancy = self.selected_tenancy()
        if tenancy is not None:
            open_editor(editor_window(self), "person", tenancy["person_id"])

    def tenant_selected(self) -> None:
        tenancy = self.selected_tenancy()
        self.end_button.setEnabled(tenancy is not None)
        self.open_tenant_button.setEnabled(tenancy is not None)
        self.remove_tenant_button.setEnabled(tenancy is not None and tenancy["tenancy_id"] is None)

    def show_tenancies(self, select: int | None = None) -> None:
        table = self.tenant_table
        table.setRowCount(len(self.tenancies))
        for row, t in enumerate(self.tenancies):
            pending = t["tenancy_id"] is None or t["end_on"] != t["saved_end_on"]
            cells = [t["name"], t["id_number"], t["phone"], t["start_on"], t["end_on"]]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if pending:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                    item.setToolTip(self.tr("Saved with the place"))
                table.setItem(row, col, item)
        if select is not None and 0 <= select < len(self.tenancies):
            table.selectRow(select)
        self.tenant_selected()

    def saved_elsewhere(self, kind: str, record_id: str) -> None:
        """A save (another editor, an undo) touched this place or one of its tenants: show the tenants table as
        the ledger now has it."""
        if (kind == self.kind and record_id == self.record_id) or (
            kind == "person" and any(t["person_id"] == record_id for t in self.tenancies)
        ):
            self.reread_tenancies()

    def reread_tenancies(self) -> None:
        """Read the tenants table again, keeping what this form has not saved yet (tenants added, moving-out
        dates typed); the other fields keep what is typed in them."""
        chosen = self.selected_tenancy()
        mine = {t["tenancy_id"]: t for t in self.tenancies if t["tenancy_id"] is not None}
        unsaved = [t for t in self.tenancies if t["tenancy_id"] is None]
        with self.ledger.read() as session:
            rows = places.TenantRow.of_place(session, self.record_id) if self.record_id else []
            people = {t["person_id"]: session.get(Person, t["person_id"]) for t in unsaved}
        tenancies = []
        for row in rows:
            tenancy = _tenancy(row)
            typed = mine.get(row.tenancy_id)
            if typed is not None and typed["end_on"] != typed["saved_end_on"]:
                tenancy["end_on"] = typed["end_on"]  # a moving-out date typed here and not saved yet
            tenancies.append(tenancy)
        for t in unsaved:
            person = people.get(t["person_id"])
            if person is not None:
                t |= shown_person(person.name, person.id_number, person.phone)
            tenancies.append(t)
        self.tenancies = tenancies
        keep = next(
            (i for i, t in enumerate(tenancies) if chosen is not None and _same_tenancy(t, chosen)), None
        )
        self.show_tenancies(select=keep)

    # -- load, draft, save -------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        place = session.get_one(Place, self.record_id)
        self.loaded_fields = dict(place.fields or {})
        self.kind_picker.set_code(place.kind)
        self.kind_picker.setEnabled(False)  # the sub-form's records (tenancies …) belong to the kind
        self.show_kind(place.kind)
        self.show_grid(place.grid_id)
        self.name_edit.setText(place.name)
        self.address_edit.setText(place.address)
        self.set_category(place.kind, place.category)
        self.other_category = place.category
        owner = session.get(Person, place.owner_id) if place.owner_id else None
        self.owner_picker.set_person(place.owner_id, place.owner_name, owner.id_number if owner else None)
        self.phone_edit.setText(place.phone)
        self.danger_picker.set_code(place.hidden_danger or "00")
        self.note_edit.setPlainText(place.note)
        self.rooms_spin.setValue(int(self.loaded_fields.get("rooms") or 0))
        self.area_spin.setValue(float(self.loaded_fields.get("area") or 0))
        self.hours_edit.setText(str(self.loaded_fields.get("hours") or ""))
        self.risk_edit.setPlainText(str(self.loaded_fields.get("risk") or ""))
        self.tenancies = [_tenancy(t) for t in places.TenantRow.of_place(session, place.id)]
        self.show_tenancies()

    def form_state(self) -> dict[str, Any]:
        kind = self.kind_picker.code()
        return {
            "kind": kind,
            "name": self.name_edit.text(),
            "address": self.address_edit.text(),
            "renting_use": self.renting_use.code(),
            "complex_category": self.complex_category.currentText(),
            "service_category": self.service_category.code(),
            "owner": self.owner_picker.state(),
            "phone": self.phone_edit.text(),
            "rooms": self.rooms_spin.value(),
            "area": self.area_spin.value(),
            "hours": self.hours_edit.text(),
            "hidden_danger": self.danger_picker.code(),
            "risk": self.risk_edit.toPlainText(),
            "note": self.note_edit.toPlainText(),
            "tenancies": [dict(t) for t in self.tenancies],
            "tenant": self.tenant_picker.state(),
            "start_on": self.start_edit.text(),
            "end_on": self.end_edit.text(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        if self.record_id is None:
            self.kind_picker.set_code(str(state.get("kind") or RENTAL))
        self.show_kind(self.kind_picker.code())
        self.name_edit.setText(str(state.get("name") or ""))
        self.address_edit.setText(str(state.get("address") or ""))
        self.renting_use.set_code(str(state.get("renting_use") or ""))
        self.complex_category.setEditText(str(state.get("complex_category") or ""))
        self.service_category.set_code(str(state.get("service_category") or ""))
        self.owner_picker.restore(state.get("owner"))
        self.phone_edit.setText(str(state.get("phone") or ""))
        self.rooms_spin.setValue(int(state.get("rooms") or 0))
        self.area_spin.setValue(float(state.get("area") or 0))
        self.hours_edit.setText(str(state.get("hours") or ""))
        self.danger_picker.set_code(str(state.get("hidden_danger") or "00"))
        self.risk_edit.setPlainText(str(state.get("risk") or ""))
        self.note_edit.setPlainText(str(state.get("note") or ""))
        self.tenancies = [dict(t) for t in state.get("tenancies") or []]
        self.tenant_picker.restore(state.get("tenant"))
        self.start_edit.setText(str(state.get("start_on") or ""))
        self.end_edit.setText(str(state.get("end_on") or ""))
        self.show_tenancies()

    def details(self, kind: str) -> dict[str, Any]:
        """The place's ``fields``: what was there, with this kind's own details as typed."""
        fields = dict(self.loaded_fields)
        typed: dict[str, Any] = {}
        if kind == RENTAL:
            typed = {"rooms": self.rooms_spin.value(), "area": round(self.area_spin.value(), 1)}
        elif kind == SERVICE_POINT:
            typed = {"hours": self.hours_edit.text().strip()}
        elif kind == COMPLEX:
            typed = {"risk": self.risk_edit.toPlainText().strip()}
        for key, value in typed.items():
            if value:
                fields[key] = value
            else:
                fields.pop(key, None)
        return fields

    def save(self, tx: WriteTx) -> str:
        kind = self.kind_picker.code()
        name = self.name_edit.text()
        record = self.tr("Place “%1”").replace("%1", name.strip()) if name.strip() else self.tr("Place")
        if not kind:
            raise Refusal(
                "kind",
                self.tr(
                    "%1, place type: choose the type of place (rental housing, complex place, service point …)."
                ).replace("%1", record),
            )
        values: dict[str, Any] = {
            "address": self.address_edit.text().strip(),
            "category": self.category(kind),
            "owner_id": self.owner_picker.person_id(),
            "owner_name": self.owner_picker.person_name(),
            "phone": self.phone_edit.text().strip(),
            "hidden_danger": self.danger_picker.code() or "00",
            "note": self.note_edit.toPlainText().strip(),
            "fields": self.details(kind),
        }
        if self.record_id is None:
            grid_id = self.context.get("grid_id")
            if not grid_id:
                raise Refusal(
                    "grid_id",
                    self.tr(
                        "%1, grid: none chosen. Choose the place's grid in the grid tree first, then create the place."
                    ).replace("%1", record),
                )
            place = places.register_place(tx, grid_id=grid_id, kind=kind, name=name, **values)
        else:
            place = tx.session.get_one(Place, self.record_id)
            places.update_place(tx, place, name=name, **values)
        for t in self.tenancies:
            end = date.fromisoformat(t["end_on"]) if t["end_on"] else None
            if t["tenancy_id"] is None:
                tenant = self.tr("Tenant “%1”").replace("%1", t["name"])
                person = live(tx, Person, t["person_id"], "person_id", tenant)
                start = date.fromisoformat(t["start_on"]) if t["start_on"] else None
                tenancy = places.add_tenant(tx, place, person, start)
                if end is not None:
                    places.end_tenancy(tx, tenancy, end)
            elif end is not None and t["end_on"] != t["saved_end_on"]:
                places.end_tenancy(tx, tx.session.get_one(Tenancy, t["tenancy_id"]), end)
        return place.id

    def kind_name(self) -> str:
        return codes.table("PlaceKind").label(self.kind_picker.code()) or self.tr("Place")

    def draft_title(self) -> str:
        name = self.name_edit.text().strip() or self.tr("(no name yet)")
        return f"{self.kind_name()} · {name}"

    def window_title(self) -> str:
        if self.record_id is None:
            return self.tr("New place")
        return self.tr("Place: %1").replace("%1", self.name_edit.text().strip())


def _tenancy(row: places.TenantRow) -> dict[str, Any]:
    """A saved tenancy as the tenants table shows it and the form keeps it (its moving-out date as saved)."""
    end_on = row.end_on.isoformat() if row.end_on else ""
    return {
        "tenancy_id": row.tenancy_id,
        "person_id": row.person_id,
        **shown_person(row.name, row.id_number, row.phone),
        "start_on": row.start_on.isoformat() if row.start_on else "",
        "end_on": end_on,
        "saved_end_on": end_on,
    }
