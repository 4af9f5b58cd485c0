"""`explainer lint`: each rule on a tiny storyboard that breaks only it, a clean one, the shipped one, the CLI.

Nothing is rendered or synthesized: times are estimated (no cache or render.json in a fresh
project folder) or read from a render.json written here; pronunciation asks the voice's
phonemizer (eSpeak NG through piper's bridge), which takes milliseconds.
"""

from __future__ import annotations

import json
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.core.errors import StoryboardError
from pipeline.lint import RULES, LintOptions, lint
from pipeline.lint import numbers as figures_said
from pipeline.lint.phonemes import Phonemizer
from tests.conftest import SHIPPED, explainer

ONE_SECTION = """\
title: Lint test
sections:
  - title: Only
    scenes:
"""


def where(path, needle: str, nth: int = 1, value: bool = False) -> tuple[int, int]:
    """(line, column) where ``needle`` is written in the file for the ``nth`` time, as an editor counts them;
    ``value``: where the value after the ``key: `` that ``needle`` starts with begins."""
    text, at = path.read_text(encoding="utf-8"), -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    if value:
        at += needle.index(": ") + 2
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def rules_of(warnings) -> list[str]:
    return [w.rule for w in warnings]


def only(warnings, rule: str):
    """The single warning, checked to be of ``rule`` (a storyboard that triggers exactly that)."""
    assert rules_of(warnings) == [rule], "\n".join(map(str, warnings))
    return warnings[0]


def test_still_scene(project):
    story = project(
        ONE_SECTION
        + """\
      - id: long-title
        slide: {kind: title, title: The long road}
        narration: >
          The road north was long and cold. Families walked it at night, carrying what they
          could. Some stopped in small towns to rest and find food. Others kept going without a
          pause, afraid of being seen. Many of them had never left their village before. The
          river was the last thing standing between them and the other side. In winter it froze
          hard enough to cross on foot. In summer the water ran low between the stones.
        voice: {speed: 0.85}
"""
    )
    warning = only(lint(story), "still-scene")
    assert (warning.line, warning.col) == (6, 9)  # the scene's 'slide:'
    assert "scene 'long-title' lasts" in warning.message and "(estimated)" in warning.message
    assert "split the narration across two scenes" in warning.message
    assert str(warning).startswith(f"{story}:6:9: warning: ") and str(warning).endswith(" [still-scene]")
    assert str(warning).count("long-title") == 1, "the scene is named once"


@pytest.mark.parametrize(
    "slide",
    [
        "{kind: image, file: assets/p.png, move: in}",
        "{kind: bullets, items: [{text: The road, sentence: 1}, {text: The river, sentence: 6}]}",
    ],
)
def test_a_long_scene_that_moves_is_fine(project, tmp_path, slide):
    from PIL import Image

    Image.new("RGB", (64, 36), "gray").save(tmp_path / "assets" / "p.png")
    story = project(
        ONE_SECTION
        + f"""\
      - id: long
        slide: {slide}
        narration: >
          The road north was long and cold. Families walked it at night, carrying what they
          could. Some stopped in small towns to rest and find food. Others kept going without a
          pause, afraid of being seen. Many of them had never left their village before. The
          river was the last thing standing between them and the other side. In winter it froze
          hard enough to cross on foot. In summer the water ran low between the stones.
        voice: {{speed: 0.85}}
"""
    )
    assert "still-scene" not in rules_of(lint(story))


