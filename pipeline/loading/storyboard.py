"""The storyboard: its schema, and loading it into a ``Project`` with errors people can act on.

``load(path)`` reads the YAML, validates it and resolves what it names (the
theme, the lexicon files, which files are inside the project), and returns a
``Project``. It draws nothing, runs no ffmpeg and writes nothing: the checks
that need those (text fitting at the size that will be drawn, pictures,
music) are ``checks.check``, and ``checks.validate`` runs both in one round.

Every mistake is collected, not just the first: the parts of a storyboard
that are well formed on their own (the theme, the narration settings, each
scene) are checked even when another part is not, and everything found is
raised together as one StoryboardError whose problems carry file, line and
column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pipeline.core import messages, yamlsrc
from pipeline.core.assets import Sandbox, nearby, not_regular, project_root
from pipeline.core.audio import MUSIC_TYPES
from pipeline.core.errors import Problem, StoryboardError, UsageError
from pipeline.core.messages import did_you_mean, shorten
from pipeline.core.schema import Plain
from pipeline.drawing import layouts
from pipeline.drawing.slides import KINDS
from pipeline.drawing.slides import theme as themes
from pipeline.drawing.slides.fonts import FontBook, FontMissing
from pipeline.drawing.slides.problems import SlideError
from pipeline.drawing.slides.theme import Theme
from pipeline.drawing.thumbnail import Thumbnail
from pipeline.loading import characters, lexicon
from pipeline.narration import sentences, spoken, voicelimits
from pipeline.narration.engines import ENGINES

#: Limits on what one storyboard may ask for: generous for real videos (a 60-minute video is well
#: inside them), small enough that a mistyped or hostile file fails fast instead of exhausting the machine.
MAX_SCENES = 1_000
MAX_NARRATION_CHARS = 6_000  # about seven minutes of speech
MAX_SCENE_SECONDS = 15 * 60
MAX_SECTION_TITLE = 60
MAX_VIDEO_SECONDS = 3 * 60 * 60

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: Longest scene id or slug: they name files, and a file name has at most 255 bytes with what is added to it.
MAX_ID = 80
#: Names Windows keeps for devices, whatever follows the dot ('con.mp4' cannot be made there): an id or slug names
#: files and folders, and the output must be copyable to any system.
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(10))})


def _portable(value: str) -> str:
    """An id or slug that names a file any system can make."""
    if value in RESERVED:
        raise ValueError(
            f"'{value}' names a device on Windows, so files named after it cannot be copied there; "
            f"choose another name, such as '{value}-1'"
        )
    return value


Portable = AfterValidator(_portable)

SlideSpec = Annotated[
    Union[tuple(kind.spec for kind in KINDS.values())],  # noqa: UP007 - built from the registry
    Field(discriminator="kind", description="What the scene shows; 'kind' picks the slide type."),
]


VOICES = sorted({name for engine in ENGINES.values() for name in engine.voices})


def _known_voice(value: str) -> str:
    if value not in VOICES:
        raise ValueError(f"unknown voice '{shorten(value)}'{did_you_mean(value, VOICES)}; voices: {', '.join(VOICES)}")
    return value


#: A voice name any engine has (each engine maps the names it knows to its own voices).
VoiceName = Annotated[str, AfterValidator(_known_voice)]


class SceneVoice(Plain):
    name: VoiceName | None = Field(None, description="Another voice for this scene: " + ", ".join(VOICES))
    speed: float | None = Field(None, ge=0.5, le=2.0, description="This scene's speaking rate (1.0 normal).")


class Scene(Plain):
    id: Annotated[str, Portable] = Field(
        pattern=SLUG, max_length=MAX_ID, description="Unique slug naming the scene, e.g. 'border-guards'."
    )
    slide: SlideSpec
    narration: str | None = Field(
        None,
        validate_default=True,
        description="What the narrator says during the scene; [pause 0.6] adds a pause of that many seconds. "
        "Only a video scene may have none: it then lasts its cut, with its own sound.",
    )
    voice: SceneVoice | None = Field(None, description="Voice or speed for this scene only, e.g. {speed: 0.9}.")
    transition: themes.Join | None = Field(
        None,
        description="How this scene begins: 'cut', 'whip', 'wipe', 'zoom' or 'dip' (default: the theme's: a cut "
        "inside a section, a wipe at a new one, a zoom into a map).",
    )
    layout: themes.Layout | None = Field(
        None,
        description="Where the slide's visual goes: 'right' or 'left' of the text (below it in a tall or square "
        "frame), or 'full' (a picture over the whole frame, the text as a lower third); default: the theme's "
        "layouts (the other side from the scene before's, a picture full-bleed under a short title or quote).",
    )

    @field_validator("narration")
    @classmethod
    def _spoken(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            slide = info.data.get("slide")
            if slide is not None and slide.kind == "video":
                return None
            raise PydanticCustomError("missing", "Field required")
        value = " ".join(value.split())
        if len(value) > MAX_NARRATION_CHARS:
            raise ValueError(
                f"narration is {len(value):,} characters, more than {MAX_NARRATION_CHARS:,} (about seven minutes "
                "of speech); split it across several scenes"
            )
        said = sentences.split(value)
        if not said:
            raise ValueError("narration is empty; write what the narrator says in this scene")
        if not any(char.isalnum() for sentence in said for char in sentence):
            raise ValueError(
                f"narration {messages.shorten(value)!r} has no words to speak (only punctuation); "
                "write what the narrator says in this scene"
            )
        problems = sentences.marker_problems(value)
        if problems:
            raise ValueError(problems[0])
        return value


class Section(Plain):
    title: str = Field(
        min_length=1,
        max_length=MAX_SECTION_TITLE,
        description="Chapter title, also shown on the slides' section label.",
    )
    scenes: list[Scene] = Field(min_length=1)


class VideoSettings(Plain):
    width: int = Field(1920, ge=64, le=7680)
    height: int = Field(1080, ge=36, le=4320)
    fps: int = Field(30, ge=1, le=60)

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"{value} is odd; H.264 with yuv420p needs an even size, e.g. {value + 1}")
        return value


class NarrationSettings(Plain):
    engine: str = Field("piper", description="Text-to-speech engine: " + ", ".join(ENGINES))
    fallback: str | None = Field(None, description="Engine used for the whole video if 'engine' cannot run.")
    language: str = Field("en", description="Language code for engines that take one (gtts).")
    speed: float = Field(1.0, ge=0.5, le=2.0, description="Speaking rate; 1.0 is the engine's normal pace.")
    gap: float = Field(0.35, ge=0, le=5, description="Seconds of silence between sentences.")
    cut: float | None = Field(
        None,
        ge=0,
        le=5,
        description="Seconds of silence across a cut between two scenes of one section (a little over half before "
        "the cut, the rest after it, so the new picture leads its voice); default: the gap and 0.1.",
    )
    section: float = Field(
        1.5,
        ge=0,
        le=10,
        description="Seconds of silence at a section change (a third before the cut, two thirds on the new "
        "section's first picture, which the music carries).",
    )
    open: float = Field(0.8, ge=0, le=5, description="Seconds of picture before the video's first sentence.")
    close: float = Field(2.0, ge=0, le=10, description="Seconds of picture after the video's last sentence.")
    lead_in: float | None = Field(
        None,
        ge=0,
        le=5,
        description="Seconds of picture before every scene's first sentence, one number everywhere; default: "
        "set by where the scene stands (cut, section, open).",
    )
    tail: float | None = Field(
        None,
        ge=0,
        le=10,
        description="Seconds of picture after every scene's last sentence, one number everywhere; default: set by "
        "where the scene stands (cut, section, close).",
    )
    voice: VoiceName | None = Field(None, description="Voice for the whole video: " + ", ".join(VOICES))
    lexicon: dict[str, str] = Field(
        default_factory=dict,
        description="Word or phrase -> how the voice says it, e.g. {DMZ: D M Z}; captions keep the written form.",
    )
    lexicon_files: list[str] = Field(
        default_factory=list,
        description="Shared lexicon files (YAML mappings, project-relative); the storyboard's own entries win.",
    )

    @field_validator("lexicon")
    @classmethod
    def _entries(cls, value: dict[str, str]) -> dict[str, str]:
        for word, said in value.items():
            if not word.strip() or not said.strip():
                raise ValueError(f"lexicon entry '{word}: {said}' is empty on one side; write 'word: spoken form'")
        return value

    @field_validator("engine", "fallback")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in ENGINES:
            raise ValueError(f"unknown engine '{shorten(value)}'{did_you_mean(value, ENGINES)}")
        return value


class MusicSettings(Plain):
    file: str = Field(description="Music file under the project (WAV, MP3, OGG, FLAC), looped or trimmed.")
    volume: float = Field(-16, ge=-40, le=0, description="Music level in the gaps, in dB relative to the narration.")
    duck: float = Field(10, ge=0, le=40, description="How many dB the music drops under every sentence.")
    ramp: float = Field(0.4, ge=0.05, le=3, description="Seconds the music takes to drop before a sentence.")
    fade_in: float = Field(2.0, ge=0, le=30, description="Seconds the music fades in at the start.")
    fade_out: float = Field(4.0, ge=0, le=30, description="Seconds the music fades out at the end.")


#: The longest Short (seconds): YouTube counts vertical videos up to three minutes as Shorts.
SHORT_SECONDS = 180.0


class Short(Plain):
    """A vertical Short cut from the video: a hook card, then some of its scenes."""

    id: Annotated[str, Portable] = Field(
        pattern=SLUG, max_length=MAX_ID, description="Names the Short's files, e.g. 'broker-prices'."
    )
    title: str = Field(
        min_length=1, max_length=80, description="The hook: said and shown on a title card before the scenes."
    )
    scenes: list[str] | None = Field(None, min_length=1, description="Ids of the scenes it shows, in this order.")
    section: int | None = Field(None, ge=1, le=500, description="Or every scene of this section (1 = the first).")

    @model_validator(mode="after")
    def _one_source(self) -> Short:
        if self.scenes is not None and self.section is not None:
            raise ValueError("a Short takes either 'scenes' (a list of scene ids) or 'section' (a number), not both")
        if self.scenes is None and self.section is None:
            raise ValueError("a Short needs 'scenes' (a list of scene ids) or 'section' (a section's number)")
        return self


class Storyboard(Plain):
    title: str = Field(min_length=1, max_length=100, description="The video's title (YouTube allows 100 characters).")
    slug: Annotated[str, Portable] | None = Field(
        None, pattern=SLUG, max_length=MAX_ID, description="Output name; defaults to the file name."
    )
    theme: str | dict[str, Any] = Field(
        themes.DEFAULT,
        description="Theme name (assets/themes/NAME.yaml or a built-in one), or a mapping that overrides "
        "single values of the theme it 'extends:', e.g. {extends: documentary, colors: {accent: '#e63946'}}.",
    )
    video: VideoSettings = VideoSettings()
    narration: NarrationSettings = NarrationSettings()
    music: MusicSettings | None = Field(None, description="A music bed under the narration, ducked as it speaks.")
    thumbnail: str | Thumbnail | None = Field(
        None,
        description="What thumbnail.png says and shows: a scene's id (its visual), or `{text: 'Two to *five* words', "
        "scene: ID, visual: {icon | picture | map}}`; default: the title's key words over the storyboard's "
        "strongest visual (the title's backdrop, else a lit map, a picture, an icon).",
    )
    sections: list[Section] = Field(min_length=1)
    shorts: list[Short] = Field(
        default_factory=list, max_length=50, description="Vertical Shorts cut from the video (render --shorts)."
    )


@dataclass(frozen=True)
class SceneEntry:
    """One scene in the video's order, with everything about where it stands."""

    #: Position in the video, from 0.
    index: int
    #: Its section's number, from 1, and title.
    section_number: int
    section_title: str
    scene: Scene
    #: Where the scene is in the storyboard's data, e.g. ('sections', 1, 'scenes', 0), for located problems.
    place: tuple[str | int, ...]

    @property
    def id(self) -> str:
        return self.scene.id


