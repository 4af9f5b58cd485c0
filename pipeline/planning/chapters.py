"""Stage: chapters from the storyboard's sections.

Written twice: into the MP4 (ffmpeg metadata, what players and ``ffprobe
-show_chapters`` list) and as ``chapters.txt`` in the form YouTube reads from
a video's description: ``0:00 Title`` lines, the first at 0:00, at least
three, each at least 10 seconds long. ``problems`` says which of YouTube's
rules a storyboard breaks, so the renderer can warn.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.planning.timeline import Plan

MIN_CHAPTERS = 3
MIN_SECONDS = 10.0


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str


def chapters(plan: Plan) -> list[Chapter]:
    """One chapter per section, from its first scene's start to the next section's."""
    out: list[Chapter] = []
    section = None
    for scene in plan.scenes:
        start, end = scene.start(plan.fps), scene.start(plan.fps) + scene.duration(plan.fps)
        if scene.section_number == section:
            out[-1] = Chapter(out[-1].start, end, out[-1].title)
        else:
            out.append(Chapter(start, end, scene.section_title))
        section = scene.section_number
    return out


def problems(chapter_list: list[Chapter]) -> list[str]:
    """YouTube's chapter rules the list breaks (YouTube then shows no chapters)."""
    found = []
    if len(chapter_list) < MIN_CHAPTERS:
        found.append(
            f"only {len(chapter_list)} section(s): YouTube shows chapters for {MIN_CHAPTERS} or more; "
            "split the storyboard into more sections"
        )
    for chapter in chapter_list:
        if chapter.end - chapter.start < MIN_SECONDS:
            found.append(
                f"section '{chapter.title}' lasts {chapter.end - chapter.start:.1f} s: YouTube needs every chapter "
                f"to last at least {MIN_SECONDS:g} s; give it more narration or merge it with a neighbour"
            )
    return found


def timestamp(seconds: float) -> str:
    """YouTube's form: 0:00, 4:05, 1:02:03 (whole seconds, rounded down)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def youtube(chapter_list: list[Chapter], credits: list[str] = ()) -> str:  # type: ignore[assignment]
    """The chapters as YouTube's description lists them, then (after a blank line) what the video must credit."""
    text = "".join(f"{timestamp(c.start)} {c.title}\n" for c in chapter_list)
    return text + ("\n" + "".join(f"{line}\n" for line in credits) if credits else "")


def ffmetadata(chapter_list: list[Chapter], title: str) -> str:
    """An ffmpeg metadata file with the title and the chapters (millisecond time base)."""

    def escape(value: str) -> str:
        for char in "\\=;#\n":
            value = value.replace(char, "\\" + char)
        return value

    lines = [";FFMETADATA1", f"title={escape(title)}"]
    for chapter in chapter_list:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={escape(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"
