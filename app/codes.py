"""National and local code tables (GB/T 31000, GB/T 2261, GB/T 3304, GB/T 4761 …) bundled in resources/codes.

The bundled tables are the default; the township can publish updated tables through sync (CodeEntry rows).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CODES_DIR = Path(__file__).resolve().parent.parent / "resources" / "codes"
BUNDLED_FILES = ("gb-base.tsv", "gbt31000-2015.tsv", "local.tsv")


@dataclass(frozen=True)
class Code:
    table: str
    code: str
    name: str
    order: int


@dataclass(frozen=True)
class CodeTable:
    key: str
    title: str
    codes: tuple[Code, ...]
    by_code: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {c.code: c.name for c in self.codes})

    def label(self, code: str) -> str | None:
        return self.by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code


def _read_rows(files: Iterable[Path]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t")
            next(reader)
            rows.extend((r[0], r[1], r[2], r[3]) for r in reader if len(r) >= 4)
    return rows


@cache
def bundled_tables() -> dict[str, CodeTable]:
    """Every bundled code table by key (e.g. ``"Sex"``, ``"Ethnicity"``, ``"EventType"``)."""
    grouped: dict[str, tuple[str, list[Code]]] = {}
    for key, title, code, name in _read_rows(CODES_DIR / f for f in BUNDLED_FILES):
        entry = grouped.setdefault(key, (title, []))
        entry[1].append(Code(key, code, name, len(entry[1])))
    return {key: CodeTable(key, title, tuple(codes)) for key, (title, codes) in grouped.items()}


def table(key: str) -> CodeTable:
    try:
        return bundled_tables()[key]
    except KeyError:
        raise KeyError(f"unknown code table {key!r}") from None
