"""Key points as concept patterns, and where a free-text answer states them or their opposite.

How a key point is matched (docs/problem-format.md, section Quizzes, says it for authors):

- A pattern is groups joined by " + ", each group alternatives joined by "|". It matches a
  clause when every group has an alternative in it, at places that do not overlap and lie
  within WINDOW words of one another (a Chinese character counts half). English
  alternatives match at the start of a word and may run on ("symmetr" matches "symmetric");
  a trailing "$" asks for the whole word ("all$"). Chinese ones match anywhere.
- The first group is the head, what the clause asserts. A plain pattern states something:
  its head must not be negated (freetext.Clause.negated says when it is). "not:" states
  that something does not happen ("not: skip"): the head must be negated. "any:" counts
  either way, for points that describe the alternative ("a single head gives one average").
  A cue inside the matched words does not count ("does not change" as an alternative).
- A head negated the wrong way is a contradiction: the answer says the opposite.
- "@name" is a subject the key declares ("subjects"): it holds when the clause is about
  that subject: the last one named before the head in the clause, else the first after it,
  else the last one named earlier in the answer, else the first listed.
- "unless" and a group at the end: a clause holding one of those words is no evidence.
- The key's "topic" (the question's subject matter): a sentence without a topic word is
  about something else. Reported claims and sentences that are not prose are skipped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from attn_practice.grader.quiz.freetext import CJK, Clause, Sentence, normalize

_PREFIX_MIN = {"a": 6, "non-": 3, "non": 3, "un": 3, "in": 5, "im": 5, "ir": 5, "il": 5}
_PREFIX = "(?P<pre>non-|non|un|in|im|ir|il|a)?"


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class Alternative:
    text: str
    whole_word: bool
    cjk: bool

    def spans(self, clause: str) -> list[tuple[int, int, bool]]:
        """(start, end, negated by a prefix) of each place this alternative occurs."""
        if self.cjk:
            return [(m.start(), m.end(), False) for m in re.finditer(re.escape(self.text), clause)]
        tail = r"(?![a-z0-9])" if self.whole_word else ""
        found = []
        for m in re.finditer(r"(?<![a-z0-9])" + _PREFIX + re.escape(self.text) + tail, clause):
            pre = m.group("pre")
            if pre and (len(self.text) < _PREFIX_MIN[pre] or not self.text[0].isalpha()):
                continue
            found.append((m.start(), m.end(), bool(pre)))
        return found


@dataclass(frozen=True)
class Group:
    alternatives: tuple[Alternative, ...]
    subject: str | None = None  # "@name": the clause must be about this subject


@dataclass(frozen=True)
class Pattern:
    source: str
    negative: bool  # "not:": the head must be negated
    groups: tuple[Group, ...]
    unless: tuple[Alternative, ...] = ()
    any_polarity: bool = False  # "any:": negated or not, the clause counts

    @property
    def subjects(self) -> set[str]:
        return {g.subject for g in self.groups if g.subject}


def parse_pattern(source: str) -> Pattern:
    text = normalize(source)
    negative, any_polarity = text.startswith("not:"), text.startswith("any:")
    if negative or any_polarity:
        text = text[4:].strip()
    unless: tuple[Alternative, ...] = ()
    if " unless " in f" {text} ":
        text, _, rest = f" {text} ".partition(" unless ")
        unless = _alternatives(rest.strip(), source)
    groups = []
    for raw in text.strip().split(" + "):
        raw = raw.strip()
        if raw.startswith("@"):
            name = raw[1:].strip()
            if not re.fullmatch(r"[a-z0-9_-]+", name):
                raise PatternError(f"{source!r}: a subject is @ and a name, like @bert")
            groups.append(Group((), name))
        else:
            groups.append(Group(_alternatives(raw, source)))
    if not any(g.alternatives for g in groups):
        raise PatternError(f"{source!r}: no words to look for")
    if groups[0].subject:  # the head is the first group with words
        head = next(g for g in groups if g.alternatives)
        groups.remove(head)
        groups.insert(0, head)
    return Pattern(source, negative, tuple(groups), unless, any_polarity)


def parse_alternatives(text: str) -> tuple[Alternative, ...]:
    """A group of alternatives on its own ("a|b|c"), e.g. a topic or a subject's words."""
    return _alternatives(normalize(text), text)


