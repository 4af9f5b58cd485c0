"""Reading a script: its title, its sections and their blocks (paragraphs, lists, quotations).

Two forms are read, and told apart by their marks:

- Markdown: ``# Title``, ``##`` headings, ``-``/``*``/``1.`` lists, ``>`` quotations
  (an attribution line starting with a dash), paragraphs separated by blank lines.
- Plain text, as a script copied from a web page: the title on the first line (said
  twice is read once), a paragraph per line, headings as short lines with no end
  punctuation, ``-`` lists; page furniture after the script (``Comments (1)`` and
  what follows) is left out.

Channel furniture inside the script ("Welcome once again to JAM TV's video", "like
and subscribe") is taken out of the sentences and kept in ``left_out``, so the
storyboard can list it in a comment. Text in square brackets is an aside for the
reader (a citation, a stage direction), not narration: it is left out too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pipeline.narration import sentences


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class ListBlock:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quotation:
    sentences: tuple[str, ...]
    attribution: str | None


Block = Paragraph | ListBlock | Quotation


@dataclass
class Part:
    """A section of the script: its heading (None for the text before the first one) and its blocks."""

    heading: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Script:
    title: str
    form: Literal["markdown", "text"]
    parts: list[Part]
    #: Channel furniture and asides taken out of the narration, as written.
    left_out: list[str] = field(default_factory=list)


#: A line from where the web page's furniture starts: everything from it on is not the script.
_PAGE_END = re.compile(
    r"^\s*(comments?\s*\(\d+\)|\d+\s+comments?|comments?$|leave a (comment|reply)|related (videos|posts|articles)"
    r"|share this|you may also like|about the author)",
    re.IGNORECASE,
)
#: Sentences that talk to the channel's audience, not about the topic.
FURNITURE = re.compile(
    r"\b(welcome (once again |back )?to\b|(like|hit like) and subscribe|subscribe to (our|my|the) channel"
    r"|don'?t forget to (like|subscribe)|hit the (bell|like button)|smash (that|the) like"
    r"|let us know in the comments|leave a comment|see you in the next video|thanks for watching"
    r"|this video is sponsored|link in the description)",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|\d{1,2}[.)])\s+(.*)$")
_QUOTE_LINE = re.compile(r"^\s*>\s?(.*)$")
_ATTRIBUTION = re.compile(r"^\s*(?:—|–|--|-)\s*(.+)$")
_ASIDE = re.compile(r"\s*\[[^\]]*\]")
_END_PUNCTUATION = tuple('.!?,;:"”’)')


def read(text: str) -> Script:
    """The script in ``text``, in either form."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    for i, line in enumerate(lines):
        if _PAGE_END.match(line):
            lines = lines[:i]
            break
    markdown = any(_MD_HEADING.match(line) for line in lines) or any(_QUOTE_LINE.match(line) for line in lines)
    script = _markdown(lines) if markdown else _plain(lines)
    return _without_furniture(script)


def _markdown(lines: list[str]) -> Script:
    reader = _Markdown()
    for line in lines:
        reader.read(line)
    reader.flush()
    title = reader.title
    if title is None:  # no '# ' line: the first paragraph's first sentence names the video
        title = _first_words(reader.parts)
    return Script(title, "markdown", [p for p in reader.parts if p.blocks or p.heading])


@dataclass
class _Markdown:
    """A Markdown script read line by line: the title, the parts so far, and the block being read (the lines of a
    paragraph, a list's items or a quotation's lines), which a blank line or another kind of block ends."""

    title: str | None = None
    parts: list[Part] = field(default_factory=lambda: [Part(None)])
    paragraph: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    quote: list[str] = field(default_factory=list)

    def read(self, line: str) -> None:
        """One line: a heading, a blank line, a quotation's line, or the text of a paragraph or a list."""
        if (heading := _MD_HEADING.match(line)) is not None:
            self.flush()
            self.heading(heading.group(1), heading.group(2))
        elif not line.strip():
            self.flush()
        elif (q := _QUOTE_LINE.match(line)) is not None:
            if self.paragraph or self.items:
                self.flush()
            self.quote.append(q.group(1))
        elif not self.ends_quotation(line) and not self.late_attribution(line):
            self.text(line)

    def flush(self) -> None:
        """The block being read, added to the part it is in."""
        blocks = self.parts[-1].blocks
        if self.paragraph:
            blocks += paragraph_blocks(tuple(sentences.split(_inline(" ".join(self.paragraph)))))
            self.paragraph.clear()
        if self.items:
            blocks.append(ListBlock(tuple(_inline(item) for item in self.items)))
            self.items.clear()
        if self.quote:
            blocks.append(_quotation(self.quote))
            self.quote.clear()

    def heading(self, marks: str, text: str) -> None:
        """The first '# ' heading is the title; any other starts a part."""
        if self.title is None and len(marks) == 1:
            self.title = _inline(text)
        else:
            self.parts.append(Part(_inline(text)))

    def ends_quotation(self, line: str) -> bool:
        """Whether ``line`` is a short attribution that ends the quotation being read (and is read); any line
        after a quotation ends it."""
        if not self.quote:
            return False
        attribution = _ATTRIBUTION.match(line)
        if attribution and len(attribution.group(1).split()) <= 12:
            self.quote.append(line.strip())
            self.flush()
            return True
        self.flush()
        return False

    def late_attribution(self, line: str) -> bool:
        """Whether ``line`` is the attribution of the quotation before it, after a gap (and is read)."""
        blocks = self.parts[-1].blocks
        last = blocks[-1] if blocks else None
        attribution = _ATTRIBUTION.match(line)
        if attribution and not self.paragraph and isinstance(last, Quotation) and last.attribution is None:
            blocks[-1] = Quotation(last.sentences, _inline(attribution.group(1)))
            return True
        return False

    def text(self, line: str) -> None:
        """A list item, an item's wrapped line, or a line of a paragraph."""
        if (item := _LIST_ITEM.match(line)) is not None:
            if self.paragraph:
                self.flush()
            self.items.append(item.group(1))
        elif self.items and line.startswith((" ", "\t")):
            self.items[-1] += " " + line.strip()  # an item's wrapped line
        else:
            if self.items:
                self.flush()
            self.paragraph.append(line.strip())


