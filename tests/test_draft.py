"""`explainer draft`: scripts in both forms become storyboards that validate and render, by rules each tested here."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml
from conftest import explainer, probe

from pipeline import RenderOptions, validate
from pipeline.draft import draft, reader
from pipeline.draft.figures import figures
from pipeline.draft.rules import Chunk, choose
from pipeline.narration import sentences

SCRIPTS = Path(__file__).parent / "data" / "scripts"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "why-its-impossible-to-escape-north-korea.txt"
ALL = sorted(p for p in SCRIPTS.iterdir() if p.suffix in (".txt", ".md") and p.name != "README.md")
#: The scripts written to test the draft's choices (the other six are creators' scripts it was built on).
MINE = [SCRIPTS / name for name in ("atlantic-cable.txt", "berlin-airlift.md", "gotthard-tunnel.md", "inca-road.txt",
                                    "monarch-migration.txt", "three-gorges-dam.md")]  # fmt: skip


def _drafted(script: Path, tmp_path: Path, name: str | None = None) -> Path:
    out = tmp_path / "script" / f"{name or script.stem}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "assets").mkdir(exist_ok=True)
    out.write_text(draft(script.read_text(encoding="utf-8"), script_name=script.name, slug=script.stem).yaml)
    return out


def _said(board: dict) -> list[str]:
    return [scene["narration"] for section in board["sections"] for scene in section["scenes"]]


@pytest.mark.slow  # draws every slide of six storyboards (about 10 s); the fast tier drafts them all below
@pytest.mark.parametrize("script", ALL, ids=[p.name for p in ALL])
def test_each_script_drafts_to_a_storyboard_that_validates(script, tmp_path):
    path = _drafted(script, tmp_path)
    project = validate(path, RenderOptions())
    assert len(project.storyboard.sections) >= 4
    kinds = {entry.scene.slide.kind for entry in project.entries()}
    assert {"title", "section"} <= kinds and len(kinds) >= 4, kinds


@pytest.mark.parametrize(
    "script",
    [p if i < 2 else pytest.param(p, marks=pytest.mark.slow) for i, p in enumerate(ALL)],
    ids=[p.name for p in ALL],
)  # two scripts in the fast tier, every one in the full run
def test_every_sentence_of_the_body_is_said_once_in_order(script):
    """The scenes' narrations, read in order (section cards, which say their heading, aside), are the script's
    body sentence by sentence (list items as sentences; furniture left out): each said once, in its place."""
    text = script.read_text(encoding="utf-8")
    read = reader.read(text)
    body = [
        s
        for part in read.parts
        for block in part.blocks
        for s in (block.items if isinstance(block, reader.ListBlock) else block.sentences)
    ]
    board = _board(text)
    narrations = [
        scene["narration"] for section in board["sections"] for scene in section["scenes"]
        if scene["slide"]["kind"] != "section"
    ]  # fmt: skip
    said = [s for narration in narrations for s in sentences.split(narration)]

    def plain(sentence: str) -> str:
        return " ".join(sentence.split()).rstrip(",;:.–—- ")

    assert [plain(s) for s in said] == [plain(s) for s in body]


def test_drafting_is_deterministic_and_ids_are_unique_and_stable(tmp_path):
    text = (SCRIPTS / "aral-sea.txt").read_text(encoding="utf-8")
    first = draft(text, script_name="a", slug="a").yaml
    assert first == draft(text, script_name="a", slug="a").yaml
    ids = _ids(first)
    assert len(ids) == len(set(ids))
    # An edit to one paragraph renames at most the scenes made from it.
    paragraphs = text.split("\n")
    target = next(i for i, line in enumerate(paragraphs) if len(line) > 200)
    paragraphs[target] = paragraphs[target].replace(".", ", they say.", 1)
    edited = _ids(draft("\n".join(paragraphs), script_name="a", slug="a").yaml)
    assert len(set(ids) - set(edited)) <= 1, set(ids) ^ set(edited)


def _ids(text: str) -> list[str]:
    return [scene["id"] for section in yaml.safe_load(text)["sections"] for scene in section["scenes"]]


@pytest.mark.skipif(not SEED.exists(), reason="the seed script is beside the checkout")
def test_the_seed_drafts_to_its_five_sections_with_every_figure(tmp_path):
    """Its five headed parts, the opening first; the closing paragraph ends the last section on the closing card
    (a section of its own would say its first sentence twice, on its card and in its narration)."""
    text = SEED.read_text(encoding="utf-8")
    drafted = draft(text, script_name=SEED.name, slug="nk").yaml
    board = yaml.safe_load(drafted)
    titles = [s["title"] for s in board["sections"]]
    assert len(titles) == 5
    assert board["sections"][-1]["scenes"][-1]["slide"]["kind"] == "closing"
    assert titles[1:5] == [
        "The Geographical Trap", "The Northern Route: Through China and Russia", "The Risk and the Decline",
        "COVID-19: The Final Lockdown",
    ]  # fmt: skip
    shown = yaml.safe_dump(board)
    for figure in {f.text for line in text.split("Comments (")[0].splitlines() for f in figures(line)}:
        assert figure in shown, f"{figure} is in no slide or narration"
    assert "Welcome once again" not in " ".join(_said(board))
    assert "Welcome once again to JAM TV" in drafted.split("title:")[0]


# One test per rule: the chunk that makes it answer.


def test_quote_rule_takes_a_quotation_and_who_said_it():
    chunk = Chunk(('"It is one of the worst environmental disasters of the twentieth century," said Ban Ki-moon.',))
    slide = choose(chunk).slide
    assert slide == {
        "kind": "quote", "text": "It is one of the worst environmental disasters of the twentieth century",
        "attribution": "Ban Ki-moon",
    }  # fmt: skip


def test_a_quotations_speaker_is_found_past_what_they_were_doing():
    """'…," said the mayor Ana Lopez after touring the flooded streets in 2019.': the speaker is the name, the
    clause after it what they did (a statement card drew the quotation as its words, unattributed)."""
    chunk = Chunk(("“We rebuilt the river wall twice and the water came over it both times,” said the mayor "
                   "Ana Lopez after touring the flooded streets in 2019.",))  # fmt: skip
    slide = choose(chunk).slide
    assert slide["kind"] == "quote" and slide["attribution"] == "the mayor Ana Lopez", slide


def test_a_line_about_a_place_shows_the_place():
    """A sentence whose subject is a place the map knows is a map titled with it, the place lit from the start
    (a statement card showed the words alone); a sentence that only mentions a place stays a statement."""
    about = choose(Chunk(("Mongolia became one of the largest exporters of cashmere in the world.",))).slide
    assert about["kind"] == "map" and about["title"].startswith("Mongolia became one of the largest exporters")
    assert about["regions"] == [{"name": "Mongolia", "color": "accent"}]
    towns = choose(Chunk(("Nairobi and Mombasa were the busiest towns on the railway.",))).slide
    assert towns["kind"] == "map" and {p["place"] for p in towns["pins"]} == {"Nairobi", "Mombasa"}
    passing = choose(Chunk(("Prices rose every week for a year, even in Kenya.",))).slide
    assert passing["kind"] == "title"


def test_timeline_rule_takes_three_dates():
    chunk = Chunk(("Work began in 1881.", "The French gave up in 1889.", "The canal opened in August 1914."))
    slide = choose(chunk).slide
    assert slide["kind"] == "timeline"
    assert [(e["date"], e["sentence"]) for e in slide["events"]] == [("1881", 1), ("1889", 2), ("Aug 1914", 3)]
    assert slide["events"][0]["text"] == "Work began"


def test_a_journey_is_a_map_with_the_way_drawn_leg_by_leg_and_the_countries_lit():
    chunk = Chunk(("The road runs from Nigeria through Niger and Chad to Sudan.", "Then it follows the Nile to Egypt."))
    slide = choose(chunk).slide
    assert slide["kind"] == "map"
    assert [(r["name"], r["at"]) for r in slide["regions"]] == [
        ("Nigeria", 1), ("Niger", 1), ("Chad", 1), ("Sudan", 1), ("Egypt", 2)]  # fmt: skip
    legs = [line for line in slide["lines"] if "points" in line]
    assert [leg["at"] for leg in legs] == [1, 1, 1, 2]  # Nigeria, Niger, Chad, Sudan, one after the other; Egypt
    assert {"river": "Nile", "label": "Nile", "color": "water", "at": 2} in slide["lines"]
    assert slide["camera"] == [{"show": ["Nigeria", "Niger", "Chad", "Sudan", "Egypt"]}]
    # Places named for another reason are not a map; nor are words that spell an ISO code ('It', 'In').
    assert choose(Chunk(("It trades with China, India and Brazil.",))).slide["kind"] != "map"


def test_a_journey_between_cities_pins_the_cities_and_lights_the_countries_crossed():
    chunk = Chunk(
        ("Lagos to Kano: north through Nigeria.", "Kano to N'Djamena: east across Niger and around Lake Chad.")
    )
    slide = choose(chunk).slide
    assert slide["pins"] == [{"place": "Lagos", "at": 1}, {"place": "Kano", "at": 1}, {"place": "N'Djamena", "at": 2}]
    assert {"name": "Lake Chad", "color": "water", "at": 2} in slide["regions"]
    assert {r["name"] for r in slide["regions"] if r["color"] == "soft"} == {"Nigeria", "Niger"}
    assert [line["at"] for line in slide["lines"]] == [1, 2]


def test_a_journey_from_several_places_and_across_the_pacific_is_drawn_as_it_goes():
    """Places the way starts from ('from Frankfurt and Wiesbaden …, and from Hamburg') each join the first stop
    after them; a leg across the 180th meridian is drawn in two runs, not the long way round the globe."""
    planes = choose(Chunk(("Planes flew from Frankfurt and Wiesbaden, and from Hamburg, into Berlin.",))).slide
    legs = [(line["points"][0], line["points"][-1]) for line in planes["lines"]]
    assert [start for start, _ in legs] == [[8.68, 50.1], [8.25, 50.08], [10.0, 53.55]]
    assert [end for _, end in legs] == [[13.4, 52.52]] * 3
    ferry = choose(Chunk(("The mail boat sailed from Auckland to Honolulu, then on to Los Angeles.",))).slide
    for line in ferry["lines"]:
        assert all(abs(a[0] - b[0]) <= 180 for a, b in zip(line["points"], line["points"][1:], strict=False))
    assert len(ferry["lines"]) >= 3  # Auckland to Honolulu, in two runs; Honolulu to Los Angeles


def test_a_map_takes_only_places_the_gazetteer_resolves_unambiguously():
    """A name shared by places of comparable size far apart is drawn only when the other places named say which
    (Halifax beside Boston is the Nova Scotian one); a word opening a sentence is a town only when it is a city
    of a million; a place too small to say is not a stop."""
    from pipeline.draft import maps

    assert maps.locate("Victoria") is None  # British Columbia's, the Seychelles' capital, the Australian state
    assert maps.locate("Halifax") is None
    assert maps.locate("Halifax", [(-71.07, 42.33), (-73.98, 40.75)]).where == (-63.6, 44.65)
    assert maps.locate("Dallas").where == (-96.842, 32.822)  # Dallas, Oregon has a 300th of its people
    assert maps.locate("Split", start=True) is None and maps.locate("Split") is not None
    assert maps.locate("Lagos", start=True) is not None
    said = choose(Chunk(("Nice is where the ferries sail from Genoa to Naples and on to Palermo.",))).slide
    assert [p["place"] for p in said["pins"]] == ["Genoa", "Naples", "Palermo"]


def test_compare_rule_takes_two_amounts_from_one_to_the_other():
    slide = choose(Chunk(("Brokers raised their prices from $2,000 in 2011 to $10,000, far beyond most.",))).slide
    assert slide["kind"] == "compare"
    assert slide["before"] == {"value": "$2,000", "label": "2011"} and slide["after"]["value"] == "$10,000"
    assert slide["change"] == "5x" and slide["title"] == "Brokers raised their prices"


def test_bullets_rule_reveals_each_item_on_its_sentence():
    chunk = Chunk(("Then came the crackdown.", "Installed signal jammers.", "Put up fences."),
                  items=("Installed signal jammers,", "Put up fences"), lead=1)  # fmt: skip
    slide = choose(chunk).slide
    assert slide["kind"] == "bullets" and slide["title"] == "Then came the crackdown"
    assert slide["items"] == [
        {"text": "Installed signal jammers", "sentence": 2},
        {"text": "Put up fences", "sentence": 3},
    ]


def test_stat_rule_takes_one_figure_with_its_qualifier_and_unit():
    slide = choose(Chunk(("Since 1990, around 34,000 North Koreans have defected to the South.",))).slide
    assert slide == {"kind": "stat", "qualifier": "about", "value": 34000,
                     "label": "North Koreans have defected to the South"}  # fmt: skip
    million = choose(Chunk(("Famine killed an estimated 3.5 million people.",))).slide
    assert (million["value"], million["suffix"]) == (3.5, " million")
    share = choose(Chunk(("The sea lost 90% of its water.",))).slide
    assert (share["value"], share["unit"]) == (90, "%")


DESERTS = """\
# Deserts of the world

