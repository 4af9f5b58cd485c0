"""Loading storyboards: every kind of mistake gets file:line:column and a fix."""

from __future__ import annotations

import pytest

from pipeline import validate
from pipeline.core.errors import StoryboardError, UsageError
from pipeline.drawing.slides.theme import load as load_theme
from pipeline.loading.storyboard import json_schema, load
from tests.conftest import SHIPPED

HEADER = """\
title: T
video: {width: 640, height: 360}
sections:
  - title: S
    scenes:
"""


def problems(path):
    with pytest.raises(StoryboardError) as info:
        validate(path)
    return info.value.problems


def scene(body: str) -> str:
    return HEADER + "".join("      " + line + "\n" for line in body.strip("\n").split("\n"))


def at(path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in the file, to compare with errors."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_shipped_storyboard_is_valid_and_mirrors_the_script():
    project = load(SHIPPED)
    titles = [s.title for s in project.storyboard.sections]
    assert titles[0] == "The World's Largest Prison"
    assert titles[1:5] == [
        "The Geographical Trap",
        "The Northern Route",
        "The Risk and the Decline",
        "COVID-19: The Final Lockdown",
    ]
    assert len(titles) == 6
    kinds = {scene.slide.kind for scene in (entry.scene for entry in project.entries())}
    assert kinds >= {"title", "stat", "bullets", "quote", "compare", "chart", "closing"}
    spoken = " ".join(scene.narration for scene in (entry.scene for entry in project.entries()))
    for figure in [
        "750,000",
        "34,000",
        "2009",
        "3,000",
        "3.5",
        "$2,000",
        "$10,000",
        "1,000",
        "August 2020",
        "1991",
        "2012",
        "2019",
        "15",
        "ten years",
    ]:
        assert figure in spoken, figure
    assert "JAM TV" not in spoken and "comment" not in spoken.lower()


def test_unknown_slide_kind_points_at_the_kind_and_suggests(project):
    path = project(
        scene("""
- id: a
  slide: {kind: stats, value: 3, label: x}
  narration: Hi.
""")
    )
    (p,) = problems(path)
    assert (p.line, p.column) == at(path, "stats")
    assert "unknown slide kind 'stats' (did you mean 'stat'?)" in p.message
    assert str(p).startswith(f"{path}:{p.line}:{p.column}: ")


def test_unknown_field_suggests_the_right_name(project):
    path = project(
        scene("""
- id: a
  slide: {kind: title, title: Hi}
  narator: Hello.
""")
    )
    missing, typo = problems(path)
    assert (typo.line, typo.column) == at(path, "narator")
    assert "unknown field 'narator' (did you mean 'narration'?)" in typo.message
    assert "missing required field 'narration'" in missing.message


def test_missing_field_names_the_scene(project):
    (p,) = problems(
        project(
            scene("""
- id: quiet
  slide: {kind: title, title: Hi}
""")
        )
    )
    assert p.line == 6
    assert "missing required field 'narration' in scene 'quiet'" in p.message


def test_quoted_number_with_commas_says_how_to_write_it(project):
    path = project(
        scene("""
- id: a
  slide: {kind: stat, value: "34,000", label: people}
  narration: Hi.
""")
    )
    (p,) = problems(path)
    assert (p.line, p.column) == at(path, '"34,000"')
    assert "'value' must be a number" in p.message and "34000" in p.message


def test_duplicate_scene_ids_name_the_first_line(project):
    path = project(
        scene("""
- id: a
  slide: {kind: title, title: One}
  narration: One.
- id: a
  slide: {kind: title, title: Two}
  narration: Two.
""")
    )
    (p,) = problems(path)
    assert (p.line, p.column) == (9, 13)
    assert "duplicate scene id 'a' (first used on line 6)" in p.message


def test_every_problem_is_reported_at_once(project):
    found = problems(
        project(
            scene("""
- id: a
  slide: {kind: stats}
  narration: Hi.
- id: Bad Id
  slide: {kind: title, title: T}
  narration: Hi.
""")
        )
    )
    assert len(found) == 2
    assert "did you mean 'stat'" in found[0].message
    assert "not a valid id" in found[1].message and found[1].line == 9


def test_empty_narration(project):
    (p,) = problems(
        project(
            scene("""
- id: a
  slide: {kind: title, title: T}
  narration: "   "
""")
        )
    )
    assert "narration is empty" in p.message and p.line == 8


def test_text_over_the_schema_limit_says_how_long_it_may_be(project):
    long_title = " ".join(["Extraordinarily"] * 40)
    (p,) = problems(
        project(
            scene(f"""
- id: crowded
  slide: {{kind: title, title: {long_title}}}
  narration: Hi.
""")
        )
    )
    assert p.line == 7 and "too long: 639 characters, at most 80" in p.message


def test_text_that_cannot_fit_names_scene_and_field(project):
    # Within the length limits, but six items cannot stack on a small frame in a theme whose smallest type is large.
    large_type = HEADER.replace("sections:", "theme: {extends: documentary, sizes: {minimum: 0.1}}\nsections:")
    (p,) = problems(
        project(
            large_type
            + """\
      - id: crowded
        slide: {kind: bullets, items: [Wide words in a long item, Two, Three, Four, Five, Six]}
        narration: Hi.
"""
        )
    )
    assert p.line == 8
    assert "too long to fit" in p.message and "scene 'crowded', bullets.items.0" in p.message


def test_chart_needs_one_value_per_label(project):
    (p,) = problems(
        project(
            scene("""
- id: c
  slide: {kind: chart, labels: [a, b, c], values: [1, 2]}
  narration: Hi.
""")
        )
    )
    assert p.line == 7 and "3 labels but 2 values" in p.message


def test_tabs_in_yaml(project):
    (p,) = problems(project("title: T\nsections:\n\t- title: S\n"))
    assert p.line == 3 and "invalid YAML" in p.message and "tabs" in p.message


def test_unclosed_quote(project):
    (p,) = problems(project('title: "T\nsections: []\n'))
    assert "invalid YAML" in p.message


def test_python_tags_are_refused(project):
    (p,) = problems(project("title: !!python/object/apply:os.system ['echo hi']\nsections: []\n"))
    assert p.line == 1 and "not allowed" in p.message


def test_alias_bomb_is_refused_quickly(project):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    (p,) = problems(project("\n".join(lines) + "\n"))
    assert "expands to more than" in p.message


def test_top_level_list_or_empty_file(project):
    assert "must be a mapping" in problems(project("- a\n- b\n"))[0].message
    assert "is empty" in problems(project(""))[0].message


def test_not_utf8(project, tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"title: caf\xe9\nsections: []\n")
    (p,) = problems(path)
    assert (p.line, p.column) == (1, 11) and "not UTF-8" in p.message


def test_unknown_theme_and_engine_suggest_names(project):
    found = problems(
        project("""\
title: T
theme: documentry
narration: {engine: pipr}
sections:
  - title: S
    scenes:
      - {id: a, slide: {kind: title, title: T}, narration: Hi.}
""")
    )
    assert any("unknown engine 'pipr' (did you mean 'piper'?)" in p.message and p.line == 3 for p in found)


def test_unknown_theme(project):
    (p,) = problems(
        project("""\
title: T
theme: documentry
sections:
  - title: S
    scenes:
      - {id: a, slide: {kind: title, title: T}, narration: Hi.}
""")
    )
    assert p.line == 2 and "unknown theme 'documentry' (did you mean 'documentary'?)" in p.message


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        load(tmp_path / "nope.yaml")


def test_json_schema_lists_the_slide_kinds():
    schema = json_schema()
    text = str(schema)
    assert "sections" in schema["properties"]
    for kind in ["title", "stat", "bullets", "quote", "compare", "chart", "closing"]:
        assert f"'{kind}'" in text


INLINE_THEME = """\
title: T
theme:
  extends: daylight
  colors: {{accent: "{accent}"}}
  {extra}
sections:
  - title: S
    scenes:
      - {{id: a, slide: {{kind: title, title: T}}, narration: Hi.}}
"""


def test_storyboard_overrides_single_theme_values(project):
    loaded = load(project(INLINE_THEME.format(accent="#E63946", extra="margin: 0.06")))
    assert loaded.theme.colors.accent == "#e63946" and loaded.theme.margin == 0.06
    # everything not overridden still comes from the theme it extends
    assert (
        loaded.theme.name == "daylight" and loaded.theme.colors.background == load_theme("daylight").colors.background
    )


def test_inline_theme_errors_point_into_the_storyboard(project):
    (p,) = problems(project(INLINE_THEME.format(accent="red", extra="margin: 0.06")))
    assert (p.line, p.column) == (4, 20) and "'red' is not a colour" in p.message
    (p,) = problems(project(INLINE_THEME.format(accent="#e63946", extra="margn: 0.06")))
    assert p.line == 5 and "unknown field 'margn' (did you mean 'margin'?)" in p.message
    (p,) = problems(project(INLINE_THEME.format(accent="#e63946", extra="").replace("daylight", "dayligt")))
    assert p.line == 3 and "unknown theme 'dayligt' (did you mean 'daylight'?)" in p.message


VOICED = """\
title: T
narration:
  engine: piper
  lexicon: {{DMZ: D M Z}}
  lexicon_files: [{files}]
sections:
  - title: S
    scenes:
      - id: a
        slide: {{kind: title, title: T}}
        narration: "Hi. {narration}"
        voice: {{name: {voice}, speed: 0.9}}
"""


def test_voice_pause_and_lexicon_are_read(project):
    path = project(VOICED.format(files="assets/words.yaml", narration="[pause 0.6] There.", voice="uk"))
    (path.parent / "assets" / "words.yaml").write_text("DMZ: demilitarized zone\nKim Jong-un: Kim Jong Un\n")
    loaded = load(path)
    assert loaded.lexicon == {"DMZ": "D M Z", "Kim Jong-un": "Kim Jong Un"}, "the storyboard's own entry wins"
    scene = loaded.storyboard.sections[0].scenes[0]
    assert scene.voice.name == "uk" and scene.voice.speed == 0.9


@pytest.mark.parametrize(
    ("files", "narration", "voice", "line", "phrase"),
    [
        ("", "[pause] There.", "uk", 11, "'[pause]' is not a marker explainer knows"),
        ("", "[pause 30] There.", "uk", 11, "a pause lasts at most 10 seconds"),
        ("", "There.", "brit", 12, "unknown voice 'brit'"),
        ("assets/nope.yaml", "There.", "uk", 5, "lexicon file 'assets/nope.yaml' does not exist"),
    ],
)
def test_voice_pause_and_lexicon_mistakes_are_located(project, files, narration, voice, line, phrase):
    (p,) = problems(project(VOICED.format(files=files, narration=narration, voice=voice)))
    assert p.line == line and phrase in p.message


def test_a_bad_lexicon_file_entry_points_into_that_file(project):
    path = project(VOICED.format(files="assets/words.yaml", narration="There.", voice="uk"))
    (path.parent / "assets" / "words.yaml").write_text("DMZ: D M Z\nKim: [a, list]\n")
    (p,) = problems(path)
    assert p.file.name == "words.yaml" and p.line == 2 and "'Kim' needs a spoken form as text" in p.message


#: Numeric fields whose range is checked by their slide kind instead (with a message naming both ranges).
RANGE_CHECKED_ELSEWHERE = {
    "Spec.places", "Spec.sentence", "Stop.sentence", "Item.sentence", "Event.sentence", "Step.sentence",
    "Area.sentence",
    # A map's reveals are sentences too; its coordinates are checked as 'places' are.
    "Shot.at", "Region.at", "Line.at", "Pin.at", "Label.at", "Data.at", "Line.points", "Shot.centre", "Label.place",
}  # fmt: skip


def test_every_number_a_storyboard_or_theme_gives_has_its_real_range():
    """A number with no range passed validate and crashed drawing (an image focus of 1.5, a stat of 1e300)."""
    import typing

    import annotated_types

    from pipeline.drawing.slides import KINDS
    from pipeline.drawing.slides.theme import Theme
    from pipeline.loading.storyboard import Storyboard

    def numeric(annotation) -> bool:
        return annotation in (int, float) or any(numeric(a) for a in typing.get_args(annotation))

    def bounded(annotation, metadata) -> bool:
        kinds = {type(m) for m in metadata if isinstance(m, (annotated_types.Ge, annotated_types.Gt))}
        kinds |= {type(m) for m in metadata if isinstance(m, (annotated_types.Le, annotated_types.Lt))}
        if len(kinds) == 2:
            return True
        args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not Ellipsis]
        if typing.get_origin(annotation) is typing.Annotated:  # Field(ge=...) keeps its bounds in .metadata
            extra = [m for item in annotation.__metadata__ for m in getattr(item, "metadata", [item])]
            return bounded(args[0], [*metadata, *extra])
        return bool(args) and all(bounded(a, []) for a in args if numeric(a))

    unbounded = [
        where
        for where, field in _every_field(Storyboard, Theme, *(kind.spec for kind in KINDS.values()))
        if where not in RANGE_CHECKED_ELSEWHERE
        and numeric(field.annotation)
        and not bounded(field.annotation, field.metadata)
    ]
    assert unbounded == []


