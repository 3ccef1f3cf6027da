"""Reading a free-text answer: sentences, clauses, where negation reaches, and whether a
sentence is prose at all. What a key point is and how it is matched is in patterns.py.

- Sentences end at . ! ? ; 。 and line ends; clauses at commas, colons and words that
  start a new statement (but, while, because, so, which, instead of; 但, 而, 因为, 所以).
  Quotes and parentheses are never cut.
- A negation cue (not, no, never, n't, without, cannot, avoid, lose ...; 不 没 无 非 未 别
  避免 失去 ...) negates a word after it in its clause, up to an "and"; "no", "nothing" and
  "none" negate the whole clause, and so does 不/没 right after a Chinese verb (看不到); a
  negating prefix (asymmetric, nonzero, independent, unused) negates its word. Two cues
  cancel. Words that hold a cue without negating (not only, no matter; 不同, 无论, 非常, 未来)
  are not cues.
- A clause that reports someone else's claim ("the guide says ...", "原文认为 ...") is
  marked, up to a "but".
- A sentence is prose if it has words that only sentences have (the, is, of ...; 的, 是, 了
  ...) and segments between commas longer than list items; a bulleted line must be a real
  sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CJK = re.compile(r"[\u3400-\u9fff]")

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
                if CJK.match(ch):
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
            elif CJK.search(self.text[start:end]) and end <= cue[0] <= end + 1 \
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
    cjk = len(CJK.findall(sentence))
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


