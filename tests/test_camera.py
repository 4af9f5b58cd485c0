"""The camera over a drawn slide: still through short holds, a slow push-in through long ones, back to the full
frame as the next element enters, and no cost outside its pushes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.drawing.slides import camera
from pipeline.drawing.slides.base import Element, Slide


def test_holds_are_the_gaps_between_moves():
    busy = [(0.0, 0.6), (0.3, 1.0), (5.0, 5.6), (5.2, 5.2)]
    assert camera.holds(busy, 9.0) == [(1.0, 5.0), (5.6, 9.0)]
    assert camera.holds([], 3.0) == [(0.0, 3.0)]


def test_only_long_holds_push_after_the_wait():
    busy = [(0.0, 0.6), (2.4, 3.0), (8.0, 8.6)]
    moves = camera.pushes(busy, 12.0, rate=0.01, after=1.0)
    # 0.6-2.4 leaves 0.8 s after the wait, under SHORTEST: still. 3.0-8.0 and the last hold push.
    assert camera.SHORTEST > 0.8
    assert [(m.start, m.end, m.back) for m in moves] == [
        (pytest.approx(4.0), 8.0, pytest.approx(8.0 + camera.PULL)),
        (pytest.approx(9.6), 12.0, None),
    ]
    assert moves[0].depth == pytest.approx(0.01 * 4.0)
    assert camera.pushes(busy, 12.0, rate=0.0, after=1.0) == (), "a theme that asks for no push"


def test_a_push_is_never_deeper_than_the_safe_margin_allows():
    (move,) = camera.pushes([], 600.0, rate=0.05, after=0.0)
    assert move.depth == camera.MOST


def test_the_push_eases_in_and_comes_back_to_the_full_frame():
    move = camera.Push(start=2.0, end=6.0, depth=0.04, back=6.6)
    zooms = [move.zoom(t) for t in np.arange(0.0, 8.0, 0.1)]
    assert move.zoom(1.9) == 1.0 and move.zoom(6.0) == pytest.approx(1.04)
    assert move.zoom(6.6) == 1.0 and move.zoom(7.5) == 1.0
    rising = [z for t, z in zip(np.arange(0.0, 8.0, 0.1), zooms, strict=True) if 2.0 <= t <= 6.0]
    assert rising == sorted(rising), "pushes in steadily"
    assert move.zoom(2.2) - move.zoom(2.0) < move.zoom(4.1) - move.zoom(3.9), "starts slowly"


def _slide(duration: float, push: float = 0.01) -> Slide:
    """A 320x180 slide whose one box enters over its first 0.5 s, then holds to ``duration``."""
    box = Image.new("RGBA", (80, 40), (240, 240, 240, 255))

    def paint(frame: Image.Image, p: float) -> None:
        frame.paste(box, (40, 60), box.getchannel("A").point(lambda a: round(a * p)))

    background = Image.new("RGB", (320, 180), (20, 24, 30))
    ImageDraw.Draw(background).rectangle((0, 170, 319, 179), fill=(60, 60, 60))
    slide = Slide(background, [Element(0.0, 0.5, paint)])
    slide.aim(duration, push, after=1.0)
    return slide


def test_a_slide_holds_still_then_pushes_in_toward_what_it_shows():
    slide = _slide(6.0)
    settled = slide.frame(0.6)
    assert slide.frame(1.4) is settled, "the wait: the same frame, a hold the encoder repeats"
    pushed = slide.frame(5.0)
    assert pushed is not settled and pushed.shape == settled.shape
    assert slide.frame(5.0) is pushed and slide.frame(5.0 + camera.STEP / 3) is pushed, "one frame per step"
    assert slide.frame(5.0 + camera.STEP) is not pushed
    # The box grew, and toward the middle of what is drawn: its left edge moved left, its top edge up.
    lit = np.argwhere(pushed.min(axis=2) > 200)
    (top, left), (bottom, right) = lit.min(axis=0), lit.max(axis=0)
    assert right - left + 1 > 80 and bottom - top + 1 > 40
    assert left < 40 and top < 60
    assert np.array_equal(slide.still(), settled), "the settled still (sheets, thumbnails) is the full frame"


def test_the_camera_pulls_back_while_the_next_element_enters():
    background = Image.new("RGB", (320, 180), (20, 24, 30))
    dot = Image.new("RGBA", (20, 20), (255, 255, 255, 255))
    paint = lambda at: lambda frame, p: frame.paste(dot, at, dot.getchannel("A"))  # noqa: E731
    slide = Slide(background, [Element(0.0, 0.2, paint((100, 80))), Element(5.0, 0.4, paint((200, 80)))])
    slide.aim(8.0, 0.01, after=1.0)
    assert slide.camera is not None and slide.camera.zoom(4.9) > 1.0
    back = 5.0 + camera.PULL
    unmoved = Slide(background, list(slide.elements))
    assert np.array_equal(slide.frame(back), unmoved.frame(back)), "the full frame once the next one is in"


def test_no_camera_when_the_theme_asks_for_none():
    assert _slide(6.0, push=0.0).camera is None
    assert _slide(1.5).camera is None, "a scene too short to hold long"


def test_a_word_marked_or_a_ping_does_not_stop_the_push():
    """A creator's list held still 4.9 s: a mark under a word split its hold into two too short to push."""
    background = Image.new("RGB", (320, 180), (20, 24, 30))
    dot = Image.new("RGBA", (20, 20), (255, 255, 255, 255))
    paint = lambda frame, p: frame.paste(dot, (100, 80), dot.getchannel("A"))  # noqa: E731
    mark = Element(3.0, 0.3, paint, minor=True)
    slide = Slide(background, [Element(0.0, 0.2, paint), mark])
    slide.aim(6.0, 0.01, after=1.0)
    assert slide.camera is not None and [m.start for m in slide.camera.moves] == [pytest.approx(1.2)]
    assert slide.camera.zoom(3.1) > 1.0 and slide.camera.zoom(5.9) > slide.camera.zoom(3.1), "through the mark"


