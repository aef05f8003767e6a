"""Showing personal data to people who do not need all of it (PIPL): masked ID and phone numbers."""

from __future__ import annotations


def mask_id_number(number: str | None) -> str:
    """``620502********1234``: region and last four digits; enough to tell people apart, not to misuse."""
    if not number:
        return ""
    if len(number) <= 8:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str | None) -> str:
    """``138****1234`` for a mobile; landlines keep the area code and last four digits."""
    if not number:
        return ""
    digits = number.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return number[: max(0, len(number) - 8)] + "****" + number[-4:]
