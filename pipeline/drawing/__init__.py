"""drawing: what a scene shows and how its frames are drawn, given a theme, a frame and the scene's timing.

Takes a slide's fields (validated data), a ``Theme``, a ``Frame`` and a ``SceneTiming``; gives pictures: every
frame of a scene as RGB, or a layered scene's moving picture and what is drawn over it.

- ``slides/``: one module per slide kind, each holding the kind's fields (so the storyboard's schema is made from
  the kinds, which is why this stage comes before loading) and its drawing; what the kinds share (fonts, text,
  motion, chrome, themes, maps).
- ``sources/``: a scene's source of frames (a drawn slide, a picture's camera move, footage); ``effects/``: what
  goes over any source (the dip, burned-in captions).
- ``canvas``: a canvas for one frame and theme; ``footage``: a clip's probe and cut; ``timing`` and ``cues``: the
  plain data the plan hands to the drawing (when sentences start, what captions say when).
"""
