"""Scene ids from what the scenes show: readable, unique, and the same after an edit elsewhere in the script.

An id is the first content words of the scene's slide text ('since-1990-north-koreans'); a section card's
is its section's name with '-card'; the closing card is 'closing'. When two scenes would share one, the later
takes a suffix from its own narration (not from its place), so editing another paragraph never renames it.
"""

from __future__ import annotations

import hashlib

from pipeline.draft.compose import DraftSection
from pipeline.draft.phrases import slug


def assign(sections: list[DraftSection]) -> None:
    taken: set[str] = set()
    for section in sections:
        for scene in section.scenes:
            base = "closing" if scene.slide["kind"] == "closing" else slug(scene.names)
            name = base
            if name in taken:
                digest = hashlib.sha1(" ".join(scene.sentences).encode()).hexdigest()
                name = f"{base}-{digest[:4]}"
                n = 4
                while name in taken:  # the same words said twice
                    n += 1
                    name = f"{base}-{digest[:n]}"
            taken.add(name)
            scene.id = name
