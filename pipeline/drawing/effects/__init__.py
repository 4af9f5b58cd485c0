"""Effects over any scene source: the theme's dip at each end, burned-in captions.

An effect is a small frozen dataclass with one ``apply(source) -> source``
(the shape of MoviePy 2's effects), so it knows nothing of what it wraps.
"""