def _alternatives(text: str, source: str) -> tuple[Alternative, ...]:
    alts = []
    for raw in text.split("|"):
        raw = raw.strip()
        whole = raw.endswith("$")
        raw = raw.rstrip("$").strip()
        if not raw:
            raise PatternError(f"{source!r}: an empty alternative")
        alts.append(Alternative(raw, whole, bool(CJK.search(raw))))
    return tuple(alts)




# --- matching key points -----------------------------------------------------------------


@dataclass
class Evidence:
    affirmed: list[str] = field(default_factory=list)  # clauses that state the point
    contradicted: list[str] = field(default_factory=list)  # clauses that state the opposite


def read_point(patterns: tuple[Pattern, ...], parsed: list[Sentence],
               subjects: dict[str, tuple[Alternative, ...]],
               topic: tuple[Alternative, ...] = ()) -> Evidence:
    evidence = Evidence()
    last_subject = next(iter(subjects), None)
    for sentence in parsed:
        on_topic = not topic or any(alt.spans(sentence.text) for alt in topic)
        for clause in sentence.clauses:
            mentions = _subject_mentions(clause.text, subjects)
            if sentence.prose and on_topic and not clause.reported:
                verdicts = [_verdict(p, clause, mentions, last_subject) for p in patterns]
                if True in verdicts:
                    evidence.affirmed.append(clause.text)
                elif False in verdicts:
                    evidence.contradicted.append(clause.text)
            if mentions:
                last_subject = mentions[-1][1]
    return evidence


def _subject_mentions(text: str, subjects: dict[str, tuple[Alternative, ...]]) -> list[tuple[int, str]]:
    found = [(s[0], name) for name, alts in subjects.items() for alt in alts for s in alt.spans(text)
             if not s[2]]
    return sorted(found)


def _verdict(pattern: Pattern, clause: Clause, mentions: list[tuple[int, str]],
             inherited: str | None) -> bool | None:
    """True: the clause states the point; False: it states the opposite; None: not about it."""
    text = clause.text
    if any(alt.spans(text) for alt in pattern.unless):
        return None
    groups = [g for g in pattern.groups if g.alternatives]
    verdicts = set()
    heads = [s for alt in groups[0].alternatives for s in alt.spans(text)][:MAX_HEADS]
    units = clause.units()
    for head in heads:
        chosen = _place(groups[1:], text, [head], units)
        if chosen is None:
            continue
        if pattern.subjects:
            before = [name for pos, name in mentions if pos <= head[0]]
            after = [name for pos, name in mentions if pos > head[0]]
            about = before[-1] if before else after[0] if after else inherited
            if about not in pattern.subjects:
                continue
        verdicts.add(pattern.any_polarity or clause.negated(head, chosen) == pattern.negative)
    return True if True in verdicts else False if False in verdicts else None


WINDOW = 12  # a pattern's words lie within this many words (a Chinese character is half a word)
MAX_HEADS = 40  # places of a pattern's head tried in one clause


def _place(groups: list[Group], text: str, taken: list[tuple[int, int, bool]],
           units: list[float]) -> list[tuple[int, int, bool]] | None:
    """One place for each group, overlapping no other, all within WINDOW words; or None.
    A place too far from those taken is never tried, so a long clause stays cheap."""
    if not groups:
        return list(taken)
    lo, hi = min(s for s, _, _ in taken), max(e for _, e, _ in taken)
    for alt in groups[0].alternatives:
        for span in alt.spans(text):
            if any(span[0] < b and a < span[1] for a, b, _ in taken):
                continue
            if units[max(hi, span[1])] - units[min(lo, span[0])] > WINDOW:
                continue
            placed = _place(groups[1:], text, taken + [span], units)
            if placed is not None:
                return placed
    return None
