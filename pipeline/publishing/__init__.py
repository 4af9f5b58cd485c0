"""publishing: the finished set in the output folder.

Takes the joined video, the plan and the render's facts; gives the output folder's files (video, ``render.json``,
captions, chapters, thumbnail) swapped in as one set. ``publish`` writes the set into a staging folder beside the
output and exchanges it, touching only files explainer made; ``report`` is ``render.json``.
"""