def entries(storyboard: Storyboard) -> list[SceneEntry]:
    """Every scene of ``storyboard`` in order: the one walk over scenes."""
    out: list[SceneEntry] = []
    for si, section in enumerate(storyboard.sections):
        for ci, scene in enumerate(section.scenes):
            out.append(SceneEntry(len(out), si + 1, section.title, scene, ("sections", si, "scenes", ci)))
    return out


@dataclass(frozen=True)
class Project:
    """A loaded storyboard and everything resolved from it."""

    file: Path
    root: Path
    storyboard: Storyboard
    theme: Theme
    slug: str
    #: Pronunciations: the shared lexicon files, then the storyboard's own entries over them.
    lexicon: dict[str, str] = field(default_factory=dict)
    #: Where each value was written, for problems found after loading (a scene narrated too long).
    smap: yamlsrc.SourceMap | None = field(default=None, compare=False, repr=False)
    #: Which files the storyboard may read (inside the project, unless --allow-outside-assets).
    sandbox: Sandbox | None = field(default=None, compare=False, repr=False)
    #: The scenes this project renders when not all of the storyboard's (a Short's), in order.
    picked: tuple[SceneEntry, ...] | None = None

    @property
    def output_dir(self) -> Path:
        """Where renders, stills and sheets go unless the user names another folder."""
        return self.root / "output" / self.slug

    @property
    def source_map(self) -> yamlsrc.SourceMap:
        return self.smap or yamlsrc.SourceMap(self.file)

    def entries(self) -> list[SceneEntry]:
        """Every scene in order, with its section and place in the file."""
        return list(self.picked) if self.picked is not None else entries(self.storyboard)

    def layouts(self) -> dict[str, themes.Layout]:
        """Per scene id, where its slide's visual goes: chosen over the video's scenes in order (drawing/layouts.py),
        so a scene's layout knows the one before it."""
        return layouts.choose([entry.scene for entry in self.entries()], self.theme.layouts)

    def entry(self, scene_id: str) -> SceneEntry:
        """The scene with id ``scene_id`` (a UsageError naming the closest id when there is none)."""
        found = self.entries()
        for entry in found:
            if entry.id == scene_id:
                return entry
        ids = [entry.id for entry in found]
        raise UsageError(
            f"{self.file}: no scene '{scene_id}'{did_you_mean(scene_id, ids)}; scenes are: {', '.join(ids)}"
        )