def test_pace_too_fast_and_too_slow(project):
    story = project(
        ONE_SECTION
        + """\
      - id: rushed
        slide: {kind: title, title: In a hurry}
        narration: >
          We have a lot to get through today, so let us start right away with the first part of
          the story, and then move on.
        voice: {speed: 1.4}
      - id: dragging
        slide: {kind: title, title: Slowly}
        narration: >
          It was quiet. [pause 2] Nobody spoke at all. [pause 2] The guards watched the river.
          [pause 2] Then the first light came up slowly over the hills.
"""
    )
    fast, slow = lint(story)
    assert (fast.rule, fast.line, fast.col) == ("pace", 7, 9)  # the scene's 'narration:'
    assert "faster than about 180" in fast.message and "voice: {speed:" in fast.message
    assert "estimated for piper at 183 words a minute" in fast.message
    assert (slow.rule, slow.line, slow.col) == ("pace", 13, 9)
    assert "slower than about 120" in slow.message and "[pause]" in slow.message
    # Which scene, as validate says it: a line number alone sent a creator counting scenes.
    assert str(fast).endswith("(scene 'rushed') [pace]") and str(slow).endswith("(scene 'dragging') [pace]")


def test_pace_uses_the_last_render_when_it_is_current(project, tmp_path):
    """Real sentence times from render.json: 23 words spoken over 16 s read slow; a changed narration is estimated."""
    first = "The river carries water from the high mountains to the distant sea."
    second = "Along the way, it slowly changes the land, year after year."
    story = project(
        ONE_SECTION
        + f"""\
      - id: river
        slide: {{kind: title, title: Rivers}}
        narration: {first} [pause 1] {second}
"""
    )
    render = {
        "engine": {"engine": "piper"},
        "scenes": [{
            "id": "river", "voice": {"voice": "en_US-joe-medium", "speed": 1.0},
            "sentences": [
                {"text": first, "spoken": first, "start": 0.5, "end": 6.5,
                 "words": [["The", 0.54, 0.7], ["sea.", 6.0, 6.46]]},
                {"text": second, "spoken": second, "start": 7.5, "end": 14.5,
                 "words": [["Along", 7.54, 7.9], ["year.", 14.0, 14.46]]},
            ],
        }],
    }  # fmt: skip
    out = tmp_path / "output" / "story"
    out.mkdir(parents=True)
    (out / "render.json").write_text(json.dumps(render), encoding="utf-8")
    warning = only(lint(story), "pace")
    assert "23 words in 16.0 s" in warning.message and "slower than about 120" in warning.message
    assert "piper, measured in the last render" in warning.message
    assert lint(story, LintOptions(measured=False)) == []  # the estimate: a normal pace
    story.write_text(story.read_text().replace("year after year", "every single year"), encoding="utf-8")
    assert lint(story) == []  # the render is stale for this scene: estimated


def test_no_source(project):
    story = project(
        ONE_SECTION
        + """\
      - id: soldiers
        slide: {kind: stat, value: 750000, label: soldiers along the border}
        narration: North Korea keeps around 750,000 soldiers along the border.
      - id: places
        slide: {kind: compare, before: {value: China, label: sent back}, after: {value: Thailand, label: sent on}}
        narration: China sends them back. Thailand sends them on.
"""
    )
    warning = only(lint(story), "no-source")
    assert (warning.line, warning.col) == (6, 23)  # the stat's 'kind' value
    assert "scene 'soldiers' shows a figure with no source" in warning.message
    assert "add 'source:' to the slide" in warning.message


def test_figure_mismatch(project):
    story = project(
        ONE_SECTION
        + """\
      - id: peak
        slide: {kind: stat, value: 2914, label: arrivals in 2009, source: Ministry of Unification}
        narration: >
          Arrivals climbed for a decade. In 2009 they peaked at 3,000 people.
      - id: rounded
        slide: {kind: stat, value: 1047, label: arrivals in 2019, source: Ministry of Unification}
        narration: By 2019, only about 1,000 people got out, ten times fewer than hoped.
      - id: millions
        slide: {kind: stat, value: 3.5, suffix: " million", label: deaths, source: Estimates}
        narration: The famine killed three and a half million people.
"""
    )
    warning = only(lint(story), "figure-mismatch")
    assert (warning.line, warning.col) == where(story, "3,000") == (8, 65)  # in the folded narration
    assert "the narration says 3,000 where the slide shows 2,914" in warning.message
    assert "round it openly" in warning.message