def _plain(lines: list[str]) -> Script:
    body = [line.strip() for line in lines]
    while body and not body[0]:
        body.pop(0)
    title = body.pop(0) if body else "Untitled"
    while body and (not body[0] or body[0].lower() == title.lower()):  # the title said twice
        body.pop(0)
    parts = [Part(None)]
    items: list[str] = []
    for i, line in enumerate(body):
        if (item := _LIST_ITEM.match(line)) is not None:
            items.append(item.group(1))
            continue
        if items:
            parts[-1].blocks.append(ListBlock(tuple(items)))
            items = []
        if not line:
            continue
        following = next((later for later in body[i + 1 :] if later), "")
        if _is_heading(line) and following:
            parts.append(Part(line))
        else:
            parts[-1].blocks += paragraph_blocks(tuple(sentences.split(line)))
    if items:
        parts[-1].blocks.append(ListBlock(tuple(items)))
    return Script(title, "text", [p for p in parts if p.blocks or p.heading])


#: A quotation's last sentence: its closing quote mark, then a dash and who said it ('… the point." — a historian').
_DASHED = re.compile(r"^(?P<said>.*?[\"”])\s*(?:—|–|--|-)\s*(?P<who>[^\"“”]{2,120})$")


def paragraph_blocks(said: tuple[str, ...]) -> list[Block]:
    """A paragraph's sentences as blocks: a quotation in it whose attribution follows its closing quote and a
    dash (``"… and that is the point." — a historian at …``) is a quotation block of its own, its marks taken off
    and its attribution apart, so neither a stray quote mark nor the attribution reaches the narration or the
    quote's text; the sentences before and after it stay paragraphs."""
    for end, sentence in enumerate(said):
        dashed = _DASHED.match(sentence)
        if dashed is None:
            continue
        start = next((i for i in range(end, -1, -1) if said[i].lstrip().startswith(('"', "“"))), None)
        if start is None or (start == end and dashed.group("said").count('"') + dashed.group("said").count("“") < 2):
            continue
        quoted = " ".join([*said[start:end], dashed.group("said")]).strip().strip('"“”').strip()
        if not quoted or '"' in quoted or "“" in quoted:
            continue  # the quote marks do not enclose the whole quotation: leave it as written
        before = [Paragraph(said[:start])] if start else []
        quotation = Quotation(tuple(sentences.split(quoted)), dashed.group("who").strip().rstrip("."))
        return [*before, quotation, *paragraph_blocks(said[end + 1 :])] if said[end + 1 :] else [*before, quotation]
    return [Paragraph(said)] if said else []


def _is_heading(line: str) -> bool:
    """A short line with no end punctuation that starts like a title: 'The Geographical Trap'."""
    words = line.split()
    return 0 < len(words) <= 10 and not line.endswith(_END_PUNCTUATION) and (line[0].isupper() or line[0].isdigit())


def _quotation(lines: list[str]) -> Quotation:
    attribution = None
    body = [line for line in lines if line.strip()]
    if body and (found := _ATTRIBUTION.match(body[-1])) is not None:
        attribution = _inline(found.group(1))
        body = body[:-1]
    text = _inline(" ".join(body)).strip()
    dashed = _DASHED.match(text)
    if attribution is None and dashed is not None:  # '> "… the point." — a historian at …' on the quote's line
        text, attribution = dashed.group("said"), dashed.group("who").strip().rstrip(".")
    return Quotation(tuple(sentences.split(text.strip().strip('"“”').strip())), attribution)


def _inline(text: str) -> str:
    """Markdown's inline marks taken off: emphasis, code, links (their text kept)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text)
    return " ".join(text.split())


def _first_words(parts: list[Part]) -> str:
    for part in parts:
        for block in part.blocks:
            if isinstance(block, Paragraph) and block.sentences:
                return block.sentences[0].rstrip(".!?")
    return "Untitled"


def _without_furniture(script: Script) -> Script:
    """The script with channel furniture and bracketed asides taken out of its sentences (and noted)."""
    left_out: list[str] = []

    def keep(sentence: str) -> str | None:
        if FURNITURE.search(sentence):
            left_out.append(sentence)
            return None
        asides = _ASIDE.findall(sentence)
        if asides:
            left_out.extend(a.strip() for a in asides)
            sentence = " ".join(_ASIDE.sub("", sentence).split())
        return sentence if any(c.isalnum() for c in sentence) else None

    for part in script.parts:
        blocks: list[Block] = []
        for block in part.blocks:
            if isinstance(block, ListBlock):
                kept = tuple(s for s in map(keep, block.items) if s)
                if kept:
                    blocks.append(ListBlock(kept))
            elif isinstance(block, Quotation):
                blocks.append(block)
            else:
                said = tuple(s for s in map(keep, block.sentences) if s)
                if said:
                    blocks.append(Paragraph(said))
        part.blocks = blocks
    script.parts = [p for p in script.parts if p.blocks]
    script.left_out = left_out
    return script