def _every_field(*models):
    """('Model.field', FieldInfo) for every field of ``models`` and of the models inside them, once each."""
    import typing

    from pydantic import BaseModel

    seen, stack = set(), list(models)
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            yield f"{model.__name__}.{name}", field
            inner = [field.annotation]
            while inner:
                t = inner.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    stack.append(t)
                inner += typing.get_args(t)


def test_every_text_a_slide_draws_has_a_length_limit():
    """A chart label had none: a 100,000-character label took seconds to measure and could never fit."""
    import types
    import typing

    from pydantic import BaseModel

    from pipeline.drawing.slides import KINDS

    def unlimited(annotation, metadata) -> bool:
        if annotation is str:
            return not any(getattr(m, "max_length", None) for m in metadata)
        if typing.get_origin(annotation) is typing.Annotated:
            extra = [m for item in annotation.__metadata__ for m in getattr(item, "metadata", [item])]
            return unlimited(typing.get_args(annotation)[0], [*metadata, *extra])
        if typing.get_origin(annotation) is typing.Literal:
            return False
        args = typing.get_args(annotation)
        inner = [a for a in args if a not in (type(None), Ellipsis)]
        # A list's or mapping's own max_length counts its items, not their characters; an option keeps it.
        keep = metadata if typing.get_origin(annotation) in (typing.Union, types.UnionType) else []
        return any(unlimited(a, keep) for a in inner if not (isinstance(a, type) and issubclass(a, BaseModel)))

    specs = [kind.spec for kind in KINDS.values()]
    found = [
        where
        for where, field in _every_field(*specs)
        if where.split(".")[1] not in ("kind", "file") and unlimited(field.annotation, field.metadata)
    ]
    assert found == []


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted((SHIPPED.parent / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_example_storyboards_validate(example):
    """The short explainers on other topics (a dam, Antarctica, measles) that README points new users to."""
    project = validate(example)
    assert len(project.entries()) >= 4
