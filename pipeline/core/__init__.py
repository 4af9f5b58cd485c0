"""core: what every stage stands on, and nothing about videos in particular.

Takes nothing from the other stages; gives them the project's exceptions (``errors``), the strict base of every
model (``schema``), YAML that remembers where each value came from (``yamlsrc``) and pydantic's errors as located
problems (``messages``); the project sandbox (``assets``); the content-addressed cache (``cache``, ``remotecache``)
and the output folder's lock (``lock``); the bundled ffmpeg (``ffmpeg``), the internal audio format (``audio``),
the versions that go into cache keys (``versions``), memory handed back between stages (``memory``); and the
screens a video is made for (``formats``).
"""
