"""Draws border-river.png: an illustration of a northern border river at dusk.

The shipped storyboard needs a picture for its `image` scene and no photo of
the border can be installed here, so this draws one (seeded, so re-running
gives the same file): layered ridges, a river, a fence and a guard tower.
Run from the repository root: python assets/images/make_border_river.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H = 2400, 1350
rng = np.random.default_rng(1991)


def ridge(base: float, rough: float, seed_pts: int = 9) -> np.ndarray:
    """A mountain skyline by midpoint displacement, as y for every x."""
    pts = np.array([base + rng.uniform(-rough, rough) for _ in range(seed_pts)])
    while len(pts) < W:
        mids = (pts[:-1] + pts[1:]) / 2 + rng.normal(0, rough / len(pts) ** 0.55, len(pts) - 1)
        out = np.empty(len(pts) * 2 - 1)
        out[0::2], out[1::2] = pts, mids
        pts = out
    return np.interp(np.linspace(0, len(pts) - 1, W), np.arange(len(pts)), pts)


def main() -> None:
    y = np.linspace(0, 1, H)[:, None, None]
    top, glow = np.array([18, 24, 48]), np.array([214, 120, 70])
    sky = top + (glow - top) * np.clip((y - 0.05) / 0.6, 0, 1) ** 1.6
    image = Image.fromarray(np.repeat(sky, W, axis=1).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for base, rough, color in [(0.42, 0.08, (70, 60, 78)), (0.5, 0.07, (44, 40, 56)), (0.58, 0.05, (26, 26, 36))]:
        line = ridge(base * H, rough * H)
        draw.polygon([(0, H), *[(x, line[x]) for x in range(0, W, 3)], (W, line[-1]), (W, H)], fill=color)
    river_top = int(H * 0.68)
    draw.rectangle((0, river_top, W, int(H * 0.8)), fill=(58, 60, 78))
    for _ in range(160):  # glints of the sky on the water
        x, yy = rng.uniform(0, W), rng.uniform(river_top + 6, H * 0.8 - 4)
        length = rng.uniform(20, 120)
        draw.line((x, yy, x + length, yy), fill=(150, 100, 80), width=2)
    draw.rectangle((0, int(H * 0.8), W, H), fill=(14, 15, 20))
    posts = np.arange(-20, W + 60, 90)
    for x in posts:
        draw.line((x, H * 0.8 + 6, x + 4, H * 0.66), fill=(8, 8, 10), width=9)
    for k in range(6):
        yy = H * 0.68 + k * 22
        draw.line([(x + 2, yy + 8 * np.sin(x / 37)) for x in posts], fill=(10, 10, 12), width=3)
    tx = int(W * 0.78)  # guard tower
    draw.polygon([(tx - 40, H * 0.8), (tx - 14, H * 0.5), (tx + 14, H * 0.5), (tx + 40, H * 0.8)], fill=(8, 8, 10))
    draw.rectangle((tx - 50, H * 0.45, tx + 50, H * 0.5), fill=(8, 8, 10))
    draw.polygon([(tx - 60, H * 0.45), (tx, H * 0.41), (tx + 60, H * 0.45)], fill=(8, 8, 10))
    draw.rectangle((tx - 30, H * 0.46, tx + 30, H * 0.485), fill=(240, 200, 120))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    image.save(Path(__file__).with_name("border-river.png"), optimize=True)


if __name__ == "__main__":
    main()