@dataclass(frozen=True)
class Loaded:
    """What loading found: every problem, and the parts well formed on their own for the checks after it.

    ``project`` is None when any problem was found.
    """

    file: Path
    smap: yamlsrc.SourceMap
    sandbox: Sandbox
    problems: list[Problem]
    theme: Theme | None
    #: Scenes that validate on their own and name no refused file, whatever is wrong elsewhere.
    scenes: list[SceneEntry]
    video: VideoSettings
    music: MusicSettings | None
    project: Project | None


def load(path: Path | str, *, allow_outside_assets: bool = False) -> Project:
    """Load and validate a storyboard; every problem found is raised together as one StoryboardError.

    Files the storyboard names must be inside the project folder (the nearest
    folder above it with an assets/ folder) unless ``allow_outside_assets``.
    """
    loaded = read(path, allow_outside_assets=allow_outside_assets)
    if loaded.project is None:
        raise StoryboardError(loaded.problems)
    return loaded.project


def read(path: Path | str, *, allow_outside_assets: bool = False) -> Loaded:
    """Load as far as the storyboard allows, collecting every problem instead of stopping at the first.

    Raises only for a file that cannot be read as YAML at all.
    """
    file = Path(path)
    data, smap = yamlsrc.read_file(file)
    _check_mapping(data, file)
    root = project_root(file.resolve())
    sandbox = Sandbox(root, allow_outside_assets)
    raw_scenes = _raw_scenes(data)
    _check_scene_count(raw_scenes, smap)
    storyboard, problems = _validated(data, smap)
    scenes, narration, music, video = _parts(storyboard, data, raw_scenes)
    found_theme, theme_problems = _theme(data, root, smap)
    problems += theme_problems
    problems += characters.problems(data, smap)  # control and bidi characters: invisible, and not text
    problems += _check_ids(raw_scenes, smap, storyboard.thumbnail if storyboard else None)
    problems += _check_thumbnail(storyboard.thumbnail if storyboard else None, sandbox, smap)
    problems += _check_shorts(data, raw_scenes, smap)
    usable, scene_problems = _usable(scenes, sandbox, smap)
    problems += scene_problems
    words, spoken_problems = _words_and_speech(narration, scenes, sandbox, smap)
    problems += spoken_problems
    problems += _check_music(music, sandbox, smap)
    problems += _check_slug(storyboard, file)
    problems = list(dict.fromkeys(problems))
    project = None
    if not problems and storyboard is not None and found_theme is not None:
        slug = storyboard.slug or _slug_from(file)
        project = Project(file, root, storyboard, found_theme, slug, words, smap, sandbox)
    return Loaded(file, smap, sandbox, problems, found_theme, usable, video, music, project)


