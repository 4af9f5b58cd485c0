"""Pronunciation files: shared 'word: spoken form' mappings a storyboard lists under ``lexicon_files``.

The files are read in order and the storyboard's own ``lexicon`` entries go
over them (``spoken.apply_lexicon`` applies the result). Each file is named
relative to the project and goes through the project's sandbox.
"""

from __future__ import annotations

from pipeline.core.assets import Sandbox
from pipeline.core.errors import Problem, StoryboardError
from pipeline.core.yamlsrc import Path_, SourceMap, read_file
from pipeline.narration import voicelimits


def load(
    files: list[str], own: dict[str, str], sandbox: Sandbox, smap: SourceMap, at: Path_ = ("narration",)
) -> tuple[dict[str, str], list[Problem]]:
    """The shared lexicon ``files`` in order, then the storyboard's ``own`` entries over them; and the problems.

    An entry found wrong is left out (its problem is reported where it is written), so what the narration says is
    checked with the others only."""
    lexicon: dict[str, str] = {}
    problems: list[Problem] = []
    for i, name in enumerate(files):
        where = (*at, "lexicon_files", i)
        refused = sandbox.check([name], smap, where)
        if refused:
            problems += refused
            continue
        file = sandbox.root / name
        if not file.exists():
            message = f"lexicon file '{name}' does not exist; give a YAML file's path relative to {sandbox.root}"
            problems.append(smap.problem(where, message))
            continue
        try:
            data, file_map = read_file(file, "lexicon")
        except StoryboardError as exc:
            problems += exc.problems
            continue
        if not isinstance(data, dict):
            problems.append(Problem(file, 1, 1, "a lexicon file must be a mapping of 'word: spoken form' lines"))
            continue
        for word, said in data.items():
            if not isinstance(said, str) or not str(word).strip() or not said.strip():
                problems.append(file_map.problem((word,), f"'{word}' needs a spoken form as text, e.g. 'DMZ: D M Z'"))
            elif too_long := voicelimits.lexicon_problem(str(word), said):
                problems.append(file_map.problem((word,), too_long))
            else:
                lexicon[str(word)] = said
    for word, said in own.items():
        if too_long := voicelimits.lexicon_problem(word, said):
            problems.append(smap.problem((*at, "lexicon", word), too_long))
    kept = {word: said for word, said in own.items() if voicelimits.lexicon_problem(word, said) is None}
    return {**lexicon, **kept}, problems
