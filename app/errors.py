"""Errors a user can act on: each names the record, the field and what to do, in Chinese."""

from __future__ import annotations


class LedgerError(Exception):
    """Base for every error the ledger reports to a person (CLI prints it, UI shows it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(LedgerError):
    """Input that cannot be saved. ``field`` is the model attribute, ``label`` its Chinese name.

    ``message`` is the full sentence shown to the user, e.g. "身份证号：第18位校验码应为 X，请核对后重新输入".
    """

    def __init__(self, field: str, label: str, problem: str, record: str = "") -> None:
        where = f"{record}的{label}" if record else label
        super().__init__(f"{where}：{problem}")
        self.field = field
        self.label = label
        self.problem = problem
        self.record = record


class DuplicateError(ValidationError):
    """The same unique value (e.g. an ID number) already belongs to another record: ``existing_id`` points to it."""

    def __init__(self, field: str, label: str, problem: str, existing_id: str, record: str = "") -> None:
        super().__init__(field, label, problem, record)
        self.existing_id = existing_id


class StorageError(LedgerError):
    """The ledger file cannot be opened or used (wrong passphrase, newer schema, corrupt file)."""


class PassphraseError(StorageError):
    """No passphrase was given, or it does not open the file: asking the person again may help."""
