"""planning: the project's scenes on the video's clock.

Takes a ``Project`` and the spoken narration; gives a ``Plan``: per scene its sentences, their start frames and its
length, frame-exact at the render's rate. ``script`` is what each scene says (and asks narration to speak it);
``timeline`` the arithmetic of the clock, ``scenes`` the storyboard's scenes laid out on it with the checks only real
lengths allow; ``captions`` (SRT, WebVTT), ``chapters`` and ``shorts`` are what follows from the plan.
"""
