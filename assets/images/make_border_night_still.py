"""Make assets/images/border-night.png: one frame of the shipped footage (assets/footage/border-night.mp4, drawn
for this video by make_border_night.py), the searchlight sweeping the checkpoint, for the DMZ scenes' backdrops.

Run from the repository root: python assets/images/make_border_night_still.py
"""

from __future__ import annotations

import subprocess

import imageio_ffmpeg

FOOTAGE, STILL, AT = "assets/footage/border-night.mp4", "assets/images/border-night.png", 3.0

if __name__ == "__main__":
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-ss", str(AT), "-i", FOOTAGE, "-frames:v", "1", STILL],
        check=True,
    )
