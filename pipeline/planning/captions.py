"""Stage: captions (SRT and WebVTT) from the plan's real sentence times.

Cues follow common subtitle practice: at most 2 lines of at most 42
characters, 1 to 7 seconds on screen, about 20 characters per second at most,
and never across a scene cut. A sentence too long for one cue is split at
word boundaries into balanced pieces, preferring breaks after punctuation;
the pieces share the sentence's real time in proportion to their length.
A word longer than a line (a URL, a long compound) is broken as a typesetter
breaks it: after a slash, dot, hyphen or similar where there is one, else
between letters with a hyphen, so every sentence fits its cues.
A cue may stay up into the silence after it (never into the next cue or the
next scene) so it can be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.drawing.cues import MAX_CHARS, MAX_LINES, Cue
from pipeline.planning.timeline import Plan, ScenePlan

__all__ = ["MAX_CHARS", "MAX_LINES", "Cue", "burned", "cues", "scene_cues", "srt", "vtt", "word_cues", "wrap"]

MIN_SECONDS = 1.0
MAX_SECONDS = 7.0
MAX_CPS = 20.0


def cues(plan: Plan) -> list[Cue]:
    """Every cue of the video, in order, on the plan's clock (seconds from the start)."""
    return [cue for scene in plan.scenes for cue in scene_cues(scene, plan.fps, scene.start(plan.fps))]


def scene_cues(scene: ScenePlan, fps: int, begin: float = 0.0) -> list[Cue]:
    """One scene's cues, in seconds from ``begin`` (0: the scene's start, what burned-in captions draw)."""
    pieces: list[tuple[float, float, str]] = []
    for sentence in scene.sentences:
        pieces += split_timed(sentence.text, begin + sentence.start, begin + sentence.end)
    pieces = _merge_short(pieces)
    out = []
    for i, (start, end, text) in enumerate(pieces):
        limit = pieces[i + 1][0] if i + 1 < len(pieces) else begin + scene.duration(fps)
        want = max(MIN_SECONDS, len(text) / MAX_CPS)
        end = min(max(end, start + want), limit, start + MAX_SECONDS)
        out.append(Cue(round(start, 3), round(end, 3), wrap(text)))
    return out


#: A broken word's later pieces start with this mark: they join the piece before them without a space.
_GLUE = "\x00"
#: A word-by-word caption's phrase: at most this many words and characters, as Shorts captions show them.
PHRASE_WORDS, PHRASE_CHARS = 4, 22
#: How long the last phrase of a sentence stays up after its last word (seconds), unless the next one comes.
PHRASE_HOLD = 0.4
#: Words a phrase does not end on when it is cut for length: they lead into the next word ("a", "of the").
LEADING = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but", "as", "than",
    "that", "into", "its", "their", "his", "her", "our",
})  # fmt: skip


def burned(scene: ScenePlan, fps: int, burn: bool, words: bool) -> list[Cue]:
    """The cues burned into ``scene`` (seconds from its start): none unless ``burn``, phrases word by word with
    ``words``, else the subtitles."""
    if not burn:
        return []
    return (word_cues if words else scene_cues)(scene, fps)


def word_cues(scene: ScenePlan, fps: int, begin: float = 0.0) -> list[Cue]:
    """The scene's words as short phrases (one line each), every word with its real time, for captions that
    highlight the word being said. A phrase ends at a sentence's end, after punctuation, or when full; it stays
    up until the next phrase starts (or a moment after its last word, at a sentence's end)."""
    phrases: list[list[tuple[str, float, float]]] = []
    for sentence in scene.sentences:
        current: list[tuple[str, float, float]] = []
        for word in sentence.audio.words:
            timed = (word.text, begin + sentence.start + word.start, begin + sentence.start + word.end)
            if current and (
                len(current) >= PHRASE_WORDS
                or len(" ".join(w for w, _, _ in current)) + 1 + len(word.text) > PHRASE_CHARS
            ):
                carried = []  # "Your body remembers a" -> "Your body remembers" / "a ..."
                while len(current) > 1 and current[-1][0].lower() in LEADING:
                    carried.insert(0, current.pop())
                phrases.append(current)
                current = carried
            current.append(timed)
            if word.text.endswith((",", ";", ":", ".", "?", "!", "—")):
                phrases.append(current)
                current = []
        if current:
            phrases.append(current)
    out = []
    for i, phrase in enumerate(phrases):
        start = phrase[0][1]
        limit = phrases[i + 1][0][1] if i + 1 < len(phrases) else begin + scene.duration(fps)
        end = min(limit, max(phrase[-1][2] + PHRASE_HOLD, start + 0.2))  # up to the next phrase, at the latest
        words = tuple((text, round(a, 3), round(b, 3)) for text, a, b in phrase)
        out.append(Cue(round(start, 3), round(end, 3), (" ".join(w for w, _, _ in phrase),), words))
    return out


#: Characters after which a long word may break without a hyphen.
_BREAK_AFTER = "/-–—._?&=:,;@#+\\|"


