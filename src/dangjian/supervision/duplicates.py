"""Placeholder for the duplicate suggestion (built on another branch, which replaces this file at merge)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DuplicateHit:
    petition_id: int
    score: float
    reason: str


def find_duplicates(org, subject, content, *, exclude_pk=None, limit=5, user=None) -> list[DuplicateHit]:
    return []
