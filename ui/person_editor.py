"""The person editor (人员): basic fields filled from the ID number as it is typed, registered and current
address with region pickers, the residence class's own sub-form, tags, and the sensitive special-group records
(shown only when the section is opened).

Saving refuses a duplicate ID number by offering the person already registered, and warns about a person with
the same name and birth date (save anyway, or go to that person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import codes
from app.errors import DuplicateError, LedgerError
from app.idcard import IdNumberInfo
from app.models import Household, Person, ResidenceDetail, SpecialGroupRecord
from app.services import households, persons
from app.writer import WriteTx
from ui.forms import RecordDialog, Refusal, open_editor
from ui.widgets import (
    CodePicker,
    DateEdit,
    IdNumberEdit,
    NoteEdit,
    RegionPicker,
    TagEdit,
    note_field,
    parse_date,
    text_field,
)

RESIDENT_ID = persons.RESIDENT_ID


PERSON_TEXT_FIELDS = (
    "name", "former_name", "phone", "registered_address", "residence_address", "religion", "occupation",
    "workplace", "note",
)  # fmt: skip
PERSON_CODE_FIELDS = ("id_type", "sex", "ethnicity", "marital", "political", "education", "residence_class")
PERSON_REGION_FIELDS = ("native_place", "registered_region", "residence_region")


class NamesakeWarning(LedgerError):
    """Another live person has the same name and birth date: the editor asks before saving."""

    def __init__(self, people: list[tuple[str, str]], message: str) -> None:
        super().__init__(message)
        self.people = people
        """(id, description) of each namesake."""


@dataclass
class GroupEntry:
    """A special-group record as the editor holds it (id None until saved)."""

    id: str | None
    group_code: str
    concern_level: str
    help_situation: str
    note: str
    changed: bool = False

    def as_state(self) -> dict[str, Any]:
        return dict(self.__dict__)


class SpecialGroupDialog(QDialog):
    """Add or change one special-group record: group, concern level, help situation, a note."""

    def __init__(self, entry: GroupEntry | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Special group record"))
        form = QFormLayout(self)
        self.group = CodePicker("SpecialGroup", blank=False)
        self.concern = CodePicker("ConcernDegree", blank=False)  # 关注程度, GB/T 31000: 高, 中, 低
        self.help = CodePicker("HelpSituation")
        self.note = QLineEdit()
        form.addRow(self.tr("&Group:"), self.group)
        form.addRow(self.tr("&Concern level:"), self.concern)
        form.addRow(self.tr("&Help situation:"), self.help)
        form.addRow(self.tr("&Details:"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.entry_id = entry.id if entry else None
        if entry is not None:
            self.group.set_code(entry.group_code)
            self.concern.set_code(entry.concern_level)
            self.help.set_code(entry.help_situation)
            self.note.setText(entry.note)

    def entry(self) -> GroupEntry:
        return GroupEntry(
            self.entry_id,
            self.group.code(),
            self.concern.code(),
            self.help.code(),
            self.note.text().strip(),
            changed=True,
        )


def _field_spec() -> dict[str, list[tuple[str, str, str | None]]]:
    """Residence class → (field, kind, code table) of its own fields, in form order."""
    spec: dict[str, list[tuple[str, str, str | None]]] = {}
    for klass, fields in persons.RESIDENCE_FIELDS.items():
        rows: list[tuple[str, str, str | None]] = []
        for name, table in fields.items():
            kind = "code" if table else "date" if name.endswith(("_on", "_expiry")) else "text"
            rows.append((name, kind, table))
        spec[klass] = rows
    return spec


class PersonEditor(RecordDialog):
    """Edit or register a person; with context ``{"household_id": …}`` a new person joins that household."""

    kind = "person"

    # -- building -------------------------------------------------------------------------------------------
    def build_form(self, layout: QVBoxLayout) -> None:
        self.household_id: str | None = self.context.get("household_id")
        self.household_label = ""
        self.loaded_relation = ""
        self.namesakes_accepted: set[str] = set()
        self.groups: list[GroupEntry] = []
        self.groups_loaded = False
        self.residence_values: dict[str, dict[str, Any]] = {}
        self._from_id: dict[str, str] = {}
        """Field → the value the ID number filled in (overwritten again only while still unchanged)."""

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        scroll.setWidget(body)
        layout.addWidget(scroll)

        # 基本信息
        basic = QGroupBox(self.tr("Basic information"))
        form = QFormLayout(basic)
        self.name = text_field(Person.name)
        self.id_type = CodePicker("IdType", blank=False)
        self.id_number = IdNumberEdit(record=self.tr("Person"))
        self.id_summary = QLabel()
        self.id_summary.setStyleSheet("color: #1b5e20;")
        self.relation = CodePicker("Relation")
        self.relation_label = QLabel(self.tr("&Relation to head:"))
        self.relation_label.setBuddy(self.relation)
        self.sex = CodePicker("Sex")
        self.birth_date = DateEdit()
        self.ethnicity = CodePicker("Ethnicity")
        self.former_name = QLineEdit()
        self.phone = text_field(Person.phone)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("ID &type:"), self.id_type)
        form.addRow(self.tr("&ID number:"), self.id_number)
        form.addRow("", self.id_number.message)
        form.addRow("", self.id_summary)
        form.addRow(self.relation_label, self.relation)
        form.addRow(self.tr("&Sex:"), self.sex)
        form.addRow(self.tr("&Birth date:"), self.birth_date)
        form.addRow(self.tr("&Ethnicity:"), self.ethnicity)
        form.addRow(self.tr("&Former name:"), self.former_name)
        form.addRow(self.tr("&Phone:"), self.phone)
        grid.addWidget(basic, 0, 0)

        # 户籍/现住
        where = QGroupBox(self.tr("Registered and current residence"))
        form = QFormLayout(where)
        self.native_place = RegionPicker()
        self.registered_region = RegionPicker()
        self.registered_address = QLineEdit()
        self.residence_region = RegionPicker()
        self.residence_address = QLineEdit()
        form.addRow(self.tr("Native &place:"), self.native_place)
        form.addRow(self.tr("Re&gistered region:"), self.registered_region)
        form.addRow(self.tr("Registered address:"), self.registered_address)
        form.addRow(self.tr("C&urrent region:"), self.residence_region)
        form.addRow(self.tr("Current address:"), self.residence_address)
        grid.addWidget(where, 0, 1)

        # 其他信息
        more = QGroupBox(self.tr("Other information"))
        form = QFormLayout(more)
        self.marital = CodePicker("Marital")
        self.political = CodePicker("Political")
        self.education = CodePicker("Education")
        self.religion = QLineEdit()
        self.occupation = QLineEdit()
        self.workplace = QLineEdit()
        self.tags = TagEdit(suggestions=("低保", "五保", "脱贫户", "残疾人", "独居老人", "留守", "退役军人"))
        self.note = note_field(Person.note)
        form.addRow(self.tr("&Marital status:"), self.marital)
        form.addRow(self.tr("P&olitical status:"), self.political)
        form.addRow(self.tr("E&ducation:"), self.education)
        form.addRow(self.tr("Religion:"), self.religion)
        form.addRow(self.tr("Occupation:"), self.occupation)
        form.addRow(self.tr("Workplace:"), self.workplace)
        form.addRow(self.tr("T&ags:"), self.tags)
        form.addRow(self.tr("&Note:"), self.note)
        grid.addWidget(more, 1, 0)

        # 人口类别 and its own fields
        klass = QGroupBox(self.tr("Residence class"))
        box = QVBoxLayout(klass)
        top = QFormLayout()
        self.residence_class = CodePicker("ResidenceClass", blank=False)
        top.addRow(self.tr("Residence &class:"), self.residence_class)
        box.addLayout(top)
        self.class_pages = QStackedWidget()
        self.class_fields: dict[str, dict[str, QWidget]] = {}
        plain = QLabel(self.tr("Registered residents have no extra fields."))
        plain.setEnabled(False)
        self.class_pages.addWidget(plain)
        labels = self._class_field_labels()
        for code, rows in _field_spec().items():
            page = QWidget()
            page_form = QFormLayout(page)
            page_form.setContentsMargins(0, 0, 0, 0)
            widgets: dict[str, QWidget] = {}
            for name, kind, table in rows:
                widget: QWidget
                if kind == "code" and table:
                    widget = CodePicker(table)
                elif kind == "date":
                    widget = DateEdit()
                else:
                    widget = QLineEdit()
                widgets[name] = widget
                page_form.addRow(labels.get(name, name) + "：", widget)
            self.class_fields[code] = widgets
            self.class_pages.addWidget(page)
        box.addWidget(self.class_pages)
        self.residence_class.codeChanged.connect(self._class_changed)
        grid.addWidget(klass, 1, 1)

        # 特殊人群 (sensitive: closed until asked for)
        special = QGroupBox(self.tr("Special groups (sensitive)"))
        box = QVBoxLayout(special)
        self.show_groups = QPushButton(self.tr("Show special-group records…"))
        self.show_groups.setAutoDefault(False)
        self.show_groups.clicked.connect(self.reveal_groups)
        box.addWidget(self.show_groups)
        self.group_table = QTableWidget(0, 4)
        self.group_table.setHorizontalHeaderLabels(
            [self.tr("Group"), self.tr("Concern level"), self.tr("Help situation"), self.tr("Details")]
        )
        self.group_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.group_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.group_table.setTabKeyNavigation(False)
        self.group_table.horizontalHeader().setStretchLastSection(True)
        self.group_table.setMaximumHeight(120)
        self.group_table.doubleClicked.connect(lambda _i: self.edit_group())
        self.group_buttons = QWidget()
        row = QHBoxLayout(self.group_buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_group_button = QPushButton(self.tr("Add record…"))
        self.edit_group_button = QPushButton(self.tr("Change record…"))
        for button in (self.add_group_button, self.edit_group_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        self.add_group_button.clicked.connect(self.add_group)
        self.edit_group_button.clicked.connect(self.edit_group)
        box.addWidget(self.group_table)
        box.addWidget(self.group_buttons)
        self.group_table.setVisible(False)
        self.group_buttons.setVisible(False)
        grid.addWidget(special, 2, 0, 1, 2)

        self.field_widgets.update(
            name=self.name, id_type=self.id_type, id_number=self.id_number, relation=self.relation,
            sex=self.sex, birth_date=self.birth_date, ethnicity=self.ethnicity, former_name=self.former_name,
            phone=self.phone, native_place=self.native_place, registered_region=self.registered_region,
            registered_address=self.registered_address, residence_region=self.residence_region,
            residence_address=self.residence_address, marital=self.marital, political=self.political,
            education=self.education, religion=self.religion, occupation=self.occupation,
            workplace=self.workplace, tags=self.tags, note=self.note, residence_class=self.residence_class,
            household_id=self.relation,
        )  # fmt: skip
        for fields in self.class_fields.values():
            self.field_widgets.update(fields)
        self.id_number.checked.connect(self._id_checked)
        self.id_type.codeChanged.connect(lambda _c: self._id_checked(self.id_number.info))
        self.resize(1000, 680)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ethnicity.set_code("01")
        self._show_relation()
        if self.household_id and self.record_id is None:
            with self.ledger.read() as session:
                household = session.get(Household, self.household_id)
                if household is not None:
                    self.household_label = household.number
                    self.residence_address.setText(household.address)

    def _class_field_labels(self) -> dict[str, str]:
        return {
            "inflow_cause": self.tr("Reason for moving in"),
            "certificate_type": self.tr("Permit type"),
            "certificate_number": self.tr("Permit number"),
            "certificate_expiry": self.tr("Permit valid until"),
            "domicile_type": self.tr("Dwelling type"),
            "registered_on": self.tr("Registered on"),
            "foreign_surname": self.tr("Surname (foreign)"),
            "foreign_given_name": self.tr("Given name (foreign)"),
            "nationality": self.tr("Nationality"),
            "purpose": self.tr("Purpose of stay"),
            "arrived_on": self.tr("Arrived on"),
            "leaving_on": self.tr("Leaving on"),
            "reason": self.tr("Reason not registered"),
            "certificate": self.tr("Documents held"),
        }

    def _show_relation(self) -> None:
        shown = bool(self.household_id)
        self.relation.setVisible(shown)
        self.relation_label.setVisible(shown)

    def _class_changed(self, code: str) -> None:
        pages = {"2": 1, "3": 2, "4": 3}
        self.class_pages.setCurrentIndex(pages.get(code, 0))

    # -- the ID number fills birth date, sex and region ------------------------------------------------------
    def _id_checked(self, info: IdNumberInfo | None) -> None:
        if info is None or self.id_type.code() != RESIDENT_ID:
            self.id_summary.setText("")
            return
        sex_name = codes.table("Sex").label(info.sex) or ""
        self.id_summary.setText(f"{info.region_name} · {info.birth_date.isoformat()} · {sex_name}")
        self._fill("birth_date", info.birth_date.isoformat(), self.birth_date.text, self.birth_date.setText)
        self._fill("sex", info.sex, self.sex.code, self.sex.set_code)
        for field, picker in (
            ("native_place", self.native_place),
            ("registered_region", self.registered_region),
        ):
            self._fill(field, info.region_code, picker.code, picker.set_code)

    def _fill(self, field: str, value: str, current: Any, setter: Any) -> None:
        now = current()
        if not now or now == self._from_id.get(field) or field in ("birth_date", "sex"):
            setter(value)
            self._from_id[field] = value

    # -- special groups -------------------------------------------------------------------------------------
    def reveal_groups(self) -> None:
        """Open the sensitive section: load the records (the viewing is audited) and show them."""
        if not self.groups_loaded and self.record_id is not None:
            with self.ledger.write() as tx:
                person = tx.session.get_one(Person, self.record_id)
                rows = list(
                    tx.session.scalars(
                        select(SpecialGroupRecord).where(
                            SpecialGroupRecord.person_id == self.record_id,
                            SpecialGroupRecord.deleted.is_(False),
                        )
                    )
                )
                tx.log_view(person, ["special_group_record"], "查看特殊人群信息")
            known = {g.id for g in self.groups if g.id}
            self.groups[:0] = [
                GroupEntry(
                    r.id, r.group_code, r.concern_level, r.help_situation, str(r.fields.get("note", ""))
                )
                for r in rows
                if r.id not in known
            ]
        self.groups_loaded = True
        self.show_groups.setVisible(False)
        self.group_table.setVisible(True)
        self.group_buttons.setVisible(True)
        self._fill_groups()
        self.add_group_button.setFocus()

    def _fill_groups(self) -> None:
        self.group_table.setRowCount(len(self.groups))
        for row, entry in enumerate(self.groups):
            cells = (
                codes.table("SpecialGroup").label(entry.group_code) or entry.group_code,
                codes.table("ConcernDegree").label(entry.concern_level) or entry.concern_level,
                codes.table("HelpSituation").label(entry.help_situation) or entry.help_situation,
                entry.note,
            )
            for column, text in enumerate(cells):
                self.group_table.setItem(row, column, QTableWidgetItem(text))

    def add_group(self) -> None:
        dialog = SpecialGroupDialog(None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.groups.append(dialog.entry())
            self._fill_groups()
            self.mark_dirty()

    def edit_group(self) -> None:
        row = self.group_table.currentRow()
        if not 0 <= row < len(self.groups):
            return
        dialog = SpecialGroupDialog(self.groups[row], self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.groups[row] = dialog.entry()
            self._fill_groups()
            self.mark_dirty()

    # -- load, draft ----------------------------------------------------------------------------------------
    def load(self, session: Session) -> None:
        person = session.get_one(Person, self.record_id)
        self.household_id = person.household_id
        self.loaded_relation = person.relation
        if person.household_id:
            household = session.get(Household, person.household_id)
            self.household_label = household.number if household else ""
        for field in PERSON_TEXT_FIELDS:
            widget = self.field_widgets[field]
            assert isinstance(widget, QLineEdit | NoteEdit)
            widget.setText(str(getattr(person, field) or ""))
        for field in PERSON_CODE_FIELDS:
            picker = self.field_widgets[field]
            assert isinstance(picker, CodePicker)
            picker.set_code(getattr(person, field))
        for field in PERSON_REGION_FIELDS:
            region = self.field_widgets[field]
            assert isinstance(region, RegionPicker)
            region.set_code(getattr(person, field))
        self.relation.set_code(person.relation)
        self.id_number.setText(person.id_number or "")
        self.birth_date.set_date(person.birth_date)
        self.tags.set_tags(person.tags or [])
        self._from_id = {"birth_date": self.birth_date.text(), "sex": self.sex.code()}
        detail = session.scalar(
            select(ResidenceDetail).where(
                ResidenceDetail.person_id == person.id, ResidenceDetail.deleted.is_(False)
            )
        )
        if detail is not None:
            self._set_class_values(detail.residence_class, dict(detail.fields))
        self._show_relation()

    def _set_class_values(self, klass: str, values: dict[str, Any]) -> None:
        for name, widget in self.class_fields.get(klass, {}).items():
            value = values.get(name, "")
            if isinstance(widget, CodePicker):
                widget.set_code(str(value or ""))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))

    def _class_values(self, klass: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.class_fields.get(klass, {}).items():
            if isinstance(widget, CodePicker):
                value = widget.code()
            elif isinstance(widget, DateEdit):
                text = widget.text().strip()
                parsed = widget.date()
                if text and parsed is None:
                    label = self._class_field_labels().get(name, name)
                    raise Refusal(
                        name,
                        self.tr("%1, %2: “%3” is not a date; type it like 1980-03-05.")
                        .replace("%1", self._record())
                        .replace("%2", label)
                        .replace("%3", text),
                        widget,
                    )
                value = parsed.isoformat() if parsed else ""
            else:
                assert isinstance(widget, QLineEdit)
                value = widget.text().strip()
            if value:
                out[name] = value
        return out

    def form_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for field, widget in self.field_widgets.items():
            if field in ("household_id",) or any(field in f for f in self.class_fields.values()):
                continue
            if isinstance(widget, QComboBox):
                state[field] = widget.currentText()
            elif isinstance(widget, QLineEdit | NoteEdit):
                state[field] = widget.text()
        state["class_fields"] = {
            klass: {
                name: (
                    w.currentText()
                    if isinstance(w, QComboBox)
                    else w.text()
                    if isinstance(w, QLineEdit)
                    else ""
                )
                for name, w in fields.items()
            }
            for klass, fields in self.class_fields.items()
        }
        state["household_id"] = self.household_id
        state["groups"] = [g.as_state() for g in self.groups if g.changed]
        state["namesakes_accepted"] = sorted(self.namesakes_accepted)
        return state

    def restore_state(self, state: dict[str, Any]) -> None:
        for field, value in state.items():
            widget = self.field_widgets.get(field)
            if isinstance(widget, QComboBox):
                widget.setEditText(str(value))
                if isinstance(widget, CodePicker | RegionPicker):
                    widget.set_code(widget.code())
            elif isinstance(widget, QLineEdit | NoteEdit):
                widget.setText(str(value))
        for klass, fields in dict(state.get("class_fields") or {}).items():
            for name, value in fields.items():
                widget = self.class_fields.get(klass, {}).get(name)
                if isinstance(widget, QComboBox):
                    widget.setEditText(str(value))
                elif isinstance(widget, QLineEdit):
                    widget.setText(str(value))
        if state.get("household_id"):
            self.household_id = state["household_id"]
        for saved in state.get("groups") or []:
            entry = GroupEntry(**saved)
            match = next((i for i, g in enumerate(self.groups) if entry.id and g.id == entry.id), None)
            if match is None:
                self.groups.append(entry)
            else:
                self.groups[match] = entry
        if self.groups:
            self.groups_loaded = self.record_id is None
        self.namesakes_accepted = set(state.get("namesakes_accepted") or [])
        self._class_changed(self.residence_class.code())
        self._show_relation()

    def draft_title(self) -> str:
        name = self.name.text().strip() or self.tr("(no name)")
        return self.tr("Person %1").replace("%1", name)

    def window_title(self) -> str:
        if self.record_id is None:
            title = self.tr("New person")
            if self.household_label:
                title += " · " + self.tr("household %1").replace("%1", self.household_label)
            return title
        return self.tr("Person %1").replace("%1", self.name.text())

    # -- save -----------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The person's fields as typed, ready for the services (dates and codes resolved)."""
        values: dict[str, Any] = {}
        for field in PERSON_TEXT_FIELDS:
            widget = self.field_widgets[field]
            assert isinstance(widget, QLineEdit | NoteEdit)
            values[field] = widget.text().strip()
        for field in (*PERSON_CODE_FIELDS, *PERSON_REGION_FIELDS):
            picker = self.field_widgets[field]
            assert isinstance(picker, CodePicker | RegionPicker)
            values[field] = picker.code()
        number = self.id_number.text().strip()
        values["id_number"] = number or None
        text = self.birth_date.text().strip()
        birth = parse_date(text)
        if text and birth is None:
            raise Refusal(
                "birth_date",
                self.tr("%1, birth date: “%2” is not a date; type it like 1980-03-05.")
                .replace("%1", self._record())
                .replace("%2", text),
            )
        values["birth_date"] = birth
        if not values["sex"]:
            del values["sex"]
        values["tags"] = self.tags.tags()
        return values

    def _record(self) -> str:
        """The person as a refusal names them: "人员“张三”" (or just "人员" before a name is typed)."""
        name = self.name.text().strip()
        return self.tr("Person “%1”").replace("%1", name) if name else self.tr("Person")

    def save(self, tx: WriteTx) -> str:
        values = self.values()
        klass_values = self._class_values(values["residence_class"])
        relation = self.relation.code()
        identity_changed = True
        if self.record_id is None:
            if self.household_id:
                household = tx.session.get_one(Household, self.household_id)
                if not relation:
                    raise Refusal(
                        "relation",
                        self.tr(
                            "%1, relation to head: choose the relation to the head when joining a household."
                        ).replace("%1", self._record()),
                    )
                person = households.add_member(tx, household, relation, **values).record
            else:
                grid_id = self.context.get("grid_id")
                if not grid_id:
                    raise Refusal(
                        "grid_id",
                        self.tr("%1, grid: choose a grid on the left before registering a person.").replace(
                            "%1", self._record()
                        ),
                    )
                person = persons.register_person(tx, grid_id=grid_id, **values).record
        else:
            person = tx.session.get_one(Person, self.record_id)
            identity_changed = (person.name, person.birth_date) != (values["name"], values["birth_date"])
            if self.household_id and relation != person.relation:
                households.set_relation(tx, person, relation)
            persons.update_person(tx, person, **values)
        if identity_changed:
            # After the services, so a duplicate ID number (the same person typed again) is said first; the
            # warning's exception rolls the whole save back.
            self._check_namesakes(tx, person.name, person.birth_date, person.id)
        if person.residence_class != "1" and (klass_values or self._has_detail(tx, person.id)):
            persons.set_residence_detail(tx, person, klass_values)
        for entry in self.groups:
            if not entry.changed:
                continue
            fields = {"note": entry.note} if entry.note else {}
            if entry.id is None:
                record = persons.add_special_group(
                    tx,
                    person,
                    entry.group_code,
                    concern_level=entry.concern_level,
                    help_situation=entry.help_situation,
                    fields=fields,
                )
                entry.id = record.id
            else:
                current = tx.session.get_one(SpecialGroupRecord, entry.id)
                persons.update_special_group(
                    tx,
                    current,
                    group_code=entry.group_code,
                    concern_level=entry.concern_level,
                    help_situation=entry.help_situation,
                    fields=dict(current.fields) | {"note": entry.note},
                )
        return person.id

    def _has_detail(self, tx: WriteTx, person_id: str) -> bool:
        return (
            tx.session.scalar(
                select(ResidenceDetail.id).where(
                    ResidenceDetail.person_id == person_id, ResidenceDetail.deleted.is_(False)
                )
            )
            is not None
        )

    def _check_namesakes(self, tx: WriteTx, name: str, birth: date | None, person_id: str) -> None:
        if not name or birth is None:
            return
        others = [
            p
            for p in persons.similar_people(tx, name, birth, exclude=person_id)
            if p.id not in self.namesakes_accepted
        ]
        if not others:
            return
        described = []
        for p in others:
            household = tx.session.get(Household, p.household_id) if p.household_id else None
            about = (
                self.tr("%1 (born %2, household %3)").replace("%3", household.number)
                if household
                else self.tr("%1 (born %2)")
            )
            described.append((p.id, about.replace("%1", p.name).replace("%2", str(p.birth_date))))
        raise NamesakeWarning(
            described,
            self.tr(
                "People with the same name and birth date are already registered: %1. Make sure this is not the same person."
            ).replace("%1", self.tr(", ").join(d for _i, d in described)),
        )

    # -- refusals the editor answers itself -----------------------------------------------------------------
    def handle_error(self, error: LedgerError) -> bool:
        if isinstance(error, DuplicateError) and error.field == "id_number":
            return self._duplicate(error)
        if isinstance(error, NamesakeWarning):
            return self._namesake(error)
        return False

    def _duplicate(self, error: DuplicateError) -> bool:
        self.say(error.message)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Already registered"),
            error.message,
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Open).setText(self.tr("Open that person"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Back to the form"))
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        if box.exec() == QMessageBox.StandardButton.Open:
            self.go_to_person(error.existing_id)
        else:
            self.id_number.setFocus(Qt.FocusReason.OtherFocusReason)
            self.id_number.selectAll()
        return True

    def _namesake(self, warning: NamesakeWarning) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Same name and birth date"), warning.message, parent=self
        )
        save = box.addButton(self.tr("Save anyway"), QMessageBox.ButtonRole.AcceptRole)
        go = box.addButton(self.tr("Open that person"), QMessageBox.ButtonRole.ActionRole)
        back = box.addButton(self.tr("Back to the form"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            self.namesakes_accepted.update(pid for pid, _d in warning.people)
            self.accept()
        elif clicked is go:
            self.go_to_person(warning.people[0][0])
        else:
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def go_to_person(self, person_id: str) -> RecordDialog | None:
        """Open ``person_id``'s editor; what this form holds stays as its draft, and this form closes."""
        window = self.parentWidget()
        if window is None or not hasattr(window, "ledger"):
            return None
        self.dirty = True
        self.keep_draft()
        self.dirty = False
        editor = open_editor(window, "person", person_id)
        self.close()
        return editor