def _check_mapping(data: Any, file: Path) -> None:
    """A storyboard that is not a mapping (empty, a list, a bare text) is refused at once."""
    if not isinstance(data, dict):
        shape = "empty" if data is None else f"a {messages.type_name(data)}"
        message = (
            f"the storyboard is {shape}; it must be a mapping with at least "
            "'title' and 'sections' (run 'explainer schema' for every field)"
        )
        raise StoryboardError([Problem(file, 1, 1, message)])


def _validated(data: dict[str, Any], smap: yamlsrc.SourceMap) -> tuple[Storyboard | None, list[Problem]]:
    """The storyboard, or None and what is wrong with it."""
    try:
        return _revealed(Storyboard.model_validate(data)), []
    except ValidationError as exc:
        return None, messages.problems(exc.errors(), data, smap, Storyboard)


def _revealed(storyboard: Storyboard) -> Storyboard:
    """Every list's items tied to the sentences that say them, where the storyboard leaves that to the narration
    (``reveal: narration``, the default): the slide enters, and its points follow the narrator."""
    sections = []
    for section in storyboard.sections:
        scenes = []
        for scene in section.scenes:
            slide = scene.slide.with_reveals(sentences.split(scene.narration or ""))
            scenes.append(scene if slide is scene.slide else scene.model_copy(update={"slide": slide}))
        sections.append(section.model_copy(update={"scenes": scenes}))
    return storyboard.model_copy(update={"sections": sections})


