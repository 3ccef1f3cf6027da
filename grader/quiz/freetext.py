"""Reading a free-text answer: sentences, clauses, negation, and key points as concept patterns.

How a key point is matched (docs/problem-format.md, section Quizzes, says the same for authors):

- A pattern is groups joined by " + ", each group alternatives joined by "|". It matches a
  clause when every group has an alternative in that clause, at places that do not overlap
  and lie close together (see WINDOW).
  English alternatives match at the start of a word and may run on ("symmetr" matches
  "symmetric"); a trailing "$" asks for the whole word ("all$"). Chinese ones match anywhere.
- The first group is the head: what the clause asserts. The clause states the point when
  the head is not negated; a pattern that begins with "not:" ("not: skip") states that
  something does not happen, so there the head must be negated.
- A negation cue (not, no, never, n't, without, cannot, avoid, lose ...; 不 没 无 非 未 别
  失去 ...) negates a head that comes after it in the clause, up to an "and"; "nothing" and
  "none" (and "no": "play no part") anywhere in the clause, and 不/没 right after a Chinese
  verb (看不到) count too; a
  negating prefix on the head word does as well (asymmetric, nonzero, independent, unused).
  Two cues cancel. Words that hold a cue without negating (not only, no matter; 不同, 无论,
  非常, 未来 ...) are not cues, nor is a cue inside the matched alternatives themselves.
- A head negated the wrong way is a contradiction: the answer says the opposite.
- A group written "@name" is a subject declared by the key ("subjects"): it holds when the
  clause is about that subject, i.e. the last subject named before the head in the clause,
  else the one named after it, else the last one named earlier in the answer, else the
  first subject listed.
- "any:" instead of "not:": the clause counts whatever its polarity (for points that describe
  the alternative, e.g. "a single head gives one average", where a negation proves nothing).
- The words of a pattern must lie within WINDOW (12) words of one another; a Chinese
  character counts as half a word.
- "unless" and a group at the end: a clause holding one of those words is no evidence.
- A key's "topic" (words of the question's subject matter): a sentence without one of them is
  about something else and is neither evidence nor contradiction.
- Clauses that report someone else's claim ("the guide says ...", "原文认为 ...") are
  neither evidence nor contradiction, up to a "but". Sentences that are not prose (a bare
  list of terms) are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u9fff]")
# a negating prefix on an English head word, and the shortest word it may negate
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
        alts.append(Alternative(raw, whole, bool(_CJK.search(raw))))
    return tuple(alts)


# --- normalising and splitting -----------------------------------------------------------

_REPLACE = {"²": "^2", "³": "^3", "ᵀ": "^t", "×": " x ", "·": " * ", "⋅": " * ", "√": "sqrt",
            "’": "'", "‘": "'", "“": '"', "”": '"', "「": '"', "」": '"', "—": ", ",
            "–": "-", "…": "..."}


def normalize(text: str) -> str:
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKC", text).lower()  # full-width punctuation to ASCII
    return " ".join(text.split())


# sentence ends: . ! ? ; and the Chinese ones, a newline; not the dot in 0.5, k.T or e.g.
_SENTENCE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)\.(?=\s|$)|[!?;。]|\n")
_CLAUSE_PUNCT = re.compile(r"[,:，：]")
# words that start a new statement inside a sentence
_CLAUSE_WORDS_EN = re.compile(
    r"\s(?=(?:but|while|whereas|although|though|because|since|so|which|however|yet|whilst|"
    r"unlike|instead of|rather than|otherwise|until|then|thus|hence|therefore|and then|and so|"
    r"and (?:it|they|this|nothing|no|none|never|not|each|every|all|only))(?:\s|$))")
_CLAUSE_WORDS_ZH = re.compile(r"(?=但是|但|而|却|因为|所以|因此|然而|不过|否则|于是|从而|直到)")
_QUOTED = re.compile(r'"[^"]*"')
_HELD = re.compile(r'"[^"]*"|\([^()]*\)')  # quotes and parentheses: their punctuation is theirs

_NEG_EN = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|nowhere|neither|nor|without|cannot|unable|"
    r"lacks?|lacking|fails? to|failed to|avoids?|avoiding|avoided|instead of|rather than|"
    r"loses?|losing|lost|rules? out|ruled out|impossible|prevents?|prevented)\b|n't\b")
_POST_EN = re.compile(r"\b(?:no|nothing|none|nobody|nowhere)\b")  # negate wherever they stand
_NOT_NEG_EN = re.compile(
    r"\b(?:not only|not just|no matter|nothing but|not to mention|whether or not|no doubt|"
    r"not least|no less than|none other)\b")
_NEG_ZH = re.compile(r"避免|避开|免去|免得|免除|省掉|省去|省了|省下|失去|丧失|失掉|难以|不|没|無|无|非|未|別|别")
_NOT_NEG_ZH = re.compile(
    r"不同|不断|不仅|不只|不光|不过|不少|不管|不久|不停|不止|不论|不得不|差不多|不然|不错|"
    r"了不起|无论|无数|无穷|无限|非常|未来|未知|区别|分别|类别|特别|级别|差别|识别|辨别|告别|"
    r"别的|别人|个别|避免不了")
_RESULTATIVE = re.compile(r"[不没][到见掉出完下动起住清懂开过成了着]")  # 看不到, 省不掉
_SCOPE_END = re.compile(r"\band\b|并且|而且")
# someone else's claim: neither evidence nor contradiction, up to a "but"
_REPORTED = re.compile(
    r"\b(?:says|claims?|claimed|suggests|assumes|believes|implies|argues|pretends|"
    r"one might think|it might seem)\b"
    r"|(?:原文|作者|指南|文中|有人|人们)[^，。,]{0,6}?(?:说(?!法)|认为|声称|以为|假设|宣称)|以为|看起来|貌似")
_CONTRAST = re.compile(r"^(?:but|however|yet|whereas|in fact|actually|in reality)\b"
                       r"|^(?:但|而|却|然而|其实|实际上|事实上|不过)")


@dataclass
class Clause:
    text: str
    reported: bool = False
    cues: list[tuple[int, int]] = field(default_factory=list)  # negation cues
    post: list[tuple[int, int]] = field(default_factory=list)  # cues that negate the whole clause
    scope_ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        masked = _QUOTED.sub(lambda m: "#" * len(m.group()), self.text)  # a quote's own negations
        masked = _mask(_NOT_NEG_EN, _mask(_NOT_NEG_ZH, masked))
        self.cues = [m.span() for m in _NEG_EN.finditer(masked)] + \
            [m.span() for m in _NEG_ZH.finditer(masked)]
        self.post = [m.span() for m in _POST_EN.finditer(masked)]
        self.scope_ends = [m.start() for m in _SCOPE_END.finditer(masked)]

    def units(self) -> list[float]:
        """units[i]: how many words text[:i] holds (a Chinese character counts half)."""
        if not hasattr(self, "_units"):
            out, total = [0.0], 0.0
            for i, ch in enumerate(self.text):
                if _CJK.match(ch):
                    total += 0.5
                elif ch.isalpha() and (i == 0 or not self.text[i - 1].isalpha()):
                    total += 1
                out.append(total)
            self._units = out
        return self._units

    def negated(self, head: tuple[int, int, bool], matched: list[tuple[int, int, bool]]) -> bool:
        """Whether the head word is negated: cues before it in scope, cues that negate the whole
        clause, a Chinese 不/没 right after it, and a negating prefix; two cancel."""
        start, end, prefixed = head

        def inside(span: tuple[int, int]) -> bool:
            return any(a <= span[0] < b for a, b, _ in matched)

        count = int(prefixed)
        for cue in self.cues:
            if inside(cue):
                continue
            if cue in self.post:
                count += 1
            elif cue[1] <= start and not any(cue[1] <= s < start for s in self.scope_ends):
                count += 1
            elif _CJK.search(self.text[start:end]) and end <= cue[0] <= end + 1 \
                    and _RESULTATIVE.match(self.text, cue[0]):
                count += 1
        return count % 2 == 1


def _mask(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(lambda m: "#" * len(m.group()), text)


@dataclass
class Sentence:
    text: str
    clauses: list[Clause]
    prose: bool


_BULLET = re.compile(r"^\s*(?:[-*•·+]|\d+[.)、]|[a-z][.)])\s+")


def sentences(answer: str) -> list[Sentence]:
    """The answer's sentences, line by line; a bulleted line is held to a stricter standard
    of prose (a list item is not a sentence just because it has a preposition)."""
    out = []
    for line in answer.replace("\r", "\n").split("\n"):
        bullet = bool(_BULLET.match(line))
        text = normalize(_BULLET.sub("", line))
        for raw in _split(_SENTENCE, _protect_quotes(text)):
            raw = _restore_quotes(raw).strip(" .")
            if raw:
                out.append(Sentence(raw, _clauses(raw), is_prose(raw, strict=bullet)))
    return out


_HIDE = str.maketrans({",": "\x01", ":": "\x02", ".": "\x03", ";": "\x04", "，": "\x01",
                       "。": "\x03", "；": "\x04", "：": "\x02"})
_SHOW = {v: k for k, v in {",": "\x01", ":": "\x02", ".": "\x03", ";": "\x04"}.items()}


def _protect_quotes(text: str) -> str:
    """Punctuation inside quotes and parentheses does not end a sentence or a clause."""
    return _HELD.sub(lambda m: m.group().translate(_HIDE), text)


def _restore_quotes(text: str) -> str:
    return "".join(_SHOW.get(c, c) for c in text)


def _hold(text: str) -> tuple[str, list[str]]:
    """Quotes and parentheses replaced by numbered placeholders, so nothing splits them."""
    held: list[str] = []

    def keep(m: re.Match) -> str:
        held.append(m.group())
        return f"\x05{len(held) - 1}\x06"
    return _HELD.sub(keep, text), held


def _unhold(text: str, held: list[str]) -> str:
    return re.sub("\x05(\\d+)\x06", lambda m: held[int(m.group(1))], text)


def _split(pattern: re.Pattern, text: str) -> list[str]:
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts.append(text[last:m.start()])
        last = m.end()
    parts.append(text[last:])
    return parts


def _clauses(sentence: str) -> list[Clause]:
    pieces = []
    text, held = _hold(sentence)
    for chunk in _split(_CLAUSE_PUNCT, text):
        for part in _split(_CLAUSE_WORDS_EN, chunk):
            pieces += re.split(_CLAUSE_WORDS_ZH, part)
    clauses, reported = [], False
    for piece in (_unhold(p, held).strip() for p in pieces):
        if not piece:
            continue
        if _CONTRAST.search(piece):
            reported = False
        if _REPORTED.search(piece):
            reported = True
        clauses.append(Clause(piece, reported))
    return clauses


# --- prose, not a list -------------------------------------------------------------------

# words that only sentences have: articles, pronouns, auxiliaries, prepositions, subordinators
_FUNCTION_EN = frozenset("""
a an the is are was were be been being am it its it's they them their this that these those
he she we you i of to in on at by for with from as into onto than so because since if then when
while does do did doesn't don't didn't has have had can could would should will must may might
there which who whose what how isn't aren't can't won't cannot itself themselves
you we i'd you'd we'd it'd they'd you'll it'll we'll they'll you're we're they're there's
that's what's wouldn't couldn't shouldn't
""".split())
_FUNCTION_ZH = re.compile(r"的|了|是|在|会|就|都|也|把|被|要|让|使|得|着|过|和|与|而|但|所以|因为|因此|"
                          r"如果|这|那|它|其|可以|能|对|从|给|到|用|只|再|还|又|才|即|每|为|变|成|"
                          r"之后|以后|时|里|起来|比|更|最|很|结果")
_WORD_EN = re.compile(r"[a-z][a-z']*")


def is_prose(sentence: str, strict: bool = False) -> bool:
    """A sentence, not a list of terms: words that only sentences have, and segments (between
    commas and semicolons) longer than list items. `strict` (a bulleted line): a sentence's
    length and two function words."""
    cjk = len(_CJK.findall(sentence))
    tokens = _WORD_EN.findall(sentence)
    words = [w for w in tokens if len(w) > 1 or w in "ai"]  # in English, k, w, d are not words
    segments = [s for s in re.split(r"[,;、，；]", _protect_quotes(sentence)) if s.strip()] or [""]
    if cjk >= len(words):  # Chinese: a character or a Latin token is one unit
        units = cjk + len(tokens)
        return (units >= (10 if strict else 6)
                and len(_FUNCTION_ZH.findall(sentence)) >= (2 if strict else 1)
                and units / len(segments) >= MIN_SEGMENT_ZH)
    function = sum(1 for w in words if w in _FUNCTION_EN)
    return (len(words) >= (6 if strict else 4)
            and function >= max(2 if strict else 1, 0.08 * len(words))
            and len(words) / len(segments) >= MIN_SEGMENT_EN)


MIN_SEGMENT_EN = 4  # words per segment: list items are shorter
MIN_SEGMENT_ZH = 5  # characters per segment


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
