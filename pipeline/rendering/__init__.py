"""rendering: every scene of a plan as an encoded clip.

Takes a ``Project``, its ``Plan`` and ``RenderOptions``; gives one ``SceneJob`` per scene (self-contained, named by
its cache key) and, run by an executor, one encoded clip per job in the cache. ``jobs`` builds and runs a job;
``encode`` pipes its frames to ffmpeg and joins clips; ``executors/`` run jobs (a local process pool, in-process,
Dask); ``stills`` draws single frames, the contact sheet and the thumbnail without encoding.
"""