def test_a_slide_kept_alive_by_marks_waits_for_a_quiet_moment_to_push():
    """Words marked as said are motion a viewer sees: the camera starts only once nothing at all has moved for the
    wait, so it pushes where the slide would stand still, not through every list that marks its words."""
    marks = [(1.0, 1.3), (2.2, 2.5), (3.4, 3.7)]
    (move,) = camera.pushes([(0.0, 0.5)], 9.0, rate=0.01, after=1.5, minor=marks)
    assert move.start == pytest.approx(3.7 + 1.5), "after the last mark, once quiet for the wait"
    assert camera.pushes([(0.0, 0.5)], 5.5, rate=0.01, after=1.5, minor=marks) == (), "too little left to push"


@pytest.mark.parametrize(("zoom", "focus"), [(1.0, (0.5, 0.5)), (1.02, (0.35, 0.6)), (1.05, (0.7, 0.3))])
def test_a_push_samples_the_frame_where_the_zoom_about_its_focus_puts_each_pixel(zoom, focus):
    """The push (OpenCV's warp) puts every pixel where a bilinear enlargement of the box about the focus does
    (Pillow's resize of that box, which it replaced), within a level: no shift, no half-pixel offset."""
    rng = np.random.default_rng(5)
    small = Image.fromarray(rng.integers(0, 256, (45, 80, 3), dtype=np.uint8))
    frame = np.asarray(small.resize((640, 360), Image.BICUBIC))  # detail at every scale, no flat areas
    w, h = 640, 360
    fx, fy = focus[0] * w, focus[1] * h
    box = (fx - fx / zoom, fy - fy / zoom, fx + (w - fx) / zoom, fy + (h - fy) / zoom)
    expected = np.asarray(Image.fromarray(frame).resize((w, h), Image.BILINEAR, box=box)).astype(int)
    pushed = camera.push_in(frame, zoom, focus)
    assert pushed.shape == frame.shape and pushed.dtype == np.uint8
    assert np.abs(pushed.astype(int) - expected).max() <= 1
