"""The home page's dated to-do list: what needs doing today and this week, from every module.

Each module registers a provider (in its AppConfig.ready()) that returns the user's own items up to a
day, read through the scope mechanism (visible_to) like every other list. One list for every role:
a 党员 sees their meetings and 补学, a 科室负责人 also the matters they own, a leader what awaits approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

WEEKDAYS = "一二三四五六日"


@dataclass
class Todo:
    day: dt.date  # when it is due (today for what is already due, such as a 补学)
    text: str
    link: str = ""
    time: dt.time | None = None

    def overdue(self, today: dt.date) -> bool:
        return self.day < today


# Each provider: callable(user, today, until) -> list[Todo] due on or before ``until`` (overdue included).
HOME_TODOS: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in HOME_TODOS:
        HOME_TODOS.append(provider)


def day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"


def todos_for(user, today: dt.date) -> dict:
    """{"today": items due today or before, "week": items due later this week (to Sunday)}, by time."""
    until = today + dt.timedelta(days=6 - today.weekday())
    items = [todo for provider in HOME_TODOS for todo in provider(user, today, until)]
    items.sort(key=lambda t: (t.day, t.time or dt.time.min, t.text))
    return {
        "today": [t for t in items if t.day <= today], "week": [t for t in items if today < t.day <= until],
        "today_label": day_label(today), "until_label": day_label(until), "today_date": today,
    }
