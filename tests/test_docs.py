"""The docs cannot drift: the storyboard reference is the generator's output now, its examples validate, every
relative link in README.md and docs/ reaches a file and heading that exist, and the pages that list the built-in
slide kinds, formats and engines list every one registered."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pipeline
from pipeline import RenderOptions, docgen

REPO = Path(__file__).resolve().parent.parent
REGENERATE = "python -m pipeline.docgen > docs/storyboard.md"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_reference_is_what_the_generator_writes_now():
    committed = (REPO / "docs" / "storyboard.md").read_text(encoding="utf-8")
    assert committed == docgen.reference(), f"docs/storyboard.md is out of date with the schema; run: {REGENERATE}"


def test_every_slide_kind_has_an_example():
    assert set(docgen.EXAMPLES) == set(pipeline.KINDS), "give each kind an example in pipeline/docgen.py EXAMPLES"


def test_every_example_validates_through_the_real_loader(tmp_path: Path):
    """All the kinds' examples in one storyboard, with the shipped picture and footage they name, checked to draw."""
    for name in ("images/border-river.png", "footage/border-night.mp4"):
        (tmp_path / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "assets" / name, tmp_path / "assets" / name)
    scenes = "".join(textwrap.indent(docgen.EXAMPLES[kind], "      ") for kind in pipeline.KINDS)
    story = tmp_path / "examples.yaml"
    story.write_text(f"title: Examples\nsections:\n  - title: Every kind\n    scenes:\n{scenes}", encoding="utf-8")
    project = pipeline.validate(story, RenderOptions())
    assert [entry.id for entry in project.entries()] == [
        re.match(r"- id: (\S+)", docgen.EXAMPLES[kind]).group(1) for kind in pipeline.KINDS
    ]


def test_the_readme_first_storyboard_validates(tmp_path: Path):
    """The README's first storyboard is pasted by newcomers: it must render as it is."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(title:.*?)```", readme, re.S).group(1)
    (tmp_path / "assets").mkdir()
    story = tmp_path / "my-first-video.yaml"
    story.write_text(example, encoding="utf-8")
    assert pipeline.validate(story, RenderOptions()).entries()


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings (outside code blocks), a repeated one numbered -1, -2..."""
    found: set[str] = set()
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug, n = docgen.anchor(heading), 0
        while (slug if n == 0 else f"{slug}-{n}") in found:
            n += 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def test_relative_links_reach_a_file_and_heading():
    broken = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"", text):
            target = target[0] or target[1]
            if re.match(r"[a-z]+:", target):
                continue  # a web address: not checked offline
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(REPO)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


#: Counts as the pages write them.
NUMBERS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
]  # fmt: skip


def _section(page: str, heading: str) -> str:
    """The text under ``heading`` (a '## ' line) up to the next heading of that level or above."""
    text = (REPO / page).read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^##? |\Z)", text, re.S | re.M)
    assert found, f"{page} has no '## {heading}'"
    return found.group(1)


def test_the_pages_that_name_every_built_in_name_them_all():
    """The pages docs/extending.md says to update when a kind, a format or an engine is added list every one."""
    from pipeline.core.formats import FORMATS
    from pipeline.narration.engines import ENGINES

    kinds, formats, engines = list(pipeline.KINDS), list(FORMATS), list(ENGINES)
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    count, named = re.search(r"There are (\w+) slide kinds \(([^)]*)\)", readme).groups()
    assert (count, sorted(named.split(", "))) == (NUMBERS[len(kinds)], sorted(kinds)), "README.md's slide kinds"
    missing = [kind for kind in kinds if f"`{kind}`" not in _section("docs/storyboards.md", "Slide kinds")]
    assert missing == [], "docs/storyboards.md's 'Slide kinds' leaves them out"

    screens = f"{NUMBERS[len(formats)].capitalize()} screens"
    rows = re.findall(r"^\| `(\w+)`", _section("docs/formats.md", screens), re.M)
    assert sorted(rows) == sorted(formats), f"docs/formats.md's '{screens}' has a row for each format"
    index = re.search(
        r"^\| \[Formats, Shorts and captions\]\(formats.md\) \|.*$",
        (REPO / "docs" / "README.md").read_text(encoding="utf-8"),
        re.M,
    ).group(0)
    assert all(name in index for name in formats), "docs/README.md's formats row"
    assert sorted(re.findall(r"^\| `(\w+)` \|", _section("docs/sound.md", "Engines"), re.M)) == sorted(engines), (
        "docs/sound.md's engines table"
    )
    modules = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    row = re.search(r"^\| `formats/` \|.*$", modules, re.M).group(0)
    assert all(f"`{name}`" in row for name in formats), "docs/architecture.md's formats/ row"
    row = re.search(r"^\| `engines/` \|.*$", modules, re.M).group(0)
    assert all(f"`{name}.py`" in row for name in engines), "docs/architecture.md's engines/ row"


def test_the_themes_section_shows_every_built_in_look_and_its_examples_load():
    """docs/storyboards.md's 'Themes' has a row and a picture for each built-in theme, and the themes it writes
    in YAML load as written."""
    import yaml

    from pipeline.drawing.slides.theme import available_themes
    from pipeline.drawing.slides.theme import load as load_theme

    section = _section("docs/storyboards.md", "Themes")
    rows = re.findall(r"^\| `([\w-]+)`", section, re.M)
    assert [name for name in available_themes(None) if name not in rows] == [], "a built-in theme has no row"
    assert all(f'src="images/theme-{name}.png"' in section for name in available_themes(None))
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    themes = [block["theme"] for block in blocks if isinstance(block, dict) and isinstance(block.get("theme"), dict)]
    assert len(themes) >= 2
    for theme in themes:
        load_theme(theme)