## The Gobi

The Gobi is a cold desert on the border of China and Mongolia. It spreads over 1,295,000 square kilometres of rock and
gravel.

Winters there drop far below freezing. Camels carry loads across it still.

## The Mojave

The Mojave is the driest desert in North America. It covers about 47,877 square miles of the American Southwest.

Death Valley lies at its heart.
"""


@pytest.mark.slow
def test_a_figure_in_square_kilometres_drafts_to_a_stat_that_validates(tmp_path):
    """A unit such as "square kilometres" is longer than a stat's may be: the draft ended in a pydantic traceback.
    It is drawn as a slide typesets it (km², sq mi), and the command's storyboard validates."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "deserts.md").write_text(DESERTS, encoding="utf-8")
    run = explainer("draft", "deserts.md", "-o", "deserts.yaml", cwd=tmp_path)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    board = yaml.safe_load((tmp_path / "deserts.yaml").read_text(encoding="utf-8"))
    stats = [scene["slide"] for section in board["sections"] for scene in section["scenes"]
             if scene["slide"]["kind"] == "stat"]  # fmt: skip
    assert [(s["value"], s.get("unit")) for s in stats] == [(1295000, "km\u00b2"), (47877, "sq mi")]
    checked = explainer("validate", "deserts.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.slow
def test_control_and_bidi_characters_in_a_script_are_left_out_of_the_draft_and_named(tmp_path):
    """A BEL in a script was written into the draft as it was (YAML refuses it: the file did not load), and a
    U+202E would be refused by validate: both are left out, and the header names them."""
    (tmp_path / "assets").mkdir()
    text = DESERTS.replace("cold desert", "cold\a desert").replace("Death Valley", "Death \u202eValley")
    (tmp_path / "deserts.md").write_text(text, encoding="utf-8")
    assert explainer("draft", "deserts.md", "-o", "deserts.yaml", cwd=tmp_path).returncode == 0
    written = (tmp_path / "deserts.yaml").read_text(encoding="utf-8")
    assert "left out of the script: U+0007 BELL and U+202E RIGHT-TO-LEFT OVERRIDE" in written
    checked = explainer("validate", "deserts.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr


def test_a_slide_a_rule_drafts_that_its_schema_refuses_becomes_a_noted_statement_card():
    """The net under the rules: whatever a rule gets wrong, the draft never writes a slide validate refuses."""
    from pipeline.core.formats import FORMATS
    from pipeline.draft import fitting
    from pipeline.draft.compose import DraftScene, DraftSection

    wrong = {"kind": "stat", "value": 8, "unit": "square leagues", "label": "of forest"}
    scene = DraftScene(wrong, ["The forest covers eight square leagues.", "It is old."])
    fitting.fit([DraftSection("Forests", [scene])], FORMATS["wide"], "documentary")
    assert scene.slide == {"kind": "title", "title": "The forest covers eight square leagues"}
    assert any("stat slide whose unit it could not write" in note for note in scene.notes), scene.notes


def test_a_chunk_no_rule_takes_is_a_statement_card_with_its_key_phrase():
    slide = choose(Chunk(("But even after reaching the border, the danger isn't over.",))).slide
    assert slide == {"kind": "title", "title": "Even after reaching the border, the danger isn't over",
                     "visual": {"icon": "flag"}}  # a word of the scene names an icon  # fmt: skip


def test_markdown_is_told_from_plain_text_and_furniture_is_left_out():
    md = reader.read(
        "# Title\n\n## One\n\nWelcome back to my channel. Rivers freeze.\n\n> A long saying here.\n> — Someone"
    )
    assert md.form == "markdown" and md.title == "Title" and [p.heading for p in md.parts] == ["One"]
    assert md.left_out == ["Welcome back to my channel."]
    assert md.parts[0].blocks[-1] == reader.Quotation(("A long saying here.",), "Someone")
    plain = reader.read("Title\nTitle\nA paragraph here.\nA Heading\nMore text [citation needed].\n\nComments (2)\nhi")
    assert plain.form == "text" and plain.title == "Title" and [p.heading for p in plain.parts] == [None, "A Heading"]
    assert plain.parts[1].blocks == [reader.Paragraph(("More text.",))] and "hi" not in str(plain.parts)


def test_words_the_voice_says_oddly_are_noted_where_lint_warns_about_them(tmp_path):
    """The draft's pronunciation notes are lint's warnings: the same judge, the same words, the same lexicon entry."""
    from pipeline.lint import LintOptions, lint

    text = (
        "# Missiles\n\n## Tests\n\nThe Hwasong rockets flew from a base near Sinpo. An ICBM flew over the sea.\n\n"
        "The NGOs that watched were silent, and NATO said nothing at all about the launch or the DMZ.\n"
    )
    out = tmp_path / "script" / "m.yaml"
    out.parent.mkdir()
    (tmp_path / "assets").mkdir()
    out.write_text(draft(text, script_name="m.md", slug="m").yaml)
    noted = re.findall(r"# the voice (?:reads|cannot say the start of) '(\w+)'", out.read_text())
    warned = [w for w in lint(out, LintOptions(rules=("pronunciation",))) if w.rule == "pronunciation"]
    warned_words = sorted(re.search(r"'(\w+)'", w.message).group(1) for w in warned)
    assert sorted(noted) == warned_words == ["Hwasong", "ICBM", "NGO"]
    comments = " ".join(line.strip()[2:] for line in out.read_text().splitlines() if line.strip().startswith("# "))
    assert 'narration.lexicon: "ICBM: I C B M"' in comments


def test_a_section_of_one_paragraph_is_two_scenes_or_noted():
    """A chapter of one slide is what lint's one-scene-section warns about: the draft splits it, or says so."""
    two = "# T\n\n## A\n\nOne long sentence about rivers that runs on a while. Another on the sea, its salt and fish.\n"
    scenes = yaml.safe_load(draft(two, script_name="t", slug="t").yaml)["sections"][0]["scenes"]
    assert [s["slide"]["kind"] for s in scenes] == ["section", "title", "title"]
    one = "# T\n\n## A\n\nOne short sentence about rivers and lakes.\n"
    drafted = draft(one, script_name="t", slug="t").yaml
    assert "# this section has one scene besides its card: merge it" in drafted


def test_scenes_keep_to_a_comfortable_length(tmp_path):
    """No drafted scene's narration runs past about 20 s of speech at the voice's rate (a list of six items may)."""
    board = yaml.safe_load(draft((SCRIPTS / "volcanoes.txt").read_text(), script_name="v", slug="v").yaml)
    for section in board["sections"]:
        for scene in section["scenes"]:
            if scene["slide"]["kind"] in ("bullets", "quote"):
                continue
            words = len(scene["narration"].split())
            assert words / 183 * 60 <= 22, (scene["id"], words)


@pytest.mark.slow  # four runs of the real command
def test_draft_command_writes_the_storyboard_and_refuses_to_overwrite(tmp_path):
    (tmp_path / "assets").mkdir()
    script = tmp_path / "talk.md"
    script.write_text((SCRIPTS / "panama-canal.md").read_text())
    run = explainer("draft", str(script), "-o", "script/canal.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "wrote script/canal.yaml" in run.stdout
    assert explainer("validate", "script/canal.yaml", cwd=tmp_path).returncode == 0
    again = explainer("draft", str(script), "-o", "script/canal.yaml", cwd=tmp_path)
    assert again.returncode != 0 and "exists" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    missing = explainer("draft", "nope.txt", cwd=tmp_path)
    assert missing.returncode != 0 and "nope.txt: no such file" in missing.stderr


@pytest.mark.slow  # drafts and checks a storyboard with pictures: the full run's
def test_the_media_folders_pictures_go_beside_the_scenes_that_name_them(tmp_path):
    """Pictures in the project's assets/ named for what they show ('salt-camels.jpg' in a 'caravans' folder) go
    beside the first text-led scene whose narration says their words, each once, with a note saying why; a hidden
    file and a link to a picture outside the project are not offered; the draft validates with them."""
    from PIL import Image

    images = tmp_path / "assets" / "images"
    (images / "caravans").mkdir(parents=True)
    Image.new("RGB", (64, 40), (200, 150, 90)).save(images / "caravans" / "salt-camels.jpg")
    Image.new("RGB", (64, 40), (90, 120, 200)).save(images / ".salt-hidden.png")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    Image.new("RGB", (64, 40), (0, 0, 0)).save(outside)
    (images / "salt-mine.png").symlink_to(outside)
    script = tmp_path / "salt.txt"
    script.write_text((Path(__file__).parent / "data" / "drafts" / "salt-caravan.txt").read_text())
    run = explainer("draft", str(script), "-o", "script/salt.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "script" / "salt.yaml").read_text()
    assert text.count("visual: {picture: assets/images/caravans/salt-camels.jpg}") == 1
    assert "because it says camels" in text
    assert "hidden" not in text and "salt-mine" not in text
    assert explainer("validate", "script/salt.yaml", cwd=tmp_path).returncode == 0


def test_draft_for_vertical_fits_the_portrait_frame(tmp_path):
    text = (SCRIPTS / "zimbabwe-dollar.md").read_text()
    path = tmp_path / "z.yaml"
    (tmp_path / "assets").mkdir()
    path.write_text(draft(text, script_name="z", slug="z", format_name="vertical").yaml)
    validate(path, RenderOptions(format="vertical"))


#: The drafts rendered with piper's voice; the rest are rendered with espeak's.
PIPER_RENDERS = {"zimbabwe-dollar.md", "aral-sea.txt"}
#: The drafts the suite renders: each form once, each voice once (Markdown with piper, plain text with espeak).
#: Every script of the corpus renders in ``tests/benchmark_draft.py --render``: with maps on real ground, a
#: draft's render at 320x180 took 20-35 s, and four of them were two minutes of the default run.
RENDERED = ("zimbabwe-dollar.md", "monarch-migration.txt")


@pytest.mark.slow
@pytest.mark.parametrize("script", [p for p in ALL if p.name in RENDERED], ids=lambda p: p.name)
def test_each_draft_renders_at_320x180(script, tmp_path):
    """A draft renders; two with piper (the drafts keep within its limits), the others with espeak, which speaks
    a script in a fraction of piper's time."""
    path = _drafted(script, tmp_path)
    engine = "piper" if script.name in PIPER_RENDERS else "espeak"
    run = explainer("render", str(path), "--size", "320x180", "--fps", "5", "--engine", engine, "-q",
                    timeout=900, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    video = next((tmp_path / "output").glob("*/*.mp4"))
    facts = probe(video)
    assert (facts["width"], facts["height"]) == (320, 180) and facts["video_duration"] > 60
    assert re.search(r"\d:\d\d", (video.parent / "chapters.txt").read_text())


#: A script of the kind a creator pastes from a transcript: one paragraph said as a single run-on sentence.
RIVERS = (
    """# How Rivers Carve Canyons

A river carves a canyon slowly.

## The long sentence

"""
    + " ".join(f"the water cuts a little deeper in year {n}, and the walls rise higher," for n in range(1, 28))
    + """
until the canyon is a mile deep.

The river keeps going.
"""
)


@pytest.mark.slow
def test_a_sentence_too_long_for_the_voice_is_drafted_as_several_that_validate(tmp_path):
    """A 1,800-character run-on sentence was drafted as it was, and validate then refused it (more than 1,500
    characters as spoken): the draft splits it at its clauses, says so in a note, and its storyboard validates."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "rivers.md").write_text(RIVERS, encoding="utf-8")
    run = explainer("draft", "rivers.md", "-o", "rivers.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = (tmp_path / "rivers.yaml").read_text(encoding="utf-8")
    assert "is split at\n      # its clauses into 2: check they read well" in written or "into 2: check" in written
    checked = explainer("validate", "rivers.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    said = " ".join(s for section in yaml.safe_load(written)["sections"] for s in _narrations(section))
    assert "year 27, and the walls rise higher, until the canyon is a mile deep." in said, "every word kept"


def _narrations(section: dict) -> list[str]:
    return [scene.get("narration", "") for scene in section["scenes"]]


def test_a_number_too_long_to_say_refuses_the_draft_naming_it(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "rivers.md").write_text(RIVERS.replace("slowly.", "slowly, " + "9" * 300 + " grains at a time."))
    run = explainer("draft", "rivers.md", "-o", "rivers.yaml", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert "rivers.md: the sentence 'A river carves a canyon slowly" in run.stderr
    assert "has 300 digits, read one by one" in run.stderr and "then draft again" in run.stderr
    assert not (tmp_path / "rivers.yaml").exists()


def test_a_list_led_in_by_a_colon_reveals_each_item_on_the_sentence_that_says_it(tmp_path):
    """'The tools you need are:' runs on into the first item as one sentence when the narration is split, and the
    draft counted them as two: every item was revealed a sentence late and the last named a sentence that does not
    exist, so validate refused the draft."""
    (tmp_path / "assets").mkdir()
    script = (
        "# Baking Bread at Home\n\nAnyone can bake a good loaf of bread at home with flour, water, salt and yeast.\n\n"
        "## The kitchen\n\nA home kitchen has almost everything a baker needs already, in the cupboards.\n\n"
        "Bread needs only a few tools. The tools you need are:\n\n"
        "- A large mixing bowl\n- A kitchen scale\n- A hot oven with a baking stone\n\n"
        "## The wait\n\nThe rest of the work is patience, while the dough rises for hours on the counter.\n"
    )
    (tmp_path / "bread.md").write_text(script, encoding="utf-8")
    assert explainer("draft", "bread.md", "-o", "bread.yaml", cwd=tmp_path).returncode == 0
    checked = explainer("validate", "bread.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    board = yaml.safe_load((tmp_path / "bread.yaml").read_text(encoding="utf-8"))
    (scene,) = [s for section in board["sections"] for s in section["scenes"] if s["slide"]["kind"] == "bullets"]
    said = sentences.split(scene["narration"])
    for item in scene["slide"]["items"]:
        assert item["text"].lower() in said[item["sentence"] - 1].lower(), (item, said)


# The defects a creator met, each on a script of our own that shows the same pattern.

#: A Markdown script about a lighthouse: a quotation whose attribution follows its closing quote and a dash, dates
#: told out of order across paragraphs, a place between two cities, a cost that runs on into another clause, a
#: name with particles, and a closing question.
LIGHTHOUSE = (Path(__file__).parent / "data" / "lighthouse.md").read_text(encoding="utf-8")


@functools.cache  # a draft takes a second or two: the tests that read the same one share it
def _board(text: str, name: str = "s") -> dict:
    return yaml.safe_load(draft(text, script_name=name, slug=name).yaml)


def _slides(board: dict, kind: str | None = None) -> list[dict]:
    return [scene["slide"] for section in board["sections"] for scene in section["scenes"]
            if kind is None or scene["slide"]["kind"] == kind]  # fmt: skip


def test_a_quotation_with_its_attribution_after_the_closing_quote_and_a_dash():
    """'"… and that is the point." — a historian at …': the quote without a stray mark, the attribution apart, and no
    quote mark or attribution in the narration (the captions are the narration)."""
    board = _board(LIGHTHOUSE)
    [quote] = _slides(board, "quote")
    assert quote["text"] == (
        "We did not build a tower on the rock, we built the rock into a tower, and that is the point."
    )
    assert quote["attribution"] == "a historian at the Maritime Museum in Amsterdam"
    said = " ".join(_said(board))
    assert '"' not in said and "“" not in said and "a historian at" not in said


def test_the_same_quotation_in_plain_text_inside_a_paragraph():
    text = ("The Night Ferry\n\nThe ferry left at midnight. \"The sea was black. We could see nothing.\" — a deckhand "
            "on the last crossing, 1954\n\nThe ferry never sailed at night again after that winter.\n")  # fmt: skip
    board = _board(text)
    [quote] = _slides(board, "quote")
    assert quote == {"kind": "quote", "text": "The sea was black. We could see nothing.",
                     "attribution": "a deckhand on the last crossing, 1954"}  # fmt: skip
    assert '"' not in " ".join(_said(board))


def test_dated_events_across_paragraphs_are_one_timeline_in_date_order_each_naming_its_subject():
    board = _board(LIGHTHOUSE)
    timelines = _slides(board, "timeline")
    assert timelines, _slides(board)
    for timeline in timelines:
        years = [int(re.search(r"\d{4}", e["date"]).group()) for e in timeline["events"]]
        assert years == sorted(years) and len(years) >= 3
        for event in timeline["events"]:
            first = event["text"].split()[0].lower()
            assert first not in {"it", "they", "he", "she", "the"} or event["text"].split()[1].lower() not in {
                "the", "it", "they"}, event  # fmt: skip
            assert not re.search(r"\b(\w+) \1\b", event["text"], re.IGNORECASE), event


def test_a_closing_question_is_said_once_and_every_section_lasts_long_enough_for_a_chapter():
    board = _board(LIGHTHOUSE)
    said = [s for narration in _said(board) for s in sentences.split(" ".join(narration.split()))]
    assert sum("hundred years" in s for s in said) == 1, said
    from pipeline.draft.compose import seconds
    from pipeline.draft.voice import words_per_minute

    rate = words_per_minute("gtts", "piper")
    for section in board["sections"]:
        length = sum(seconds(s, rate) for scene in section["scenes"] for s in sentences.split(scene["narration"]))
        assert length >= 10, section["title"]


def test_texts_are_never_cut_inside_a_name_or_a_figure_and_a_stat_label_names_its_figure():
    from pipeline.draft.phrases import phrase

    assert phrase("The light was first proposed by the engineer Jan van der Heyden in 1800", 50) == (
        "The light was first proposed by the engineer"
    )
    assert phrase("The tower cost about 2 million guilders and was finished three years late", 30) == "The tower cost"
    assert phrase("The the keepers left", 40) == "The keepers left"
    slide = choose(Chunk(("The tower cost about 2 million guilders and was finished three years late.",))).slide
    assert slide["label"] == "The tower cost" and slide["unit"] == "guilders" and slide["suffix"] == " million"


def test_places_between_others_are_a_map_and_a_dated_series_is_a_chart():
    between = choose(Chunk(("The rock lies between Hamburg and Amsterdam, on the route along the coast.",))).slide
    assert between == {"kind": "map", "camera": [{"show": ["Hamburg", "Amsterdam"]}],
                       "regions": [{"name": "Germany", "color": "soft", "at": 1},  # pins alone say nowhere
                                   {"name": "Netherlands", "color": "soft", "at": 1}],
                       "pins": [{"place": "Hamburg", "at": 1}, {"place": "Amsterdam", "at": 1}]}  # fmt: skip
    middle = choose(Chunk(("Bremen lies between Hamburg and Amsterdam.",))).slide
    assert middle["camera"] == [{"show": ["Bremen", "Hamburg", "Amsterdam"]}]
    border = choose(Chunk(("The pass is on the border between Spain and France.",))).slide
    assert border["lines"] == [{"border": ["Spain", "France"], "at": 1}]
    assert [r["name"] for r in border["regions"]] == ["Spain", "France"]
    beside = choose(Chunk(("Kaunas lies about 100 km west of Vilnius.",))).slide
    assert beside["kind"] == "map" and [p["place"] for p in beside["pins"]] == ["Kaunas", "Vilnius"]
    series = choose(Chunk(("The herd is counted every spring.", "In 2001 it had 400 animals.",
                           "In 1990 it had 250 animals.", "By 2015 it had 900 animals.")))  # fmt: skip
    assert series.slide["kind"] == "chart" and series.slide["labels"] == ["1990", "2001", "2015"]
    assert series.slide["values"] == [250, 400, 900]


def test_a_list_said_in_a_sentence_is_a_list_and_a_statement_has_an_icon():
    listed = choose(Chunk(("The ship carried wheat, salt, timber and wine.",))).slide
    assert listed["kind"] == "bullets" and [i["text"] for i in listed["items"]] == ["Wheat", "Salt", "Timber", "Wine"]
    statement = choose(Chunk(("Fog still closes the harbour for days each winter.",))).slide
    assert statement["kind"] == "title" and statement["visual"]["icon"]


def test_a_unit_a_stat_has_no_room_for_never_crashes_the_draft():
    """A figure whose unit is longer than a stat's (and no abbreviation) drafts to a slide that validates."""
    board = _board("# Ice\n\n## Volume\n\nThe ice sheet holds about 2,900,000 cubic kilometres of frozen water. "
                   "It grew for a million years.\n\nIt is melting now, faster every decade.\n")  # fmt: skip
    assert all("unit" not in s or len(s["unit"]) <= 12 for s in _slides(board, "stat"))


@pytest.mark.parametrize("script", MINE, ids=[p.name for p in MINE])
def test_on_our_own_scripts_statement_cards_are_at_most_a_quarter_and_nothing_is_said_twice(script):
    board = _board(script.read_text(encoding="utf-8"))
    slides = _slides(board)
    statements = sum(s["kind"] == "title" for s in slides[1:])
    assert statements <= len(slides) / 4, [s.get("title") for s in slides if s["kind"] == "title"]
    said = [" ".join(s.lower().split()) for n in _said(board) for s in sentences.split(" ".join(n.split()))]
    assert len(said) == len(set(said))
    assert {"map", "quote", "stat"} <= {s["kind"] for s in slides}


def test_timeline_texts_keep_their_subject_and_verb_as_a_designer_writes_them():
    """Events were cut at 40 characters from the sentence, so the verb fell off ('The dam 1936', 'The American
    businessman'). Now each is its subject and verb (a title before a name left out, a passive said as a
    headline says it), cut where a phrase starts, never inside a name or between a number and its unit."""
    chunk = Chunk((
        "The engineer Joseph Bazalgette designed the new sewers of London in 1859.",
        "In 1865, the main pumping station at Crossness was opened by the Prince of Wales.",
        "The last section of the Northern Outfall Sewer was completed in 1875, ten years after the first.",
        "In 1878 the paddle steamer Princess Alice sank near the outfall at Barking, with 600 people on board.",
    ))  # fmt: skip
    events = choose(chunk).slide["events"]
    assert [e["text"] for e in events] == [
        "Joseph Bazalgette designed new sewers",
        "Main pumping station at Crossness opened",
        "Last section completed",
        "Princess Alice sank near the outfall",
    ]
    from pipeline.draft.events import event_text
    from pipeline.lint import not_a_phrase, texts

    assert event_text("the revolutionary leader Ana Pauker wrote that a canal could feed the whole plain", 40) == (
        "Ana Pauker wrote"  # a clause of its own is said whole or not at all
    )
    assert event_text("the reservoir was finished", 40) == "Reservoir finished"
    assert (
        event_text("the town council built the Great Western Ironworks Museum", 40)
        == "The town council built the museum"
    )
    unit = event_text("the flooded valley covered about 1,084 square kilometres of farmland", 40)
    assert unit.startswith("The flooded valley covered") and ("1,084" not in unit or "1,084 square kilometres" in unit)
    for text in (e["text"] for e in events):
        assert len(text) <= 40 and not_a_phrase.problem(text) is None and texts.doubled(text) is None


#: Scripts of our own for the map, timeline and this/that rules, on topics the corpus has not: a Markdown one (a
#: place between two countries, a road through four cities, 'Unlike X', a timeline of titled names and passives)
#: and a plain-text one (a town north of another, a walk then a river, 'while', 'by contrast').
DRAFTS = Path(__file__).parent / "data" / "drafts"


def test_a_script_that_places_places_and_moves_between_them_drafts_maps_that_validate(tmp_path):
    board = yaml.safe_load(_drafted(DRAFTS / "amber-road.md", tmp_path).read_text())
    maps = _slides(board, "map")
    assert len(maps) == 2 and not _slides(board, "route")
    placed, road = maps
    assert placed["pins"] == [{"place": "Kaliningrad", "at": 2}]  # the sentence that places it
    assert [(r["name"], r["color"]) for r in placed["regions"]] == [("Poland", "soft"), ("Lithuania", "soft")]
    assert road["camera"] == [{"show": ["Gdansk", "Wroclaw", "Vienna", "Aquileia"]}]  # Aquileia: a town, 'to' it
    assert len([line for line in road["lines"] if "points" in line]) == 3  # leg by leg
    validate(tmp_path / "script" / "amber-road.yaml", RenderOptions())
    salt = yaml.safe_load(_drafted(DRAFTS / "salt-caravan.txt", tmp_path).read_text())
    north, walk = _slides(salt, "map")
    assert [p["place"] for p in north["pins"]] == ["Taoudenni", "Timbuktu"]  # not 'Earth', a village in Texas
    assert north["regions"] == [{"name": "Mali", "color": "soft", "at": 1}]  # the desert they are in, in frame
    assert north["camera"] == [{"show": ["Taoudenni", "Timbuktu", "Mali"]}]
    assert {"river": "Niger", "label": "Niger", "color": "water", "at": 1} in walk["lines"]  # 'up the Niger'
    assert "Niger" not in [r["name"] for r in walk.get("regions", [])]
    # The map's 'Mopti' as a point is the town, no longer the middle of the region named after it: no 'places:'.
    assert "places" not in walk
    validate(tmp_path / "script" / "salt-caravan.yaml", RenderOptions())


def test_a_this_versus_that_contrast_is_a_compare_of_two_named_things(tmp_path):
    board = yaml.safe_load(_drafted(DRAFTS / "amber-road.md", tmp_path).read_text())
    (copal,) = [s for s in _slides(board, "compare") if s.get("mode") == "versus"]
    assert copal["before"] == {"value": "Copal", "label": "Young resin, only a few centuries old"}
    assert copal["after"] == {"value": "Baltic amber", "label": "Hardened for about forty million years"}
    salt = yaml.safe_load(_drafted(DRAFTS / "salt-caravan.txt", tmp_path).read_text())
    versus = [(s["before"]["value"], s["after"]["value"]) for s in _slides(salt, "compare") if s["mode"] == "versus"]
    assert versus == [("Camels", "The men who lead them"), ("Trucks", "Camels")]
    two = choose(Chunk(("Basalt lava runs like syrup.", "Rhyolite, by contrast, barely moves at all."))).slide
    assert two == {"kind": "compare", "mode": "versus", "before": {"value": "Basalt lava", "label": "Runs like syrup"},
                   "after": {"value": "Rhyolite", "label": "Barely moves at all"}, "sentence": 2}  # fmt: skip
    whereas = choose(Chunk(("The Rhone flows south to the sea, whereas the Rhine flows north.",))).slide
    assert (whereas["before"]["value"], whereas["after"]["value"]) == ("The Rhone", "The Rhine")
    # A clause with a pronoun for its subject, or a 'while' of time, is no contrast.
    assert choose(Chunk(("He read the paper, while she slept on the sofa.",))).slide["kind"] != "compare"


def test_our_own_timeline_keeps_titled_names_and_passives_as_a_designer_writes_them(tmp_path):
    board = yaml.safe_load(_drafted(DRAFTS / "amber-road.md", tmp_path).read_text())
    (timeline,) = _slides(board, "timeline")
    assert [e["text"] for e in timeline["events"]] == [
        "Frederick William I gave the Amber Room",  # not 'The Prussian king Frederick William I'
        "Panels installed in the Catherine Palace",
        "German soldiers took the room apart",
        "The crates were last seen",
    ]
