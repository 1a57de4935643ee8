"""Rupee amounts for people: integer paise in, ``₹1,23,456.78`` (Indian digit grouping) out."""

from __future__ import annotations


def rupees(paise: int) -> str:
    """``₹`` and the amount with lakh/crore grouping: 12345678 → ``₹1,23,456.78``."""
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise TypeError(f"paise must be an int, not {type(paise).__name__}")
    sign, paise = ("-", -paise) if paise < 0 else ("", paise)
    whole, frac = divmod(paise, 100)
    digits = str(whole)
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail]) if groups else tail
    return f"{sign}₹{grouped}.{frac:02d}"