def test_figure_numbers_are_read_as_written_and_said():
    said = figures_said.figures("About 34,000 left; $10,000 each; 27% of them; 3.5 million; in 2009; the 1990s")
    assert [(f.value, f.year, f.hedge) for f in said] == [
        (34000, False, "about"), (10000, False, ""), (27, False, ""), (3.5e6, False, ""), (2009, True, ""),
    ]  # fmt: skip
    words = figures_said.figures("three and a half million, fifteen years, barely a thousand, ten times more")
    assert [(f.value, f.ratio) for f in words] == [(3.5e6, False), (15, False), (1000, False), (10, True)]


#: Longer silences around each scene, so a section of two short scenes lasts more than ten seconds.
SLOW_SCENES = "narration: {lead_in: 1.5, tail: 2.5}\n"


def sections(title: str, text: str) -> str:
    return f"title: {title}\n{SLOW_SCENES}{textwrap.dedent(text)}"


def test_chapters_too_few(project):
    story = project(
        sections(
            "Chapters",
            """\
        sections:
          - title: First part
            scenes:
              - {id: a, slide: {kind: title, title: One}, narration: The story begins on a cold night.}
              - {id: b, slide: {kind: title, title: Two}, narration: It carries on in a small town.}
          - title: Second part
            scenes:
              - {id: c, slide: {kind: title, title: Three}, narration: The second part begins in the morning.}
              - {id: d, slide: {kind: title, title: Four}, narration: It ends where the road meets the sea.}
        """,
        )
    )
    warning = only(lint(story), "chapters")
    assert (warning.line, warning.col) == where(story, "sections:") == (3, 1)
    assert "2 sections, so YouTube shows none of its chapters" in warning.message and "3 or more" in warning.message


def test_chapters_too_short(project):
    story = project(
        sections(
            "Chapters",
            """\
        sections:
          - title: First part
            scenes:
              - {id: a, slide: {kind: title, title: One}, narration: The story begins on a cold night.}
              - {id: b, slide: {kind: title, title: Two}, narration: It carries on in a small town.}
          - title: Brief
            scenes:
              - {id: c, slide: {kind: title, title: Three}, narration: Then.}
              - {id: d, slide: {kind: title, title: Four}, narration: Next.}
          - title: Last part
            scenes:
              - {id: e, slide: {kind: title, title: Five}, narration: The last part begins in the morning.}
              - {id: f, slide: {kind: title, title: Six}, narration: It ends where the road meets the sea.}
        """,
        )
    )
    warning = only(lint(story), "chapters")
    assert (warning.line, warning.col) == where(story, "title: Brief", value=True) == (8, 12)
    assert "section 'Brief' lasts" in warning.message and "under the 10 s YouTube needs" in warning.message


def test_one_scene_section(project):
    story = project(
        sections(
            "Sections",
            """\
        sections:
          - title: First part
            scenes:
              - {id: a, slide: {kind: title, title: One}, narration: The story begins on a cold night.}
              - {id: b, slide: {kind: title, title: Two}, narration: It carries on in a small town.}
          - title: Middle part
            scenes:
              - {id: card, slide: {kind: section}, narration: Now for the middle of the story.}
              - {id: c, slide: {kind: title, title: Three}, narration: The families walk by night and hide by day.}
          - title: Last part
            scenes:
              - {id: e, slide: {kind: title, title: Five}, narration: The last part begins in the morning.}
              - {id: f, slide: {kind: title, title: Six}, narration: It ends where the road meets the sea.}
        """,
        )
    )
    warning = only(lint(story), "one-scene-section")
    assert (warning.line, warning.col) == where(story, "title: Middle part", value=True) == (8, 12)
    assert "section 'Middle part' has one scene besides its section card" in warning.message
    assert "merge it into the section before or after it" in warning.message


