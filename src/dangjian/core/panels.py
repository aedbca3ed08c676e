"""Home-page figures: each module registers a panel that returns its counts for the user's scope."""

from dataclasses import dataclass


@dataclass
class Figure:
    label: str
    value: int | str
    link: str = ""
    alert: bool = False  # shown in red (overdue, gaps…)


# Each entry: (title, callable(user) -> list[Figure] or [] to hide the panel).
HOME_PANELS: list = []


def panels_for(user) -> list[tuple[str, list[Figure]]]:
    out = []
    for title, build in HOME_PANELS:
        figures = build(user)
        if figures:
            out.append((title, figures))
    return out
