"""loading: a storyboard file becomes a checked ``Project``.

Takes a path to a storyboard (YAML) and ``RenderOptions``; gives a ``Project``: typed scenes with defaults filled,
files resolved inside the project, the lexicon loaded, and every problem a creator can fix reported at once with its
file, line and column (``StoryboardError``). ``storyboard`` loads; ``checks`` adds what needs drawing or decoding at
the frame that will be drawn (text that does not fit, missing glyphs, unreadable media); ``options`` is the one
typed options object of a render; ``lexicon`` and ``characters`` read pronunciations and refuse what text may not hold.
"""