def test_pronunciation(project):
    story = project(
        ONE_SECTION
        + """\
      - id: talks
        slide: {kind: title, title: Talks}
        narration: >
          The talks in Tbilisi failed. The DMZ stayed closed, NATO said nothing, and Korea waited.
"""
    )
    warning = only(lint(story), "pronunciation")
    assert (warning.line, warning.col) == where(story, "Tbilisi") == (8, 24)
    assert "the voice cannot say the start of 'Tbilisi': it spells T" in warning.message
    assert 'add to narration.lexicon how it is said, e.g. "Tbilisi: ' in warning.message


def test_pronunciation_of_acronyms_and_the_lexicon(project):
    text = """\
        title: Lint test
        narration:
          lexicon: {LEXICON}
        sections:
          - title: Only
            scenes:
              - id: missiles
                slide: {kind: title, title: Missiles}
                narration: An ICBM flew over the sea, and the NGOs that watched it were silent.
        """
    story = project(text.replace("{LEXICON}", "{}"))
    warnings = lint(story)
    assert rules_of(warnings) == ["pronunciation", "pronunciation"]
    icbm, ngo = warnings
    assert (icbm.line, icbm.col) == where(story, "ICBM") and 'add to narration.lexicon: "ICBM: I C B M"' in icbm.message
    assert (ngo.line, ngo.col) == where(story, "NGOs") and '"NGOs: N G O\'s"' in ngo.message
    lexicon = "{ICBM: I C B M, NGOs: N G O's}"
    assert lint(project(text.replace("{LEXICON}", lexicon))) == []  # words in the lexicon never warn


def test_the_phonemizer_tells_spelled_read_and_known_words_apart():
    voice = Phonemizer("en-us")
    assert voice.read("DMZ").how == "letters"
    assert voice.read("Hwasong").how == "partly spelled" and voice.read("Hwasong").spelled == ("h",)
    assert voice.read("NATO").how == "dictionary"
    assert voice.read("river").how == "rules"


def test_reveals_out_of_order(project):
    story = project(
        ONE_SECTION
        + """\
      - id: crackdown
        slide:
          kind: bullets
          items:
            - {text: Signal jammers installed, sentence: 2}
            - {text: New fences, sentence: 1}
        narration: He put up new fences. He installed signal jammers.
"""
    )
    warning = only(lint(story), "reveal-order")
    assert (
        (warning.line, warning.col) == where(story, "sentence: 1", value=True) == (10, 44)
    )  # the second item's sentence
    assert "bullet 2 ('New fences') appears with sentence 1, before bullet 1" in warning.message
    assert "reorder the list" in warning.message


def test_reveal_on_the_wrong_sentence(project):
    story = project(
        ONE_SECTION
        + """\
      - id: crackdown
        slide:
          kind: bullets
          items:
            - {text: Military patrols doubled, sentence: 1}
            - {text: Signal jammers installed, sentence: 1}
            - {text: New border fences, sentence: 3}
        narration: Patrols along the river doubled. He installed signal jammers in every town. New fences went up.
"""
    )
    warning = only(lint(story), "reveal-order")
    assert (warning.line, warning.col) == where(story, "sentence: 1", 2, value=True) == (10, 58)
    assert "bullet 2 ('Signal jammers installed') appears with sentence 1, but it is sentence 2" in warning.message
    assert "tie it to 'sentence: 2'" in warning.message


