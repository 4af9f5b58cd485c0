"""The storyboard: its schema, and loading it with errors people can act on.

``load(path)`` returns a ``Project``: the validated storyboard, its resolved
theme and where things live. Every mistake found on the way (YAML syntax,
schema, duplicate ids, unknown theme or font, text that cannot fit its slide)
is collected and raised together as one StoryboardError whose problems carry
file, line and column.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import types
import typing
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import AfterValidator, BaseModel, Field, ValidationError, field_validator

from pipeline import sentences, yamlsrc
from pipeline.errors import Problem, StoryboardError, UsageError
from pipeline.narration import ENGINES
from pipeline.schema import Plain, YamlBool
from pipeline.slides import KINDS
from pipeline.slides.fonts import FontBook, FontMissing
from pipeline.slides.theme import Theme, available_themes, find_theme_file, merge

DEFAULT_THEME = "documentary"

#: Limits on what one storyboard may ask for: generous for real videos (a 60-minute video is well
#: inside them), small enough that a mistyped or hostile file fails fast instead of exhausting the machine.
MAX_FILE_BYTES = 2_000_000
MAX_SCENES = 1_000
MAX_NARRATION_CHARS = 6_000  # about seven minutes of speech
MAX_SCENE_SECONDS = 15 * 60
MAX_VIDEO_SECONDS = 3 * 60 * 60

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

SlideSpec = Annotated[
    Union[tuple(module.Spec for module in KINDS.values())],  # noqa: UP007 - built from the registry
    Field(discriminator="kind", description="What the scene shows; 'kind' picks the slide type."),
]


VOICES = sorted({name for engine in ENGINES.values() for name in engine.voices})


def _known_voice(value: str) -> str:
    if value not in VOICES:
        raise ValueError(f"unknown voice '{value}'{_did_you_mean(value, VOICES)}; voices: {', '.join(VOICES)}")
    return value


#: A voice name any engine has (each engine maps the names it knows to its own voices).
VoiceName = Annotated[str, AfterValidator(_known_voice)]


class SceneVoice(Plain):
    name: VoiceName | None = Field(None, description="Another voice for this scene: " + ", ".join(VOICES))
    speed: float | None = Field(None, ge=0.5, le=2.0, description="This scene's speaking rate (1.0 normal).")


class Scene(Plain):
    id: str = Field(pattern=SLUG, description="Unique slug naming the scene, e.g. 'border-guards'.")
    slide: SlideSpec
    narration: str = Field(
        description="What the narrator says during the scene; [pause 0.6] adds a pause of that many seconds."
    )
    voice: SceneVoice | None = Field(None, description="Voice or speed for this scene only, e.g. {speed: 0.9}.")

    @field_validator("narration")
    @classmethod
    def _spoken(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) > MAX_NARRATION_CHARS:
            raise ValueError(
                f"narration is {len(value):,} characters, more than {MAX_NARRATION_CHARS:,} (about seven minutes "
                "of speech); split it across several scenes"
            )
        if not sentences.split(value):
            raise ValueError("narration is empty; write what the narrator says in this scene")
        problems = sentences.marker_problems(value)
        if problems:
            raise ValueError(problems[0])
        return value


class Section(Plain):
    title: str = Field(min_length=1, description="Chapter title, also shown on the slides' section label.")
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
    lead_in: float = Field(0.5, ge=0, le=5, description="Seconds of picture before the first sentence.")
    gap: float = Field(0.35, ge=0, le=5, description="Seconds of silence between sentences.")
    tail: float = Field(0.9, ge=0, le=10, description="Seconds of picture after the last sentence.")
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
            raise ValueError(f"unknown engine '{value}'{_did_you_mean(value, ENGINES)}")
        return value


MUSIC_TYPES = (".wav", ".mp3", ".ogg", ".oga", ".flac", ".m4a")


class MusicSettings(Plain):
    file: str = Field(description="Music file under the project (WAV, MP3, OGG, FLAC), looped or trimmed.")
    volume: float = Field(-16, ge=-40, le=0, description="Music level in the gaps, in dB relative to the narration.")
    duck: float = Field(10, ge=0, le=40, description="How many dB the music drops under every sentence.")
    ramp: float = Field(0.4, ge=0.05, le=3, description="Seconds the music takes to drop before a sentence.")
    fade_in: float = Field(2.0, ge=0, le=30, description="Seconds the music fades in at the start.")
    fade_out: float = Field(4.0, ge=0, le=30, description="Seconds the music fades out at the end.")


class Storyboard(Plain):
    title: str = Field(min_length=1, description="The video's title.")
    slug: str | None = Field(None, pattern=SLUG, description="Output name; defaults to the file name.")
    theme: str | dict[str, Any] = Field(
        DEFAULT_THEME,
        description="Theme name (assets/themes/NAME.yaml or a built-in one), or a mapping that overrides "
        "single values of the theme it 'extends:', e.g. {extends: documentary, colors: {accent: '#e63946'}}.",
    )
    video: VideoSettings = VideoSettings()
    narration: NarrationSettings = NarrationSettings()
    music: MusicSettings | None = Field(None, description="A music bed under the narration, ducked as it speaks.")
    thumbnail: str | None = Field(None, description="Id of the scene drawn as thumbnail.png (default: the title).")
    sections: list[Section] = Field(min_length=1)


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

    @property
    def output_dir(self) -> Path:
        """Where renders, stills and sheets go unless the user names another folder."""
        return self.root / "output" / self.slug

    def scenes(self) -> list[tuple[int, Section, Scene]]:
        """(section number from 1, section, scene) for every scene in order."""
        return _scenes(self.storyboard)


def project_root(file: Path) -> Path:
    """The nearest folder at or above the storyboard that has an ``assets/`` folder."""
    for folder in [file.parent, *file.parent.parents]:
        if (folder / "assets").is_dir():
            return folder
    return file.parent


def load(
    path: Path | str,
    *,
    size: tuple[int, int] | None = None,
    only: Collection[str] | None = None,
    burn_captions: bool = False,
    allow_outside_assets: bool = False,
    cache_dir: Path | None = None,
) -> Project:
    """Load and validate a storyboard (text fitting checked at ``size``, above a caption band if ``burn_captions``).

    ``only`` limits the slide checks (fitting, pictures) to those scene ids,
    for commands that draw just them; everything else is always checked.
    Every problem found is reported at once: a schema error does not hide a
    missing music file or an unknown theme. Files the storyboard names must be
    inside the project folder unless ``allow_outside_assets``. Slides found to
    fit are remembered in ``cache_dir`` (default: the project's output/.cache).
    """
    file = Path(path)
    data, smap = _read(file)
    if not isinstance(data, dict):
        shape = "empty" if data is None else f"a {_type_name(data)}"
        message = (
            f"the storyboard is {shape}; it must be a mapping with at least "
            "'title' and 'sections' (run 'explainer schema' for every field)"
        )
        raise StoryboardError([Problem(file, 1, 1, message)])
    root = project_root(file.resolve())
    files = _Files(root, allow_outside_assets, smap)
    try:
        storyboard = Storyboard.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, data, smap) for err in exc.errors()]
        raise StoryboardError(_unique(problems + _parts_that_validate(data, smap, root, files))) from None

    refused = _refused_assets(storyboard, files)
    problems = _check_ids(storyboard, smap) + [problem for found in refused.values() for problem in found]
    theme, theme_problems = _checked_theme(storyboard.theme, root, smap)
    problems += theme_problems
    lexicon, lexicon_problems = _load_lexicon(storyboard.narration, files, smap)
    problems += lexicon_problems + _check_music(storyboard.music, files) + _check_sentences(storyboard, smap)
    fonts = None
    if theme is not None:
        try:
            fonts = FontBook(theme.fonts)
        except FontMissing as exc:
            path = ("fonts", exc.role, "family")
            problems.append(_layer_with(_theme_layers(storyboard.theme, root, smap), path).smap.problem(path, str(exc)))
    if fonts is not None:  # slides naming a file outside the project are not drawn: the file is never opened
        drawn = {scene.id for _, _, scene in _scenes(storyboard) if scene.id not in refused}
        drawn &= set(only) if only is not None else drawn
        fit_cache = cache_dir or root / "output" / ".cache"
        problems += _check_fit(storyboard, theme, fonts, smap, size, root, drawn, burn_captions, fit_cache)
    if problems:
        raise StoryboardError(_unique(problems))
    return Project(file, root, storyboard, theme, storyboard.slug or _slug_from(file), lexicon, smap)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _parts_that_validate(data: dict[str, Any], smap: yamlsrc.SourceMap, root: Path, files: _Files) -> list[Problem]:
    """With the schema failing somewhere, the checks of the parts that are well-formed on their own."""
    problems = []
    if isinstance(data.get("theme", DEFAULT_THEME), (str, dict)):
        problems += _checked_theme(data.get("theme", DEFAULT_THEME), root, smap)[1]
    with contextlib.suppress(ValidationError):
        problems += _load_lexicon(NarrationSettings.model_validate(data.get("narration", {})), files, smap)[1]
    with contextlib.suppress(ValidationError):
        if data.get("music") is not None:
            problems += _check_music(MusicSettings.model_validate(data["music"]), files)
    sections = data.get("sections")
    first_line: dict[str, int] = {}
    for si, section in enumerate(sections if isinstance(sections, list) else []):
        scenes = section.get("scenes") if isinstance(section, dict) else None
        for ci, scene in enumerate(scenes if isinstance(scenes, list) else []):
            scene_id = scene.get("id") if isinstance(scene, dict) else None
            if isinstance(scene_id, str):
                problems += _duplicate(scene_id, ("sections", si, "scenes", ci, "id"), first_line, smap)
            slide = scene.get("slide") if isinstance(scene, dict) else None
            kind = slide.get("kind") if isinstance(slide, dict) else None
            spec = KINDS.get(kind) if isinstance(kind, str) else None
            if spec is not None:
                with contextlib.suppress(ValidationError):
                    names = spec.Spec.model_validate(slide).asset_files()
                    problems += files.check(names, ("sections", si, "scenes", ci, "slide", "file"))
    return problems


def _check_ids(storyboard: Storyboard, smap: yamlsrc.SourceMap) -> list[Problem]:
    """Scene ids are unique, the thumbnail names one, and there are not more scenes than MAX_SCENES."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for count, (place, _, scene) in enumerate(scene_places(storyboard), 1):
        problems += _duplicate(scene.id, (*place, "id"), first_line, smap)
        if count == MAX_SCENES + 1:
            message = f"scene {count:,}: a storyboard has at most {MAX_SCENES:,} scenes; split the video in parts"
            problems.append(smap.problem((*place, "id"), message))
    if storyboard.thumbnail is not None and storyboard.thumbnail not in first_line:
        problems.append(
            smap.problem(
                ("thumbnail",),
                f"no scene '{storyboard.thumbnail}'{_did_you_mean(storyboard.thumbnail, first_line)}; "
                "name the id of the scene to use as the thumbnail",
            )
        )
    return problems


def _duplicate(scene_id: str, path: tuple, first_line: dict[str, int], smap: yamlsrc.SourceMap) -> list[Problem]:
    if scene_id in first_line:
        message = (
            f"duplicate scene id '{scene_id}' (first used on line {first_line[scene_id]}); give every scene its own id"
        )
        return [smap.problem(path, message)]
    first_line[scene_id] = smap.value(path).line
    return []


def _checked_theme(
    spec: str | dict[str, Any], root: Path, smap: yamlsrc.SourceMap
) -> tuple[Theme | None, list[Problem]]:
    try:
        return _validate_theme(_theme_layers(spec, root, smap)), []
    except StoryboardError as exc:
        return None, exc.problems


# -- files the storyboard names ----------------------------------------------


class _Files:
    """Resolves the files a storyboard names, refusing any outside the project folder.

    A path is outside when it is absolute elsewhere, climbs out with '..', or
    is (or passes through) a link that points elsewhere: the resolved path is
    what counts. ``allow`` (--allow-outside-assets) lets such paths through.
    """

    def __init__(self, root: Path, allow: bool, smap: yamlsrc.SourceMap):
        self.root, self.allow, self.smap = root, allow, smap

    def problem(self, name: str) -> str | None:
        """What is wrong with the path ``name`` (None when it may be used)."""
        if "\0" in name:
            return f"'{name}' is not a usable path"
        target = (self.root / name).resolve()
        if self.allow or target.is_relative_to(self.root):
            return None
        via = "" if Path(name).is_absolute() or ".." in Path(name).parts else f", through a link to {target}"
        return (
            f"'{name}' is outside the project folder {self.root}{via}; copy the file into assets/, "
            "or pass --allow-outside-assets if you trust this storyboard"
        )

    def check(self, names: list[str], path: tuple) -> list[Problem]:
        return [self.smap.problem(path, message) for name in names if (message := self.problem(name))]


def _refused_assets(storyboard: Storyboard, files: _Files) -> dict[str, list[Problem]]:
    """Per scene id, the problems with files its slide names that may not be read."""
    refused = {}
    for place, _, scene in scene_places(storyboard):
        if found := files.check(scene.slide.asset_files(), (*place, "slide", "file")):
            refused[scene.id] = found
    return refused


def _scenes(storyboard: Storyboard) -> list[tuple[int, Section, Scene]]:
    return [(i + 1, s, scene) for i, s in enumerate(storyboard.sections) for scene in s.scenes]


def scene_places(storyboard: Storyboard) -> list[tuple[tuple[str | int, ...], Section, Scene]]:
    """(where the scene is in the storyboard's data, its section, the scene) for every scene in order."""
    return [
        (("sections", si, "scenes", ci), section, scene)
        for si, section in enumerate(storyboard.sections)
        for ci, scene in enumerate(section.scenes)
    ]


def scene_by_id(project: Project, scene_id: str) -> tuple[int, Section, Scene]:
    for entry in project.scenes():
        if entry[2].id == scene_id:
            return entry
    ids = [scene.id for _, _, scene in project.scenes()]
    raise UsageError(
        f"{project.file}: no scene '{scene_id}'{_did_you_mean(scene_id, ids)}; scenes are: {', '.join(ids)}"
    )


def json_schema() -> dict[str, Any]:
    schema = Storyboard.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "explainer storyboard"
    return schema


# -- reading ---------------------------------------------------------------


def _read(file: Path) -> tuple[Any, yamlsrc.SourceMap]:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file; give the path of a storyboard .yaml file") from None
    except IsADirectoryError:
        raise UsageError(f"{file}: is a folder; give the path of a storyboard .yaml file") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        message = (
            f"the file is {len(raw):,} bytes, more than {MAX_FILE_BYTES:,}; a storyboard is text, "
            "so this is probably not one (or split the video into parts)"
        )
        raise StoryboardError([Problem(file, 1, 1, message)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise StoryboardError(
            [Problem(file, line, column, "the file is not UTF-8 text; save it as UTF-8 in your editor")]
        ) from None
    return yamlsrc.load(text, file)


def _slug_from(file: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")
    return slug or "video"


# -- themes ----------------------------------------------------------------


@dataclass(frozen=True)
class _ThemeLayer:
    """One source of theme values: the storyboard's own overrides or a theme file."""

    data: dict[str, Any]
    smap: yamlsrc.SourceMap


def load_theme(spec: str | dict[str, Any], root: Path | None = None, smap: yamlsrc.SourceMap | None = None) -> Theme:
    """A theme by name, or a mapping of single values over the theme it ``extends:``.

    ``root`` is the project folder (for its assets/themes); ``smap`` locates an
    inline mapping in the storyboard for error messages.
    """
    return _validate_theme(_theme_layers(spec, root, smap or yamlsrc.SourceMap(Path("<theme>"))))


def _validate_theme(layers: list[_ThemeLayer]) -> Theme:
    """The layers merged (base first) and checked; a wrong value is reported in the layer that wrote it."""
    data: dict[str, Any] = {}
    for layer in reversed(layers):
        data = merge(data, layer.data)
    try:
        return Theme.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _data_path(tuple(err["loc"]), data)
            layer = _layer_with(layers, path[:-1] if err["type"] == "missing" else path)
            problems.append(_problem(err, layer.data, layer.smap, model=Theme))
        raise StoryboardError(problems) from None


def _theme_layers(spec: str | dict[str, Any], root: Path | None, smap: yamlsrc.SourceMap) -> list[_ThemeLayer]:
    """Theme sources, most specific first: inline overrides, then each file up the ``extends:`` chain."""
    layers: list[_ThemeLayer] = []
    if isinstance(spec, dict):
        inline = smap.sub(("theme",))
        layers.append(_ThemeLayer({k: v for k, v in spec.items() if k != "extends"}, inline))
        name, where = str(spec.get("extends", DEFAULT_THEME)), (inline, ("extends",))
    else:
        name, where = spec, (smap, ("theme",))
    seen: list[str] = []
    while True:
        file = find_theme_file(name, root)
        if file is None:
            names = available_themes(root)
            raise StoryboardError(
                [
                    where[0].problem(
                        where[1],
                        f"unknown theme '{name}'{_did_you_mean(name, names)}; "
                        f"themes: {', '.join(names)} (or add assets/themes/{name}.yaml)",
                    )
                ]
            )
        data, theme_map = _read(file)
        if not isinstance(data, dict):
            raise StoryboardError([Problem(file, 1, 1, "a theme file must be a mapping of theme values")])
        seen.append(name)
        parent = data.pop("extends", None)
        layers.append(_ThemeLayer(data, theme_map))
        if parent is None:
            return layers
        if str(parent) in seen:
            raise StoryboardError(
                [theme_map.problem(("extends",), f"theme '{name}' extends itself through '{parent}'")]
            )
        name, where = str(parent), (theme_map, ("extends",))


def _layer_with(layers: list[_ThemeLayer], path: tuple) -> _ThemeLayer:
    """The most specific layer that wrote ``path`` (or the nearest part of it)."""
    for end in range(len(path), -1, -1):
        for layer in layers:
            if layer.smap.has(path[:end]) and (end or layer is layers[-1]):
                return layer
    return layers[-1]


# -- pronunciation ---------------------------------------------------------


def _load_lexicon(
    settings: NarrationSettings, files: _Files, smap: yamlsrc.SourceMap
) -> tuple[dict[str, str], list[Problem]]:
    """The shared lexicon files in order, then the storyboard's own entries over them."""
    lexicon: dict[str, str] = {}
    problems = []
    root = files.root
    for i, name in enumerate(settings.lexicon_files):
        file = root / name
        outside = files.check([name], ("narration", "lexicon_files", i))
        if outside:
            problems += outside
            continue
        if not file.is_file():
            problems.append(
                smap.problem(
                    ("narration", "lexicon_files", i),
                    f"lexicon file '{name}' does not exist; give a YAML file's path relative to {root}",
                )
            )
            continue
        try:
            data, file_map = _read(file)
        except StoryboardError as exc:
            problems += exc.problems
            continue
        if not isinstance(data, dict):
            problems.append(Problem(file, 1, 1, "a lexicon file must be a mapping of 'word: spoken form' lines"))
            continue
        for word, said in data.items():
            if not isinstance(said, str) or not str(word).strip() or not said.strip():
                problems.append(file_map.problem((word,), f"'{word}' needs a spoken form as text, e.g. 'DMZ: D M Z'"))
            else:
                lexicon[str(word)] = said
    return {**lexicon, **settings.lexicon}, problems


def _check_music(music: MusicSettings | None, files: _Files) -> list[Problem]:
    if music is None:
        return []
    file = files.root / music.file
    if file.suffix.lower() not in MUSIC_TYPES:
        message = f"'{music.file}' is not a music file explainer reads; use one of {', '.join(MUSIC_TYPES)}"
    elif outside := files.problem(music.file):
        message = outside
    elif not file.is_file():
        message = f"music file '{music.file}' does not exist; give its path relative to {files.root}"
    elif not_audio := _not_audio(file):
        message = f"'{music.file}' is not audio explainer can read ({not_audio}); export it again as WAV, MP3 or OGG"
    else:
        return []
    return [files.smap.problem(("music", "file"), message)]


def _not_audio(file: Path) -> str | None:
    """Why ffmpeg cannot decode sound from ``file`` (its first second), or None when it can."""
    from pipeline import ffmpeg
    from pipeline.errors import RenderError

    try:
        ffmpeg.run(["-t", "1", "-i", str(file), "-map", "0:a:0", "-f", "null", "-"], what="reading it")
    except RenderError as exc:
        return "ffmpeg: " + str(exc).removeprefix("reading it failed: ").split(" | ")[0]
    return None


# -- text fitting ----------------------------------------------------------


def _check_sentences(storyboard: Storyboard, smap: yamlsrc.SourceMap) -> list[Problem]:
    """Reveals tied to a sentence must name one the scene's narration has."""
    problems = []
    for place, _, scene in scene_places(storyboard):
        count = len(sentences.split(scene.narration))
        for field_path, number in scene.slide.sentence_refs():
            if number > count:
                message = (
                    f"sentence {number} does not exist: the narration of scene '{scene.id}' has "
                    f"{count} sentence(s); use a number from 1 to {count}"
                )
                problems.append(smap.problem((*place, "slide", *_field_path(field_path)), message))
    return problems


def _field_path(dotted: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


#: Part of the key under which a slide that fits is remembered: bump when layout code changes.
FIT_CHECK = "fit-1"


def _check_fit(
    storyboard: Storyboard,
    theme: Theme,
    fonts: FontBook,
    smap: yamlsrc.SourceMap,
    size: tuple[int, int] | None,
    root: Path,
    drawn: Collection[str],
    burn_captions: bool,
    cache_root: Path,
) -> list[Problem]:
    """Build every slide once to find text that cannot fit; slides that fit are remembered by content.

    A slide found to fit is recorded under <cache>/fit/ by a key of all it
    is drawn from, so loading an unchanged storyboard again builds nothing.
    """
    from pipeline import __version__, cache
    from pipeline.slides import subtitles
    from pipeline.slides.base import Canvas, SceneContext
    from pipeline.slides.problems import FitError, SlideError

    width, height = size or (storyboard.video.width, storyboard.video.height)
    canvas = Canvas(width, height, theme, fonts, caption_band=subtitles.band(theme) if burn_captions else 0.0)
    store = cache.Store(cache_root)
    shared = {
        "version": [__version__, FIT_CHECK], "theme": theme.model_dump(mode="json"), "fonts": fonts.fingerprint(),
        "size": [width, height], "burn": burn_captions,
    }  # fmt: skip
    problems = []
    for si, section in enumerate(storyboard.sections):
        context = SceneContext(section.title, si + 1, root=root)
        for ci, scene in enumerate(section.scenes):
            if scene.id not in drawn:
                continue
            files = {name: cache.file_digest(root / name) for name in scene.slide.asset_files()}
            slide = scene.slide.model_dump(mode="json")
            digest = cache.key({**shared, "slide": slide, "section": section.title, "files": files})
            fits = store.path("fit", digest, "")
            if fits.exists():
                continue
            try:
                KINDS[scene.slide.kind].build(scene.slide, canvas, context)
            except SlideError as exc:
                path = ("sections", si, "scenes", ci, "slide", *_field_path(exc.field))
                at = f", at {width}x{height}" if isinstance(exc, FitError) else ""
                at += " above burned-in captions" if isinstance(exc, FitError) and burn_captions else ""
                problems.append(smap.problem(path, f"{exc} (scene '{scene.id}', {scene.slide.kind}.{exc.field}{at})"))
                continue
            with contextlib.suppress(OSError):  # a read-only project still loads; it just checks again next time
                cache.write_bytes(fits, b"")
    return problems


# -- turning pydantic errors into problems ---------------------------------


def _did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(value: Any) -> str:
    return {
        dict: "mapping",
        list: "list",
        str: "text",
        bool: "true/false",
        int: "number",
        float: "number",
        type(None): "empty value",
    }.get(type(value), type(value).__name__)


def _data_path(loc: tuple, data: Any) -> tuple:
    """Drop the union tags pydantic puts in error locations (…, 'slide', 'stat', 'value')."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node and node.get("kind") == part:
            continue
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)


def _model_at(path: tuple, data: Any, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for listing its fields)."""
    cls: Any = root
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
        if isinstance(part, int):
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or part not in cls.model_fields:
            return None
        cls = _model_in(cls.model_fields[part].annotation, node)
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _model_in(annotation: Any, node: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _model_in(typing.get_args(annotation)[0], node)
    if origin in (list, tuple):
        return _model_in(typing.get_args(annotation)[0], node[0] if isinstance(node, list) and node else None)
    if origin in (Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(node, dict) and "kind" in node:
            for model in models:
                if node["kind"] in typing.get_args(model.model_fields["kind"].annotation):
                    return model
        return models[0] if len(models) == 1 else None
    return annotation


def _problem(err: dict[str, Any], data: Any, smap: yamlsrc.SourceMap, model: type[BaseModel] | None = None) -> Problem:
    kind = err["type"]
    path = _data_path(tuple(err["loc"]), data)
    value = err.get("input")
    ctx = err.get("ctx") or {}
    name = path[-1] if path else ""

    if kind == "missing":
        return smap.problem(path[:-1], f"missing required field '{name}'{_where(path[:-1], data)}")
    if kind == "extra_forbidden":
        found = _model_at(path[:-1], data, model or Storyboard)
        allowed = list(found.model_fields) if found else []
        hint = _did_you_mean(str(name), allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return smap.problem(path, f"unknown field '{name}'{hint}", at_key=True)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        return smap.problem(
            (*path, "kind"), f"unknown slide kind '{tag}'{_did_you_mean(tag, KINDS)}; kinds: {', '.join(KINDS)}"
        )
    if kind == "union_tag_not_found":
        return smap.problem(path, f"a slide needs a 'kind': one of {', '.join(KINDS)}")
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
        hint = ""
        if isinstance(value, YamlBool):
            hint = " (YAML reads yes, no, on and off as true and false; write the figure)"
        elif isinstance(value, str) and re.fullmatch(r"[\d,.\s$%]+", value.strip()):
            plain = re.sub(r"[^\d.]", "", value)
            hint = f" (write it as a plain number without quotes or commas: {plain})"
        want = "a whole number" if kind.startswith("int") else "a number"
        label = f"'{path[-2]}' item {name + 1}" if isinstance(name, int) and len(path) > 1 else f"'{name}'"
        return smap.problem(path, f"{label} must be {want}, not {_show(value)}{hint}")
    if kind == "string_type":
        return smap.problem(path, f"'{name}' must be text, not a {_type_name(value)}")
    if kind == "bool_parsing" or kind == "bool_type":
        return smap.problem(path, f"'{name}' must be true or false, not {_show(value)}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return smap.problem(path, f"'{name}' must be a mapping of fields (key: value lines), not a {_type_name(value)}")
    if kind == "list_type":
        return smap.problem(path, f"'{name}' must be a list (one '- ' line per item), not a {_type_name(value)}")
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return smap.problem(path, f"'{name}' must be one of {expected}, not {_show(value)}")
    if kind == "string_pattern_mismatch" and name in ("id", "slug"):
        return smap.problem(
            path, f"'{value}' is not a valid {name}: use lowercase letters, digits and dashes, e.g. 'border-guards'"
        )
    if kind == "too_short":
        if isinstance(value, str):
            return smap.problem(path, f"'{name}' is empty; write some text or remove the field")
        return smap.problem(path, f"'{name}' needs at least {ctx.get('min_length', 1)} item(s)")
    if kind == "string_too_long":
        return smap.problem(
            path,
            f"'{name}' is too long ({len(value)} characters, at most {ctx.get('max_length')}) "
            "to fit its slide; shorten it or split it across scenes",
        )
    if kind == "too_long":
        return smap.problem(path, f"'{name}' has too many items: at most {ctx.get('max_length')}")
    bound = {"less_than_equal": "at most", "less_than": "less than", "greater_than_equal": "at least",
             "greater_than": "more than"}  # fmt: skip
    if kind in bound:
        limit = next(iter(ctx.values()), "")
        limit = f"{limit:g}" if isinstance(limit, (int, float)) else limit
        return smap.problem(path, f"'{name}' must be {bound[kind]} {limit}, not {_show(value)}")
    if kind == "value_error":
        return smap.problem(path, str(ctx.get("error", err["msg"])))
    message = err["msg"][0].lower() + err["msg"][1:]
    return smap.problem(path, f"'{name}': {message}")


def _show(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else f"a {_type_name(value)}"


def _where(path: tuple, data: Any) -> str:
    node = data
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
    if isinstance(node, dict) and "id" in node:
        return f" in scene '{node['id']}'"
    if isinstance(node, dict) and "kind" in node:
        return f" in this {node['kind']} slide"
    return ""