def _parts(
    storyboard: Storyboard | None, data: dict[str, Any], raw_scenes: list[tuple[tuple, Any]]
) -> tuple[list[SceneEntry], NarrationSettings | None, MusicSettings | None, VideoSettings]:
    """The scenes and the narration, music and video settings: the storyboard's, or, when it fails, each part that
    is well formed on its own."""
    if storyboard is not None:
        return entries(storyboard), storyboard.narration, storyboard.music, storyboard.video
    scenes = _scenes_that_validate(data, raw_scenes)
    narration = _part(NarrationSettings, data.get("narration", {}))
    music = _part(MusicSettings, data["music"]) if data.get("music") is not None else None
    video = _part(VideoSettings, data.get("video", {})) or VideoSettings()
    return scenes, narration, music, video


def _theme(data: dict[str, Any], root: Path, smap: yamlsrc.SourceMap) -> tuple[Theme | None, list[Problem]]:
    """The theme the storyboard names, and what is wrong with it; None when it cannot be drawn."""
    spec = data.get("theme", themes.DEFAULT)
    found, problems = themes.checked(spec, root, smap) if isinstance(spec, (str, dict)) else (None, [])
    if found is not None and (missing := _font_problems(spec, found, root, smap)):
        return None, problems + missing  # nothing can be drawn without its fonts
    return found, problems