CLEAN = """\
title: A clean video
sections:
  - title: Opening
    scenes:
      - id: opening
        slide: {kind: title, title: Rivers of the world, subtitle: Where the water goes}
        narration: Every river starts somewhere small. This is the story of where the water goes.
      - id: length
        slide: {kind: stat, value: 6650, unit: km, label: the length of the Nile, source: Encyclopaedia Britannica}
        narration: The Nile runs for about 6,650 kilometres, from the lakes of East Africa to the sea.
  - title: The Flow
    scenes:
      - id: grows
        slide:
          kind: bullets
          title: How a river grows
          items:
            - {text: Rain falls on the hills, sentence: 1}
            - {text: Streams join together, sentence: 2}
            - {text: The river reaches the sea, sentence: 3}
        narration: Rain falls on the hills. Small streams join together. At last the river reaches the sea.
      - id: flow
        slide:
          kind: chart
          title: Water carried, per year
          labels: ["2019", "2020", "2021"]
          values: [84, 91, 88]
          source: Nile Basin Initiative
        narration: In 2020 the river carried 91 cubic kilometres of water, more than the year before.
  - title: The End
    scenes:
      - id: sea
        slide: {kind: quote, text: The river is the sea's memory of the mountain., attribution: A proverb}
        narration: Some say a river remembers the mountain. [pause 0.5] It carries that memory to the sea.
      - id: closing
        slide: {kind: closing, title: Thanks for watching}
        narration: Thank you for watching. [pause 0.5] Next time, we follow the water back up to the clouds.
"""


def test_a_clean_storyboard_has_no_warnings(project):
    assert lint(project(CLEAN)) == []


def test_the_shipped_storyboard(project):
    """Estimated (a render's times differ by machine): two slides of figures without a source, and the pace of the
    densest scenes; no figure, pronunciation, reveal, chapter or section warnings."""
    warnings = lint(SHIPPED, LintOptions(measured=False))
    assert {w.rule for w in warnings} == {"no-source", "pace"}
    sourceless = [w.message.split("'")[1] for w in warnings if w.rule == "no-source"]
    assert sourceless == ["border-soldiers", "broker-prices"]
    assert 3 <= rules_of(warnings).count("pace") <= 7


def test_an_unknown_rule_is_refused():
    from pipeline.core.errors import UsageError

    with pytest.raises(UsageError, match="no lint rule 'pacing'"):
        lint(SHIPPED, LintOptions(rules=("pacing",)))
    assert list(RULES)[:2] == ["still-scene", "pace"]


def test_a_broken_storyboard_raises_as_validate_does(project):
    story = project(ONE_SECTION + "      - id: a\n        slide: {kind: stats}\n        narration: Hi.\n")
    with pytest.raises(StoryboardError) as caught:
        lint(story)
    assert caught.value.problems[0].line == 6


# -- the command ------------------------------------------------------------------------------------------------


SOURCELESS = "      - id: a\n        slide: {kind: stat, value: 5, label: x}\n        narration: Five.\n"


def explain(*commands: tuple[str, ...]):
    """Run several `explainer` commands at once (each starts Python and validates: about a second)."""
    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(lambda args: explainer(*args), commands))


@pytest.mark.slow  # the real command, in a subprocess
def test_cli_prints_warnings_and_exits_0(project):
    story = project(
        ONE_SECTION + "      - id: a\n        slide: {kind: stat, value: 5, label: x}\n        narration: Five.\n"
    )
    run = explainer("lint", str(story))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"{story}:6:23: warning: scene 'a' shows a figure with no source; add 'source:' to the slide naming where "
        "the data comes from (it is drawn in small type under it) [no-source]"
    ]
    assert "1 warning(s)" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow  # the real command, in a subprocess
def test_cli_strict_exits_1_on_warnings_only(project):
    story = project(
        ONE_SECTION + "      - id: a\n        slide: {kind: stat, value: 5, label: x}\n        narration: Five.\n"
    )
    strict, clean = explain(("lint", "--strict", str(story)), ("lint", "--strict", str(project(CLEAN, "clean.yaml"))))
    assert strict.returncode == 1 and strict.stdout.count("[no-source]") == 1
    assert clean.returncode == 0 and clean.stdout == "" and "no warnings" in clean.stderr


