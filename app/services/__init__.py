"""Use-cases that own the writes. Each takes the open WriteTx as its first argument.

Services validate (clear Chinese messages naming record and field), then change records through the WriteTx, which
records the outbox operation, audit entry and search keys in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Saved(Generic[T]):
    """What a service saved, with warnings the user should see (e.g. a person with the same name and birth date)."""

    record: T
    warnings: list[str] = field(default_factory=list)
