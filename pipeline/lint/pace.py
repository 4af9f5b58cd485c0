"""`pace`: narration faster than about 180 words a minute, or slower than about 120, as the voice says it.

The rate is the words the voice says (its spoken form: "750,000" is four words, "seven
hundred fifty thousand") over the time from the scene's first word to the next scene's first
word: the scene's sentences with the gaps and pauses between them, and the silence after its
last word (its tail, then the next scene's lead-in) that the listener hears as the end of the
paragraph. The last scene is timed to the end of the video; a silent footage scene after it
adds nothing.

Why the silence after the scene counts: speaking-rate norms (150-160 words a minute is
comfortable narration, under 120 dragging) are measured over whole passages, breaths between
paragraphs included. Timed from first word to last only, a scene is a passage with its
paragraph break cut off: measured that way the shipped video's voice (piper, about 190 spoken
words a minute inside a sentence) is over 180 in 12 of its 24 scenes long enough to judge
(median 180).

Why 180 and not 170: the video is cut as explainers are (timeline.Breaths), with about 0.45 s
of silence across a cut inside a section, not a 1.4-s breath after every scene, so the voice
runs on as one read from scene to scene: the shipped video runs at 167 spoken words a minute
as a whole (158 when every cut had 1.4 s), its median scene at about 170, one steady read. At
170 half of its scenes would warn for the voice's ordinary read; over 180, five stand out, the
ones packed with short words and few breaks, where a pause where the thought ends (the breath
an editor would leave) or a slower voice helps. The suggested speed aims at TARGET (170), the
video's own pace, so a slowed scene does not drag among its neighbours.

Only scenes of at least MIN_WORDS (20) words are judged, about two sentences: one line ("Then
came the pandemic.") is heard as a line, not as a pace. A run of spelled letters from the
lexicon ("D M Z") counts as the one word it is. Times are measured where the last render or
the narration cache has them, else estimated (scene_times.py); the message says which.
"""

from __future__ import annotations

import math

from pipeline.lint.base import Context, Warning
from pipeline.lint.scene_times import SceneTime

RULE = "pace"
FAST, SLOW = 180, 120
#: The rate a suggested speed aims at: a tightly cut narration's own pace (the shipped video's median scene).
TARGET = 170
#: Scenes with fewer words than this are not judged.
MIN_WORDS = 20


def rates(context: Context) -> list[tuple[SceneTime, float, float]]:
    """(scene, words a minute, seconds timed) of every scene with narration, by this rule's definition."""
    scenes = context.timings.scenes
    out = []
    for i, scene in enumerate(scenes):
        if scene.first is None or scene.last is None or not scene.words:
            continue
        seconds = scene.duration - scene.first
        after = scenes[i + 1] if i + 1 < len(scenes) else None
        if after is not None and after.first is not None:
            seconds += after.first
        out.append((scene, scene.words / seconds * 60 if seconds > 0 else 0.0, seconds))
    return out


def check(context: Context) -> list[Warning]:
    found = []
    timings = context.timings
    for scene, rate, seconds in rates(context):
        if scene.words < MIN_WORDS:
            continue
        shown = round(rate)
        if SLOW <= shown <= FAST:
            continue
        entry = scene.entry
        said = f"{scene.words} words in {seconds:.1f} s, first word to the next scene's; {_how(scene, timings)}"
        if shown > FAST:
            speed = _slower(context.speed(entry), scene, seconds)
            message = (
                f"narration runs at {shown} words a minute ({said}), faster than about {FAST}: slow the scene "
                f"with 'voice: {{speed: {speed:g}}}', add a [pause 0.5] where a thought ends, or say less"
            )
        else:
            message = (
                f"narration runs at {shown} words a minute ({said}), slower than about {SLOW}: shorten or drop "
                "its [pause] markers, speed it up with 'voice: {speed: 1.1}', or give it more to say"
            )
        found.append(context.at((*entry.place, "narration"), RULE, message, key=True))
    return found


def _slower(speed: float, scene: SceneTime, seconds: float) -> float:
    """A voice speed that brings the scene to about TARGET words a minute (speech slows, silences stay), in steps
    of 0.05, at least 0.5."""
    assert scene.first is not None and scene.last is not None
    spoken = scene.last - scene.first
    room = scene.words * 60 / TARGET - (seconds - spoken)
    wanted = speed * spoken / room if room > 0 else 0.5
    return max(0.5, min(speed - 0.05, math.floor(wanted * 20 + 1e-9) / 20))


def _how(scene: SceneTime, timings) -> str:
    if scene.source == "render":
        return f"{scene.engine}, measured in the last render"
    if scene.source == "cache":
        return f"{scene.engine}, measured in the narration cache"
    return f"estimated for {timings.estimate_engine} at {timings.words_per_minute:g} words a minute"
