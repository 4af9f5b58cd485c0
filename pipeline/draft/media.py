"""Pictures from the creator's media folder, put where the script talks about them.

A creator keeps pictures in the project's ``assets/`` folder, named for what they show
(``assets/images/salt-caravan-camels.jpg``, ``assets/harbour/muynak-boats.png``): the words of a
picture's file name and of its folders under ``assets/`` are its tags. A scene whose narration
says one of a picture's tags (a whole word, or its plural) shows that picture beside its text, as
an editor would cut to it: the picture with the most of its tags said wins, each picture once,
in script order. Only text-led slides take a picture (title, stat, bullets, quote, closing);
maps, timelines and charts keep what they show. Nothing outside ``assets/`` is listed, and no
picture is opened here: ``validate`` reads them when it checks the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.draft.compose import DraftSection

#: What a creator's picture may be (as ``open_picture`` reads them).
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
#: Slide kinds a picture goes beside (their ``visual:``).
BESIDE = {"title", "stat", "bullets", "quote", "closing"}
#: Words in file names that say nothing about what a picture shows.
PLAIN = {"assets", "images", "image", "img", "photo", "photos", "pictures", "picture", "pic", "final", "copy",
         "edit", "the", "and", "for", "with", "from", "new", "old", "small", "large", "web", "jpg", "png"}  # fmt: skip


@dataclass(frozen=True)
class Picture:
    """A picture of the media folder: its path as the storyboard writes it, and its tags."""

    path: str
    tags: frozenset[str]


def pictures(root: Path) -> list[Picture]:
    """The pictures under ``root``/assets, with the words of their names and folders as tags, in path order."""
    assets = root / "assets"
    if not assets.is_dir() or assets.is_symlink():
        return []
    inside = root.resolve()
    found = []
    for file in sorted(assets.rglob("*")):
        if file.suffix.lower() not in SUFFIXES or file.name.startswith(".") or file.is_symlink():
            continue
        if not file.resolve().is_relative_to(inside) or not file.is_file():  # a folder linked from elsewhere
            continue
        relative = file.relative_to(root)
        words = re.findall(r"[a-z]+", " ".join([*relative.parent.parts[1:], file.stem]).lower())
        tags = frozenset(w for w in words if len(w) >= 3 and w not in PLAIN)
        if tags:
            found.append(Picture(relative.as_posix(), tags))
    return found


def attach(sections: list[DraftSection], media: list[Picture]) -> None:
    """Each picture beside the first text-led scene that says the most of its tags (at least one): the scene's
    ``visual`` becomes the picture (an icon it had makes way), with a note saying why it was chosen."""
    left = list(media)
    for scene in (scene for section in sections for scene in section.scenes):
        slide = scene.slide
        if not left or slide.get("kind") not in BESIDE or "picture" in slide.get("visual", {}):
            continue
        if slide.get("kind") == "stat" and any(slide.get(k) for k in ("of", "against")):
            continue  # a stat shows one thing beside its figure: its share or its bars stay
        said = set(re.findall(r"[a-z]+", " ".join(scene.sentences).lower()))
        said |= {word[:-1] for word in said if word.endswith("s")}
        scored = [(len(picture.tags & said), -i, picture) for i, picture in enumerate(left)]
        best, _, picture = max(scored, key=lambda item: item[:2])
        if best == 0:
            continue
        slide.pop("icon", None)
        slide["visual"] = {"picture": picture.path}
        words = ", ".join(sorted(picture.tags & said))
        scene.notes.append(f"{picture.path} is beside this scene because it says {words}: check it shows that")
        left.remove(picture)
