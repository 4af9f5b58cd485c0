"""Effects over any scene source: each transition's half at a scene's ends, burned-in captions.

An effect is a small frozen dataclass with one ``apply(source) -> source``
(the shape of MoviePy 2's effects), so it knows nothing of what it wraps. The
transitions are one module each (``dip``, ``whip``, ``wipe``, ``zoom``; a cut is
none), named in ``joins.EFFECTS``.
"""