@pytest.mark.slow  # the real command, in a subprocess
def test_cli_reports_a_broken_storyboard_as_validate_does(project):
    story = project(
        ONE_SECTION + "      - id: a\n        slide: {kind: stats}\n        narration: Hi.\n"
        "      - id: b\n        slide: {kind: title, title: T}\n"
    )
    linted, validated, missing = explain(
        ("lint", "--strict", str(story)), ("validate", str(story)), ("lint", str(story.parent / "nope.yaml"))
    )
    assert linted.returncode == validated.returncode == 2
    assert linted.stderr == validated.stderr and linted.stdout == ""
    assert f"{story}:6:23: unknown slide kind 'stats' (did you mean 'stat'?)" in linted.stderr
    assert "Traceback" not in linted.stderr
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


# The text rules: what a text cut in the wrong place looks like.


def test_doubled_word_on_a_slide_and_in_the_narration(project):
    story = project(
        ONE_SECTION
        + """\
      - {id: a, slide: {kind: title, title: The the harbour froze}, narration: The harbour froze that winter.}
      - {id: b, slide: {kind: title, title: Ships waited}, narration: Ships waited for for weeks in the bay.}
      - {id: c, slide: {kind: title, title: He had had enough}, narration: The captain had had enough of waiting.}
"""
    )
    found = lint(story, LintOptions(rules=("doubled-word",)))
    assert len(found) == 2, "\n".join(map(str, found))
    assert (found[0].line, found[0].col) == where(story, "title: The the", value=True)
    assert "'The' twice in a row" in found[0].message
    assert (found[1].line, found[1].col) == where(story, "for for")


@pytest.mark.parametrize(
    "title, why",
    [
        ("The route was first sailed by the explorer Pedro de", "cut inside a name"),
        ("The bridge was finished by the", "ends on 'the'"),
        ("The it was the coldest winter", "subject was cut away"),
        ('The mayor called it "the worst winter', "does not pair up"),
    ],
)
def test_not_a_phrase(project, title, why):
    story = project(ONE_SECTION + f"      - {{id: a, slide: {{kind: title, title: '{title}'}}, narration: Words.}}\n")
    warning = only(lint(story, LintOptions(rules=("not-a-phrase",))), "not-a-phrase")
    assert why in warning.message and (warning.line, warning.col) == where(story, "title: '", value=True)


def test_whole_phrases_and_quotations_are_not_judged(project):
    story = project(
        ONE_SECTION
        + """\
      - {id: a, slide: {kind: title, title: The bridge opened in 1932}, narration: The bridge opened in 1932.}
      - {id: b, slide: {kind: title, title: Was it worth it?}, narration: Was it worth it?}
      - {id: c, slide: {kind: quote, text: We built it for the, attribution: an engineer of}, narration: Words.}
"""
    )
    assert lint(story, LintOptions(rules=("not-a-phrase",))) == []


def test_timeline_out_of_date_order(project):
    story = project(
        ONE_SECTION
        + """\
      - id: a
        slide:
          kind: timeline
          events:
            - {date: '1931', text: The flood}
            - {date: 1920s, text: The first survey}
            - {date: Mar 1994, text: Work began}
            - {date: Jan 1994, text: The vote}
        narration: The flood came first in our story, then the survey, then the work, then the vote.
"""
    )
    found = lint(story, LintOptions(rules=("timeline-order",)))
    assert [w.line for w in found] == [where(story, "1920s")[0], where(story, "Jan 1994")[0]]
    assert "event 2 (1920s) comes after event 1 (1931)" in found[0].message


def test_a_line_said_twice(project):
    story = project(
        sections(
            "Twice",
            """\
        sections:
          - title: First
            scenes:
              - {id: a, slide: {kind: title, title: One}, narration: Will the glacier survive the century?}
              - {id: b, slide: {kind: title, title: Two}, narration: The ice is thinning. Will the glacier survive.}
              - {id: c, slide: {kind: title, title: Three}, narration: So will the glacier survive the century?}
        """,
        )
    )
    found = lint(story, LintOptions(rules=("said-twice",)))
    assert [(w.line, w.col) for w in found] == [where(story, "Will the glacier survive.", value=False),
                                                where(story, "So will")]  # fmt: skip
    assert "in part" in found[0].message and "scene 'a'" in found[1].message