def break_word(word: str, limit: int) -> list[str]:
    """``word`` in pieces of at most ``limit`` characters: after punctuation where possible, else hyphenated."""
    pieces = []
    while len(word) > limit:
        cut = max((i + 1 for i, c in enumerate(word[:limit]) if c in _BREAK_AFTER), default=0)
        if cut >= max(1, limit // 2):
            pieces.append(word[:cut])
            word = word[cut:]
        else:
            pieces.append(word[: limit - 1] + "-")
            word = word[limit - 1 :]
    return [*pieces, word]


def _words(text: str) -> list[str]:
    """The words of ``text``, any longer than a line broken into glued pieces."""
    out = []
    for word in text.split():
        first, *rest = break_word(word, MAX_CHARS)
        out += [first, *(_GLUE + piece for piece in rest)]
    return out


def _join(words: list[str]) -> str:
    return " ".join(words).replace(" " + _GLUE, "").replace(_GLUE, "")


def wrap(text: str) -> tuple[str, ...]:
    """One line if it fits, else the most balanced two lines (raises ValueError if it cannot fit)."""
    if len(text) <= MAX_CHARS:
        return (text,)
    words = _words(text)
    best: tuple[str, str] | None = None
    for cut in range(1, len(words)):
        top, bottom = _join(words[:cut]), _join(words[cut:])
        fits = len(top) <= MAX_CHARS and len(bottom) <= MAX_CHARS
        if fits and (best is None or max(len(top), len(bottom)) < max(map(len, best))):
            best = (top, bottom)
    if best is None:
        raise ValueError(f"'{text}' does not fit in {MAX_LINES} lines of {MAX_CHARS} characters")
    return best


def _fits(text: str) -> bool:
    try:
        wrap(text)
    except ValueError:
        return False
    return True


def split_timed(text: str, start: float, end: float) -> list[tuple[float, float, str]]:
    """The sentence as the fewest balanced pieces that each fit a cue, timed by their share of characters."""
    words = _words(text)
    for count in range(1, len(words) + 1):
        pieces = _balanced(words, count)
        seconds = [(end - start) * len(p) / max(1, sum(map(len, pieces))) for p in pieces]
        if all(_fits(p) for p in pieces) and (all(s <= MAX_SECONDS for s in seconds) or count == len(words)):
            out, t = [], start
            for piece, length in zip(pieces, seconds, strict=True):
                out.append((t, t + length, piece))
                t += length
            return out
    return []  # no words: nothing to show


def _balanced(words: list[str], count: int) -> list[str]:
    """``words`` in ``count`` pieces of similar length, breaking after punctuation where that is close."""
    total = len(_join(words))
    pieces: list[str] = []
    current: list[str] = []
    for i, word in enumerate(words):
        current.append(word)
        remaining = count - len(pieces) - 1  # pieces still to start after this one
        left = len(words) - i - 1
        if remaining <= 0 or left == 0:
            continue
        done = sum(len(p) + 1 for p in pieces) + len(_join(current))
        target = total * (len(pieces) + 1) / count
        slack = 0.15 * total / count if word.endswith((",", ";", ":", "—")) else 0
        if left <= remaining or done + slack >= target:  # cut when each word left must start a piece
            pieces.append(_join(current))
            current = []
    if current:
        pieces.append(_join(current))
    return pieces


def _merge_short(pieces: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Join a cue that cannot stay up a second (the next starts too soon) with the next, if they fit together."""
    out = list(pieces)
    i = 0
    while i + 1 < len(out):
        start, _, text = out[i]
        nxt = out[i + 1]
        joined = f"{text} {nxt[2]}"
        if nxt[0] - start < MIN_SECONDS and _fits(joined) and nxt[1] - start <= MAX_SECONDS:
            out[i : i + 2] = [(start, nxt[1], joined)]
        else:
            i += 1
    return out


def _stamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def srt(cue_list: list[Cue]) -> str:
    return "".join(
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(c.lines) + "\n\n"
        for i, c in enumerate(cue_list, 1)
    )


def vtt(cue_list: list[Cue], words: Sequence[tuple[str, float]] = ()) -> str:
    """WebVTT; with ``words`` (each spoken word and its start, on the video's clock, in order) every word after
    a cue's first carries its start as an inline timestamp, which web players use to highlight word by word."""

    def escape(line: str) -> str:
        return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    timed = _word_starts(cue_list, words) if words else [{} for _ in cue_list]
    out = []
    for cue, starts in zip(cue_list, timed, strict=True):
        lines, k = [], 0
        for line in cue.lines:
            parts = []
            for token in line.split(" "):
                at = starts.get(k)
                stamp = f"<{_stamp(at, '.')}>" if at is not None and k and cue.start < at < cue.end else ""
                parts.append(stamp + escape(token))
                k += 1
            lines.append(" ".join(parts))
        out.append(f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n" + "\n".join(lines) + "\n\n")
    return "WEBVTT\n\n" + "".join(out)


def _word_starts(cue_list: list[Cue], words: Sequence[tuple[str, float]]) -> list[dict[int, float]]:
    """Per cue, its tokens' starts by position, matching the cue's words to the spoken words in order (a token
    that does not match, such as a piece of a word broken across lines, has none)."""
    out, j = [], 0
    for cue in cue_list:
        found: dict[int, float] = {}
        for k, token in enumerate(" ".join(cue.lines).split(" ")):
            ahead = next((i for i in range(j, min(j + 4, len(words))) if words[i][0] == token), None)
            if ahead is not None:
                found[k], j = words[ahead][1], ahead + 1
        out.append(found)
    return out
