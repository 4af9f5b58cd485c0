"""Make assets/footage/border-night.mp4: a reconstruction, as surveillance footage, of a jeep run at a border.

The shipped storyboard's footage scene needs a clip, and no real footage can be
installed here, so this draws one (seeded, so re-running gives the same file):
a telephoto night view across a border fence, a checkpoint under sodium lights,
a guard tower's searchlight sweeping, and a jeep's headlights racing down the
road until it stops short of the fence; muzzle flashes from the far side, a
figure running through the headlights. Its sound: wind, the engine growing
louder, the crunch as it stops, distant shots. The storyboard credits it as a
reconstruction drawn for the video.

Everything is placed in metres and projected through one pinhole camera, so
sizes and speeds agree with each other. 12 s, 1280x720, 30 fps, H.264 and AAC.

Run from the repository root: python assets/footage/make_border_night.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H, FPS, SECONDS, RATE = 1280, 720, 30, 12.0, 48_000
MARGIN = 24  # drawn larger than the frame: the camera shake crops inside it
DW, DH = W + 2 * MARGIN, H + 2 * MARGIN
F, CAMERA_HEIGHT, HORIZON, VANISH = 2000.0, 4.0, 0.40 * DH, 0.52 * DW  # focal length in px, camera 4 m up
FENCE_Z, STOP_Z, STOP_T = 70.0, 86.0, 6.2  # the fence, where the jeep stops (metres away) and when
SHOTS = [7.1, 7.35, 7.8, 8.5, 8.75, 9.3, 10.1]
rng = np.random.default_rng(2017)


def project(x: float | np.ndarray, z: float | np.ndarray, y: float | np.ndarray = 0.0):
    """Screen (px, py) of a point ``x`` m right of the road's axis, ``z`` m away, ``y`` m above the ground."""
    return VANISH + F * np.asarray(x) / z, HORIZON + F * (CAMERA_HEIGHT - np.asarray(y)) / z


def road_x(z: float | np.ndarray) -> np.ndarray:
    """The road bends gently one way: its centre's offset (m) at distance ``z``."""
    return 9.0 * (1.0 - np.exp(-np.asarray(z) / 160.0)) - 5.0


def jeep_z(t: float) -> float:
    """The jeep speeds up from 420 m away and stops at STOP_Z."""
    if t >= STOP_T:
        return STOP_Z
    u = t / STOP_T
    return 420.0 - (420.0 - STOP_Z) * (0.35 * u + 0.65 * u**2)


def ridge(base: float, rough: float) -> np.ndarray:
    """A distant skyline by midpoint displacement, as y for every x."""
    pts = np.array([base + rng.uniform(-rough, rough) for _ in range(9)])
    while len(pts) < DW:
        mids = (pts[:-1] + pts[1:]) / 2 + rng.normal(0, rough / len(pts) ** 0.55, len(pts) - 1)
        out = np.empty(len(pts) * 2 - 1)
        out[0::2], out[1::2] = pts, mids
        pts = out
    return np.interp(np.linspace(0, len(pts) - 1, DW), np.arange(len(pts)), pts)


def glow(cx: float, cy: float, radius: float, sx: float = 1.0) -> np.ndarray:
    """A soft round light (0-1) at (cx, cy), ``sx`` stretching it sideways."""
    yy, xx = np.ogrid[:DH, :DW]
    d2 = ((xx - cx) / sx) ** 2 + (yy - cy) ** 2
    return np.exp(-d2 / (2 * radius**2)).astype(np.float32)


