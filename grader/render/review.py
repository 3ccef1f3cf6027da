"""The review queue: on a terminal, and as a JSON document for scripts."""

from __future__ import annotations

import json
from datetime import datetime

from rich.console import Console
from rich.text import Text

from attn_practice.grader.review import CLEAN_WINDOW, INTERVALS_DAYS, Queue, ReviewItem

REVIEW_VERSION = 1
KIND_STYLE = {"mistake": "bold red", "finding": "bold magenta", "problem": "bold yellow"}


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")


def _when(item: ReviewItem, now: float) -> str:
    today = datetime.fromtimestamp(now).date()
    due = datetime.fromtimestamp(item.due_at).date()
    days = (due - today).days
    if item.due_at <= now:
        return "due now" if days >= -1 else f"due for {-days} days"
    if days == 0:
        return f"due later today ({datetime.fromtimestamp(item.due_at).strftime('%H:%M')})"
    return "due tomorrow" if days == 1 else f"due {due.isoformat()} (in {days} days)"


def render_review(console: Console, queue: Queue, show_all: bool) -> None:
    due, later = queue.due, queue.upcoming
    if not queue.items:
        console.print("Nothing to review yet. The mistakes diagnosed in your submissions, and "
                      "problems you could not finish alone, come back here on a schedule.")
        return
    head = f"Review: {len(due)} due today" if due else "Review: nothing due today"
    console.print(Text(head, style="bold"))
    for n, item in enumerate(due, start=1):
        _item(console, n, item, queue.now)
    if later and show_all:
        console.print(Text("Later", style="bold"))
        for n, item in enumerate(later, start=len(due) + 1):
            _item(console, n, item, queue.now)
    elif later:
        console.print(Text(f"{len(later)} more later; the next {_when(later[0], queue.now)}. "
                           "All of them: attn-practice review --all", style="dim"))
    console.print(Text(f"Rule: a clean pass (no hint or solution in the {CLEAN_WINDOW / 3600:g} h "
                       f"before) when an item is due moves it on: due again "
                       f"{', '.join(map(str, INTERVALS_DAYS))} days later, then done. "
                       "A relapse starts it over.", style="dim"))


def _item(console: Console, n: int, item: ReviewItem, now: float) -> None:
    what = item.mistake_id if item.kind != "problem" else item.problem_id
    tags = f"  [{', '.join(item.tags)}]" if item.tags else ""
    console.print(Text.assemble(f"{n}. ", (f"{item.kind} ", KIND_STYLE[item.kind]), (what, "bold"),
                                f": {item.title}" if item.kind != "problem" else f" · {item.title}",
                                (tags, "dim")))
    console.print(Text(f"   {item.reason}; reviews done: {item.stage} of {len(INTERVALS_DAYS) + 1}; "
                       f"{_when(item, now)}"))
    s = item.suggestion
    if s is not None:
        if item.kind == "problem":
            console.print(Text(f"   {s.why[:1].upper()}{s.why[1:]}."))
        else:
            console.print(Text(f"   Practise {s.problem_id} · {s.title}: {s.why}."))
        console.print(Text(f"   -> {s.command}", style="bold cyan"))


def review_json(queue: Queue) -> str:
    def item(i: ReviewItem) -> dict:
        s = i.suggestion
        return {"key": i.key, "kind": i.kind, "problem_id": i.problem_id, "mistake_id": i.mistake_id,
                "title": i.title, "tags": list(i.tags), "reason": i.reason, "stage": i.stage,
                "due_at": _iso(i.due_at), "last_relapse": _iso(i.last_relapse),
                "suggestion": None if s is None else {"problem_id": s.problem_id, "title": s.title,
                                                      "command": s.command, "why": s.why}}

    return json.dumps({
        "version": REVIEW_VERSION,
        "now": _iso(queue.now),
        "rule": {"intervals_days": list(INTERVALS_DAYS), "clean_window_hours": CLEAN_WINDOW / 3600},
        "due": [item(i) for i in queue.due],
        "upcoming": [item(i) for i in queue.upcoming],
    }, ensure_ascii=False, indent=2)