def _usable(
    scenes: list[SceneEntry], sandbox: Sandbox, smap: yamlsrc.SourceMap
) -> tuple[list[SceneEntry], list[Problem]]:
    """The scenes that may be drawn, and the problems of each scene's files and sentence numbers."""
    usable: list[SceneEntry] = []
    problems: list[Problem] = []
    for entry in scenes:
        refused = _refused(entry, sandbox, smap)
        problems += refused + _check_sentences(entry, smap)
        if not refused:  # a slide naming a file outside the project is not drawn: the file is never opened
            usable.append(entry)
    return usable, problems


def _words_and_speech(
    narration: NarrationSettings | None, scenes: list[SceneEntry], sandbox: Sandbox, smap: yamlsrc.SourceMap
) -> tuple[dict[str, str], list[Problem]]:
    """The pronunciations, and the problems of the lexicon and of each scene's narration as it will be spoken."""
    words: dict[str, str] = {}
    problems: list[Problem] = []
    if narration is not None:
        words, lexicon_problems = lexicon.load(narration.lexicon_files, narration.lexicon, sandbox, smap)
        problems += lexicon_problems
    for entry in scenes:
        problems += _check_spoken(entry, words, narration.speed if narration is not None else 1.0, smap)
    return words, problems


def _check_slug(storyboard: Storyboard | None, file: Path) -> list[Problem]:
    """A slug made from the file's name must not name a device on Windows."""
    if storyboard is None or storyboard.slug is not None or _slug_from(file) not in RESERVED:
        return []
    name = _slug_from(file)
    return [
        Problem(
            file, 1, 1,
            f"the file name makes the slug '{name}', which names a device on Windows, so the output could not "
            f"be copied there; add 'slug: {name}-video' (or another name) to the storyboard, or rename the file",
        )
    ]  # fmt: skip


def _font_problems(spec: str | dict[str, Any], theme: Theme, root: Path, smap: yamlsrc.SourceMap) -> list[Problem]:
    """A font family the theme names that no installed package has, at the layer that named it."""
    try:
        FontBook(theme.fonts)
    except FontMissing as exc:
        path = ("fonts", exc.role, "family")
        return [themes.layer_with(themes.layers(spec, root, smap), path).smap.problem(path, str(exc))]
    return []


def _part(model: type[Plain], value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _scenes_that_validate(data: dict[str, Any], raw_scenes: list[tuple[tuple, Any]]) -> list[SceneEntry]:
    """With the storyboard failing somewhere, every scene that is well formed on its own."""
    out: list[SceneEntry] = []
    for place, raw in raw_scenes:
        scene = _part(Scene, raw)
        if scene is None:
            continue
        title = data["sections"][place[1]].get("title")
        title = title if isinstance(title, str) and 0 < len(title) <= MAX_SECTION_TITLE else ""  # drawn on labels
        out.append(SceneEntry(len(out), place[1] + 1, title, scene, place))
    return out


def _raw_scenes(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], Any]]:
    """(place, data) of every scene as written, well formed or not."""
    sections = data.get("sections")
    out = []
    for si, section in enumerate(sections if isinstance(sections, list) else []):
        scenes = section.get("scenes") if isinstance(section, dict) else None
        for ci, scene in enumerate(scenes if isinstance(scenes, list) else []):
            out.append((("sections", si, "scenes", ci), scene))
    return out


def _check_scene_count(scenes: list[tuple[tuple, Any]], smap: yamlsrc.SourceMap) -> None:
    """More than MAX_SCENES scenes is refused at once, before validating any of them."""
    if len(scenes) > MAX_SCENES:
        place = scenes[MAX_SCENES][0]
        message = (
            f"scene {MAX_SCENES + 1:,}: a storyboard has at most {MAX_SCENES:,} scenes (this one has "
            f"{len(scenes):,}); split the video in parts"
        )
        raise StoryboardError([smap.problem((*place, "id"), message)])


