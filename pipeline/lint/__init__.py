"""Lint: read a storyboard as an editor would, and say what would make the video worse.

``validate`` says whether a storyboard can be rendered; ``lint`` reads one that can and points
at what a viewer would notice, each warning at its file, line and column, with its fix::

    from pipeline.lint import lint
    for warning in lint("script/escape-north-korea.yaml"):
        print(warning)   # file:line:col: warning: <what is wrong and how to fix it> [rule-id]

A storyboard that does not validate raises the StoryboardError ``validate`` raises (the CLI
prints it as validate does, exit code 2). The rules, one module each, with stable ids:

==================== ==============================================================================
``still-scene``      a scene over 25 s whose slide holds still after its entrance (still.py)
``pace``             narration faster than about 180 or slower than about 120 words a minute (pace.py)
``no-source``        a stat, chart, scale, profile or compare with figures and no ``source`` (sources.py)
``figure-mismatch``  the narration says a figure close to, but not, the one on its slide (figures.py)
``chapters``         chapters YouTube would not show: fewer than 3, or one under 10 s (chapters.py)
``one-scene-section`` a section of one scene, not counting its section card (sections.py)
``pronunciation``    a name or acronym the voice says oddly, with no lexicon entry (pronunciation.py)
``reveal-order``     items revealed out of order, or on a sentence other than the one that says them
                     (reveals.py)
``doubled-word``     a word twice in a row on a slide or in the narration, 'the the' (doubled_words.py)
``not-a-phrase``     a slide's text cut in the wrong place: ending on 'the' or inside a name, its subject
                     cut away, a quotation mark that does not pair up (not_a_phrase.py)
``timeline-order``   a timeline's events out of date order (timeline_order.py)
``said-twice``       a sentence the narration says twice (said_twice.py)
==================== ==============================================================================

Rules that need time (scene lengths, pace, chapters) use real sentence times where the last
render (output/<slug>/render.json) or the narration cache has them, and estimate the rest from
the engine's measured rate (scene_times.py). Nothing is synthesized, drawn or downloaded.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.lint import (
    chapters,
    doubled_words,
    figures,
    not_a_phrase,
    pace,
    pronunciation,
    reveals,
    said_twice,
    sections,
    sources,
    still,
    timeline_order,
)
from pipeline.lint.base import Context, Warning
from pipeline.lint.options import LintOptions

__all__ = ["RULES", "LintOptions", "Warning", "lint"]

#: Rule id -> its check, in the order of the README.
RULES = {
    module.RULE: module.check
    for module in (
        still, pace, sources, figures, chapters, sections, pronunciation, reveals, doubled_words, not_a_phrase,
        timeline_order, said_twice,
    )
}  # fmt: skip


def lint(path: Path | str, options: LintOptions | None = None) -> list[Warning]:
    """Validate the storyboard at ``path`` (raising StoryboardError as ``validate`` does), then every rule's
    warnings, sorted by place in the file."""
    from pipeline.core.errors import UsageError
    from pipeline.loading.checks import validate
    from pipeline.loading.options import RenderOptions
    from pipeline.narration.engines import ENGINES

    options = options or LintOptions()
    unknown = [rule for rule in options.rules if rule not in RULES]
    if unknown:
        raise UsageError(f"no lint rule '{unknown[0]}'; rules: {', '.join(RULES)}")
    if options.engine is not None and options.engine not in ENGINES:
        raise UsageError(f"no engine '{options.engine}'; engines: {', '.join(ENGINES)}")
    project = validate(path, RenderOptions(allow_outside_assets=options.allow_outside_assets))
    context = Context(project, options)
    found: list[Warning] = []
    for rule, check in RULES.items():
        if not options.rules or rule in options.rules:
            found += check(context)
    if "timings" in context.__dict__:  # a rule needed the scenes' times: say where they came from
        context.note(context.timings.summary())
    return sorted(set(found), key=lambda w: (str(w.file), w.line, w.col, w.rule, w.message))