def scenery() -> np.ndarray:
    """What never moves, unlit (float RGB 0-255): sky, ridges, ground, road, fence, checkpoint, tower."""
    y = np.linspace(0, 1, DH)[:, None, None]
    sky = np.array([6, 9, 18]) + np.array([18, 22, 30]) * np.clip(y / 0.4, 0, 1) ** 2
    image = Image.fromarray(np.repeat(sky, DW, axis=1).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for base, rough, color in [(HORIZON - 70, 40, (20, 24, 32)), (HORIZON - 30, 22, (13, 15, 20))]:
        line = ridge(base, rough)
        draw.polygon([(0, DH), *[(x, line[x]) for x in range(0, DW, 2)], (DW, line[-1]), (DW, DH)], fill=color)
    draw.rectangle((0, HORIZON - 2, DW, DH), fill=(11, 12, 13))
    for _ in range(500):  # tufts and ruts: the ground is not a flat colour
        z = rng.uniform(12, 300)
        px, py = project(rng.uniform(-60, 60), z)
        r = F * rng.uniform(0.3, 1.2) / z
        shade = int(rng.uniform(6, 17))
        draw.ellipse((px - 2.5 * r, py - r / 2, px + 2.5 * r, py + r / 2), fill=(shade, shade + 1, shade))
    zs = np.geomspace(9, 900, 240)
    left = [project(road_x(z) - 3.5, z) for z in zs]
    right = [project(road_x(z) + 3.5, z) for z in zs[::-1]]
    draw.polygon([tuple(map(float, p)) for p in left + right], fill=(18, 18, 19))
    for z in np.arange(34, 600, 9.0):  # the centre line's dashes
        a, b = project(road_x(z), z), project(road_x(z + 3), z + 3)
        draw.line((*map(float, a), *map(float, b)), fill=(60, 58, 50), width=max(1, int(F * 0.15 / z)))
    for x in np.arange(-90, 91, 3.0):  # the fence: posts and wires
        if abs(x - road_x(FENCE_Z)) < 4:
            continue  # the gate stands open
        (px, bottom), (_, top) = project(x, FENCE_Z), project(x, FENCE_Z, 2.6)
        draw.line((px, bottom, px, top), fill=(34, 34, 36), width=2)
    for h in (0.7, 1.4, 2.1, 2.5):
        (x0, yw), (x1, _) = project(-90, FENCE_Z, h), project(90, FENCE_Z, h)
        draw.line((x0, yw, x1, yw), fill=(30, 30, 32), width=1)
    for side in (-1, 1):  # the checkpoint's huts, lit windows
        x = road_x(95) + side * 13
        (l, b), (r, t) = project(x - 3, 95), project(x + 3, 95, 3.2)
        draw.rectangle((l, t, r, b), fill=(22, 22, 24))
        for wx in (-1.6, 0.6):
            (wl, wb), (wr, wt) = project(x + wx, 95, 1.3), project(x + wx + 1.0, 95, 2.1)
            draw.rectangle((wl, wt, wr, wb), fill=(150, 118, 64))
    for side in (-1, 1):  # light poles
        (px, b), (_, t) = project(road_x(92) + side * 20, 92), project(road_x(92) + side * 20, 92, 9)
        draw.line((px, b, px, t), fill=(28, 28, 30), width=3)
    (tx, tb), (_, tt) = project(-33, 110), project(-33, 110, 12)  # the guard tower
    half = F * 1.6 / 110
    draw.polygon([(tx - half, tb), (tx - half / 2, tt), (tx + half / 2, tt), (tx + half, tb)], fill=(15, 15, 17))
    draw.rectangle((tx - half, tt - F * 2.2 / 110, tx + half, tt), fill=(15, 15, 17))
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    return np.asarray(image, dtype=np.float32)


def near_fence() -> np.ndarray:
    """Our side's wire fence close to the camera, a silhouette over everything (1 where it is, else 0)."""
    mask = Image.new("L", (DW, DH), 0)
    draw = ImageDraw.Draw(mask)
    z = 16.0
    for x in np.arange(-20, 21, 4.0):
        (px, bottom), (_, top) = project(x, z), project(x, z, 2.2)
        draw.line((px, bottom, px + 2, top), fill=255, width=4)
    for h in np.arange(0.3, 2.2, 0.35):
        (x0, y0), (x1, _) = project(-22, z, h), project(22, z, h)
        sag = [(x, y0 + 3 * np.sin((x - x0) / (F * 4 / z) * np.pi) ** 2) for x in np.linspace(x0, x1, 80)]
        draw.line(sag, fill=255, width=1)
    return np.asarray(mask.filter(ImageFilter.GaussianBlur(1.5)), np.float32)[..., None] / 255.0


def static_light() -> np.ndarray:
    """The sodium lamps' pools and halos (float RGB), which only flicker."""
    light = np.zeros((DH, DW, 3), np.float32)
    sodium = np.array([255, 160, 70], np.float32)
    for side in (-1, 1):
        x = road_x(92) + side * 20
        lamp = project(x, 92, 9)
        pool = project(x, 92)
        light += glow(*lamp, 5)[..., None] * sodium * 1.2
        light += glow(*lamp, 26)[..., None] * sodium * 0.25
        light += glow(*pool, 30, sx=3.0)[..., None] * sodium * 0.28
    return light


def beam(t: float) -> np.ndarray:
    """The searchlight's cone from the tower down to the ground (0-1), sweeping; it finds the jeep after it stops."""
    small = Image.new("L", (DW // 4, DH // 4), 0)
    draw = ImageDraw.Draw(small)
    lamp = project(-33, 110, 12.5)
    aim = -30 + 26 * np.sin(t * 0.55)
    if t > STOP_T + 1.5:  # swings onto the jeep
        u = min(1.0, (t - STOP_T - 1.5) / 1.5)
        aim = aim * (1 - u) + road_x(STOP_Z) * u
    near = [project(aim + dx, 80) for dx in (-4.0, 4.0)]
    far = [project(aim + dx, 130) for dx in (8.0, -8.0)]
    draw.polygon([(lamp[0] / 4, lamp[1] / 4), *[(p[0] / 4, p[1] / 4) for p in near[::-1]]], fill=70)
    draw.polygon([tuple(float(v) / 4 for v in p) for p in near + far], fill=120)
    cone = small.filter(ImageFilter.GaussianBlur(3)).resize((DW, DH), Image.BILINEAR)
    return np.asarray(cone, np.float32) / 255.0


def jeep_light(t: float) -> tuple[np.ndarray, float, float]:
    """The headlights' glow and the pool they throw toward the camera; and the jeep's screen position."""
    z = jeep_z(t)
    light = np.zeros((DH, DW), np.float32)
    cx = road_x(z)
    for dx in (-0.75, 0.75):
        px, py = project(cx + dx, z, 0.9)
        light += glow(px, py, max(1.2, F * 0.12 / z)) * 3.0
        light += glow(px, py, F * 0.9 / z) * 0.35
    pool = project(cx, z - 8)
    light += glow(*pool, F * 2.5 / z, sx=2.5) * 0.35
    sx, sy = project(cx, z, 0.9)
    return light, float(sx), float(sy)


def frame(t: float, base: np.ndarray, lamps: np.ndarray, fence: np.ndarray, vignette: np.ndarray, shake: np.ndarray):
    """The frame at ``t`` seconds (uint8 RGB, W x H)."""
    light = lamps * (0.94 + 0.06 * np.sin(t * 37.0))
    light = light + beam(t)[..., None] * np.array([150, 170, 190], np.float32)
    headlights, jx, jy = jeep_light(t)
    light += headlights[..., None] * np.array([255, 245, 220], np.float32)
    for shot in SHOTS:
        if 0 <= t - shot < 2.5 / FPS:
            x = road_x(150) + 6 * np.sin(shot * 13)
            light += glow(*project(x, 150 + 40 * np.cos(shot * 7), 1.2), 2.5)[..., None] * np.array([255, 220, 150])
    image = base + light * 0.9
    if 7.0 < t < 10.5:  # the soldier runs through his headlights toward the fence
        u = (t - 7.0) / 3.5
        z = STOP_Z - 4 - (STOP_Z - 4 - 58) * u
        px, foot = project(road_x(z) + 2.0 - 3.5 * u, z)
        _, head = project(road_x(z), z, 1.75)
        half = max(1, int(F * 0.18 / z))
        stride = int(2 * np.sin(t * 18))
        x0, head = int(px) + stride, int(head)
        image[head + 2 * half : int(foot), x0 - half : x0 + half] *= 0.15
        image[head : head + 2 * half, x0 - half // 2 - 1 : x0 + half // 2 + 1] *= 0.15
    image = image * (1 - 0.9 * fence) * vignette + rng.normal(0, 5.0, (DH, DW, 1)).astype(np.float32)
    i = round(t * FPS)
    ox, oy = MARGIN + shake[i, 0], MARGIN + shake[i, 1]
    return np.clip(image[oy : oy + H, ox : ox + W], 0, 255).astype(np.uint8)


def lowpass(signal: np.ndarray, cutoff: float) -> np.ndarray:
    """``signal`` with everything above ``cutoff`` Hz removed (by FFT)."""
    spectrum = np.fft.rfft(signal)
    spectrum[np.fft.rfftfreq(signal.size, 1 / RATE) > cutoff] = 0
    return np.fft.irfft(spectrum, signal.size)


def sound() -> np.ndarray:
    """Wind, the engine coming closer, the stop, distant shots: stereo float32."""
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    gusts = 0.6 + 0.4 * np.sin(t * 0.7 + 1) ** 2
    winds = [lowpass(rng.normal(0, 1, n), 500) * gusts for _ in range(2)]  # one per ear: wide, not central
    winds = [w / np.abs(w).max() * 0.12 for w in winds]
    zs = np.array([jeep_z(x) for x in t])
    near = np.clip(60.0 / zs, 0, 1) * (t < STOP_T + 0.15)
    revs = 38 + 30 * np.clip(t / STOP_T, 0, 1)
    phase = 2 * np.pi * np.cumsum(revs) / RATE
    engine = sum(np.sin(k * phase) / k for k in range(1, 7)) + lowpass(rng.normal(0, 0.6, n), 300)
    engine = engine * near**1.3 * 0.3
    stop = np.zeros(n)
    s = int(STOP_T * RATE)
    crunch = int(0.5 * RATE)
    stop[s : s + crunch] = lowpass(rng.normal(0, 1, crunch), 900) * np.exp(-np.arange(crunch) / (0.12 * RATE))
    stop *= 0.9 / max(np.abs(stop).max(), 1e-9)
    shots = np.zeros(n)
    for at in SHOTS:
        k = int((at + 150 / 343) * RATE)  # the far side is about 150 m off: sound comes half a second late
        length = int(0.4 * RATE)
        shots[k : k + length] += rng.normal(0, 1, length) * np.exp(-np.arange(length) / (0.03 * RATE))
    shots = lowpass(shots, 2500)
    shots *= 0.5 / np.abs(shots).max()
    events = engine + stop + shots
    stereo = np.stack([events + winds[0], events + winds[1]], axis=1)
    return (stereo / np.abs(stereo).max() * 0.7).astype(np.float32)


def main() -> None:
    target = Path(__file__).with_name("border-night.mp4")
    base, lamps, fence = scenery(), static_light(), near_fence()
    yy, xx = np.ogrid[:DH, :DW]
    r2 = ((xx - DW / 2) / (DW / 2)) ** 2 + ((yy - DH / 2) / (DH / 2)) ** 2
    vignette = (1.0 - 0.45 * np.clip(r2, 0, 1.6) / 1.6)[..., None].astype(np.float32)
    frames = int(SECONDS * FPS)
    walk = np.cumsum(rng.normal(0, 0.6, (frames + 1, 2)), axis=0)  # handheld drift, kept inside the margin
    walk = np.convolve(walk[:, 0], np.ones(9) / 9, "same"), np.convolve(walk[:, 1], np.ones(9) / 9, "same")
    shake = np.clip(np.round(np.stack(walk, axis=1) * 0.8), -MARGIN + 2, MARGIN - 2).astype(int)
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "sound.f32"
        sound().tofile(wav)
        encoder = subprocess.Popen(
            [
                imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", str(FPS), "-i", "pipe:0",
                "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", str(wav),
                "-c:v", "libx264", "-preset", "slow", "-crf", "24", "-pix_fmt", "yuv420p",
                "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                "-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", str(target),
            ],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        for i in range(frames):
            encoder.stdin.write(frame(i / FPS, base, lamps, fence, vignette, shake).tobytes())
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise SystemExit("ffmpeg failed")
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