def _check_ids(
    raw_scenes: list[tuple[tuple, Any]], smap: yamlsrc.SourceMap, thumbnail: str | Thumbnail | None
) -> list[Problem]:
    """Scene ids are unique and the thumbnail names one.

    Read from the data itself, so a scene with a mistake elsewhere still counts.
    """
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for place, scene in raw_scenes:
        path = (*place, "id")
        scene_id = scene.get("id") if isinstance(scene, dict) else None
        if not isinstance(scene_id, str):
            continue
        if scene_id in first_line:
            message = (
                f"duplicate scene id '{scene_id}' (first used on line {first_line[scene_id]}); "
                "give every scene its own id"
            )
            problems.append(smap.problem(path, message))
        else:
            first_line[scene_id] = smap.value(path).line
    where: tuple[str, ...] = ("thumbnail",)
    if isinstance(thumbnail, Thumbnail):
        thumbnail, where = thumbnail.scene, ("thumbnail", "scene")
    if thumbnail is not None and thumbnail not in first_line:
        message = (
            f"no scene '{thumbnail}'{did_you_mean(thumbnail, first_line)}; "
            "name the id of the scene whose visual the thumbnail shows"
        )
        problems.append(smap.problem(where, message))
    return problems


def _check_thumbnail(thumbnail: str | Thumbnail | None, sandbox: Sandbox, smap: yamlsrc.SourceMap) -> list[Problem]:
    """The thumbnail's own words and visual: at most five words, stars closed, a known icon or place, a picture
    inside the project that is there."""
    if not isinstance(thumbnail, Thumbnail):
        return []
    problems = [smap.problem(("thumbnail", *error.path), str(error)) for error in thumbnail.problems()]
    picture = thumbnail.visual.picture if thumbnail.visual is not None else None
    if picture:
        at = ("thumbnail", "visual", "picture")
        refused = sandbox.check([picture], smap, at)
        problems += refused
        path = sandbox.root / picture
        if not refused and not path.is_file():
            message = f"no picture at '{picture}'{nearby(path, picture) or '; put the file there or fix the path'}"
            problems.append(smap.problem(at, message))
    return problems


def _check_shorts(data: dict, raw_scenes: list[tuple[tuple, Any]], smap: yamlsrc.SourceMap) -> list[Problem]:
    """Each Short names scenes that exist (or a section that does), once each, and has an id of its own.

    Read from the data itself, like the scene ids, so a mistake in one Short (or anywhere else) does not
    hide these in the others; a Short's own fields are checked by its model.
    """
    problems: list[Problem] = []
    ids = [scene["id"] for _, scene in raw_scenes if isinstance(scene, dict) and isinstance(scene.get("id"), str)]
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    shorts = data.get("shorts") if isinstance(data.get("shorts"), list) else []
    seen: set[str] = set()
    for i, short in enumerate(shorts):
        if not isinstance(short, dict):
            continue
        short_id, section, scenes = short.get("id"), short.get("section"), short.get("scenes")
        if isinstance(short_id, str):
            if short_id in seen:
                message = f"duplicate Short id '{short_id}'; give each its own"
                problems.append(smap.problem(("shorts", i, "id"), message))
            seen.add(short_id)
        if isinstance(section, int) and not isinstance(section, bool) and section > len(sections) >= 1:
            problems.append(smap.problem(
                ("shorts", i, "section"), f"there is no section {section}: the storyboard has {len(sections)}"
            ))  # fmt: skip
        for k, scene_id in enumerate(scenes if isinstance(scenes, list) else []):
            if not isinstance(scene_id, str):
                continue  # the model says what it should be
            if scene_id not in ids:
                message = f"no scene '{scene_id}'{did_you_mean(scene_id, ids)}; a Short shows scenes of the video"
                problems.append(smap.problem(("shorts", i, "scenes", k), message))
            elif scene_id in scenes[:k]:
                problems.append(smap.problem(("shorts", i, "scenes", k), f"'{scene_id}' is in this Short twice"))
    return problems


def _refused(entry: SceneEntry, sandbox: Sandbox, smap: yamlsrc.SourceMap) -> list[Problem]:
    """Files the scene's slide names that may not be read (the slide is then never drawn)."""
    where = (*entry.place, "slide")
    return [
        p
        for name, at in entry.scene.slide.asset_places()
        for p in sandbox.check([name], smap, (*where, *at.split(".")))
    ]


def _check_sentences(entry: SceneEntry, smap: yamlsrc.SourceMap) -> list[Problem]:
    """Reveals tied to a sentence must name one the scene's narration has."""
    problems = []
    scene = entry.scene
    count = len(sentences.split(scene.narration or ""))
    for field_path, number in scene.slide.sentence_refs():
        if number > count:
            message = (
                f"sentence {number} does not exist: the narration of scene '{scene.id}' has "
                f"{count} sentence(s); use a number from 1 to {count}"
            )
            problems.append(smap.problem((*entry.place, "slide", *SlideError(field_path, "").path), message))
    return problems


def _check_spoken(entry: SceneEntry, words: dict[str, str], speed: float, smap: yamlsrc.SourceMap) -> list[Problem]:
    """What the voice will be given for the scene (after the lexicon and number words), within voicelimits: a
    sentence, a clause without a break or the whole narration too long to say (piper's model took 11 GB for one
    5,900-character sentence, and 28.8 GB for a 5,000-digit number said digit by digit)."""
    if entry.scene.voice is not None and entry.scene.voice.speed:
        speed = entry.scene.voice.speed
    problems, total = [], 0
    for number, sentence in enumerate(sentences.split(entry.scene.narration or ""), 1):
        said = spoken.spoken(sentence, words)
        total += len(said)
        if voicelimits.sentence_problem(said, (), speed) is None:
            continue
        alone = [(word, spoken.spoken(word, words)) for word in sentence.split()]
        message = f"sentence {number} ('{shorten(sentence)}') {voicelimits.sentence_problem(said, alone, speed)}"
        clause = [voicelimits.longest_clause(said)] if len(said) <= voicelimits.MAX_SENTENCE else []
        problems.append(_at_sentence(smap, (*entry.place, "narration"), [sentence, *clause], message))
    if not problems and (message := voicelimits.scene_problem(total)):
        problems.append(smap.problem((*entry.place, "narration"), f"the {message}"))
    return problems


def _at_sentence(smap: yamlsrc.SourceMap, path: yamlsrc.Path_, texts: list[str], message: str) -> Problem:
    """A problem with the narration at ``path``, at the line and column where the last of ``texts`` found starts
    (each looked for after the one before: a sentence, then its clause), for a block narration runs over many
    lines; at the narration itself when the first cannot be found as written (escapes, say)."""
    found = smap.problem(path, message)
    try:
        lines = smap.file.read_text(encoding="utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return found
    text = "".join(lines[found.line - 1 :])  # from the narration's line on
    at = None
    for part in texts:
        words = part.split()[:4]
        match = re.compile(r"\s+".join(map(re.escape, words))).search(text, at or found.column - 1) if words else None
        if match is None:
            break
        at = match.start()
    if at is None:
        return found
    before = text[:at]
    return Problem(found.file, found.line + before.count("\n"), at - (before.rfind("\n") + 1) + 1, message)


def _check_music(music: MusicSettings | None, sandbox: Sandbox, smap: yamlsrc.SourceMap) -> list[Problem]:
    """The music file's type, place and presence (whether ffmpeg can decode it is a check after loading)."""
    if music is None:
        return []
    file = sandbox.root / music.file
    if file.suffix.lower() not in MUSIC_TYPES:
        message = f"'{shorten(music.file)}' is not a music file explainer reads; use one of {', '.join(MUSIC_TYPES)}"
    elif refusal := sandbox.refusal(music.file):
        message = refusal
    elif not file.exists():
        hint = nearby(file, music.file) or f"; give its path relative to {sandbox.root}"
        message = f"music file '{shorten(music.file)}' does not exist{hint}"
    elif kind := not_regular(file):
        message = f"'{shorten(music.file)}' is {kind}, not a regular file; give the path of a music file"
    else:
        return []
    return [smap.problem(("music", "file"), message)]


def json_schema() -> dict[str, Any]:
    schema = Storyboard.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "explainer storyboard"
    return schema


def _slug_from(file: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")[:MAX_ID].strip("-")
    return slug or "video"
