"""Encoding: one clip per scene (a MoviePy clip over the scene's source, our ffmpeg pipe).

Each scene is a MoviePy ``VideoClip`` whose frame function is the scene
source's: a slide draws its few entrance frames and reuses one still array
for the hold. Frames go to
ffmpeg by index, exactly ``frames`` of them (MoviePy 2.2's own writer computes
``int(duration * fps)``, which drops a frame for about 2% of lengths, and it
forces ``-pix_fmt yuva420p`` for libx264).

The join (publishing/delivery.py) copies these clips' video streams as they are.
"""

from __future__ import annotations

import collections
import contextlib
import fractions
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

import numpy as np

from pipeline.core import cache, ffmpeg
from pipeline.core.errors import RenderError
from pipeline.drawing.sources.base import Backdrop, SceneSource
from pipeline.rendering import h264, timed

if TYPE_CHECKING:
    from moviepy import VideoClip

COLOR_ARGS = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


#: From the frames' colours to the encoder's. The frames carry their colour description (setparams): ffmpeg 9
#: takes it from the frames, and the encoder's own -color_* options alone left primaries and transfer
#: 'unspecified' in every MP4.
TO_ENCODER = f"scale=out_color_matrix=bt709:out_range=tv:flags=bicubic,format=yuv420p,{ffmpeg.BT709_TAGS}"


#: x264's ultrafast preset, with what it leaves out that the stream's parameters (SPS and PPS) carry put back, so a
#: drawn scene's pictures join a moving scene's by stream copy: CABAC, weighted P-prediction, 8x8 transforms, and
#: the deblocking filter (ultrafast turns it off: blocks would show). At 1080p x264 spent 28-29% less on a
#: push over a map and on a bullets slide's marks than with superfast (1.60 CPU-s against 2.26 for 150 frames;
#: 0.89 against 1.24), at the same SSIM against the source (0.9593 against 0.9595; 0.9976 against 0.9975), for
#: a file 10% smaller on the map and 66% larger on the slide (2.9 MB for 5 s: 4.7 Mb/s, within YouTube's 8).
CHANGING = "cabac=1:weightp=1:8x8dct=1:deblock=0,0"


def codec_args(fps: int, moving: bool = False) -> list[str]:
    """The H.264 encoder's settings, with the same stream parameters for every scene so that scenes join by
    stream copy: a drawn scene's pictures (``CHANGING``), or ``moving``.

    ``moving``: a picture that changes on every frame (a layered scene: a camera move, footage). Its
    keyframes came every half second, as a drawn scene's do, and each one restored the
    detail the P-frames before it had let go, so the picture pulsed twice a second. With x264's macroblock
    tree off (with a 5-frame lookahead it spent the bits badly) and a keyframe every two seconds, the
    shipped video's picture scene at 1080p changes 3.6-4.6 times as much at a keyframe as at a P-frame,
    every two seconds, against 7.4 times twice a second (the move alone, without its layer: 1.9 against
    3.4), for about 1.9 times the bits (1.8 Mb/s on that move, under a quarter of YouTube's 1080p advice).

    A moving picture is encoded with x264's superfast preset, not veryfast, and not tuned for still images
    (it is not one). At 1080p, 1.7 times faster on the shipped footage (24.8 ms a frame against 41.0) and
    1.4 times on its picture's move (8.2 ms against 11.5), at the same crf and the same or a hair better
    SSIM against lossless (0.98925 against 0.98903; 0.99903 against 0.99894), for more bits (17.4 Mb/s
    against 13.9; 2.4 against 1.8). The presets write the same stream parameters, so scenes still join.
    """
    if moving:
        tuned = ["-preset", "superfast", "-x264-params", "mbtree=0"]
    else:
        tuned = ["-preset", "ultrafast", "-x264-params", CHANGING]
    return [
        "-c:v", "libx264", *tuned, "-crf", "18", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", str(2 * fps if moving else gop(fps)),
        # One thread: a render runs an encoder per core already, and each of x264's own threads kept frames
        # of its own (377 MB an encoder at 1080p against 320 MB, for the same CPU time). No B-frames and a
        # 5-frame lookahead: 74 MB less an encoder at 1080p (they hold frames in memory), less CPU, for a file
        # 5% smaller at SSIM 0.9983 against 0.9986 (six scenes, against lossless).
        "-threads", "1", "-bf", "0", "-rc-lookahead", "5",
        *COLOR_ARGS,
    ]  # fmt: skip


def scene_clip(source: SceneSource, frames: int, fps: int) -> VideoClip:
    """The scene as a MoviePy clip of ``frames`` frames over ``source`` (effects already applied).

    Scene clips carry no sound: the soundtrack is mixed and encoded once for the
    whole video, and a scene written alone gets its sound from ``with_sound``.
    """
    return video_clip_class()(frame_function=source.frame, duration=frames / fps)


def video_clip_class() -> type[VideoClip]:
    """MoviePy's ``VideoClip``, imported when a scene is first drawn.

    MoviePy's package imports IPython whenever it is installed, for showing clips in a notebook, which a render
    never does: 0.35 s of CPU in every process that draws a scene (a render's workers, an edit's own process),
    more than MoviePy itself. Unless this process has IPython already (a notebook, where MoviePy's display
    should work), IPython is hidden from that one import: a ``None`` in ``sys.modules`` makes importing it fail,
    and MoviePy goes without its notebook display, as it does where IPython is not installed."""
    import sys

    if "moviepy" in sys.modules or "IPython" in sys.modules:
        from moviepy import VideoClip

        return VideoClip
    sys.modules["IPython"] = None  # type: ignore[assignment]
    try:
        from moviepy import VideoClip
    finally:
        del sys.modules["IPython"]
    return VideoClip


def gop(fps: int) -> int:
    """Frames per group of pictures: a keyframe every half second."""
    return max(1, fps // 2)


def encode_scene(
    clip: VideoClip,
    frames: int,
    fps: int,
    target: Path,
    on_frames: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Write ``clip``'s video to ``target`` (H.264, no sound) atomically, exactly ``frames`` frames long.

    Each frame that differs from the one before is sent to the encoder once; its repeats are written as skipped
    pictures (``SceneEncoder``), so a hold costs one picture at any length. Returns how many frames were drawn
    and how many pictures were encoded.
    """
    width, height = clip.size
    with cache.atomic_path(target, once=True) as out:
        scene = SceneEncoder(out, width, height, fps)
        try:
            for image, count in _runs(clip, frames, fps):
                scene.add(image, count)
                on_frames(count)
            scene.finish()
        finally:
            scene.abort()
    return {"drawn": scene.drawn, "encoded": scene.encoded}


def encode_layered(
    backdrop: Backdrop,
    over_black: SceneSource,
    over_white: SceneSource,
    size: tuple[int, int],
    frames: int,
    fps: int,
    target: Path,
    scratch: Path,
    on_frames: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Write a layered scene to ``target`` (H.264, no sound) atomically, exactly ``frames`` frames long, in one
    ffmpeg: ``backdrop`` is made there, and the layer drawn here is laid over it. ``scratch`` is the scene's
    scratch folder (``cache.scratch``), where ffmpeg reports its progress.

    The layer is drawn over black and over white (the same drawing over two flat bases): over black it is its
    colour times its opacity, and the two differ by 255 times its transparency, exactly, since everything drawn
    over a picture is a blend with it. Only the layer's frames that change are sent (Matroska over a pipe, each
    with its time); ffmpeg holds each until the next. ``on_frames`` hears the frames ffmpeg has encoded, as it
    goes. Returns how many layer frames were drawn, and how many frames were encoded.
    """
    layer = _Layer(over_black, over_white, size, fps)
    with cache.atomic_path(target, once=True) as out, contextlib.ExitStack() as stack:
        inputs, feeder = _backdrop_inputs(backdrop, frames, stack)
        progress = scratch / "progress.txt"
        process = ffmpeg.Process(
            [
                "-y", "-filter_complex_threads", "1", "-progress", str(progress), "-stats_period", "0.25",
                *inputs, "-f", "matroska", "-i", "pipe:0", "-filter_complex", _layered_graph(backdrop.chain, fps),
                "-frames:v", str(frames), *codec_args(fps, moving=True), "-an", "-f", "mp4", str(out),
            ],
            what="encoding a scene",
            stdin=subprocess.PIPE,
            pass_fds=(feeder.read,) if feeder else (),
        )  # fmt: skip
        if feeder:
            feeder.start()
        told = _send_layer(process, layer, frames, progress, on_frames)
        process.finish()
        if frames > told:
            on_frames(frames - told)
    return {"drawn": layer.drawn, "encoded": frames}


def _layered_graph(chain: str, fps: int) -> str:
    """ffmpeg's filters: the backdrop by ``chain`` (input 0), the layer (input 1) laid over it, for the encoder."""
    return (
        f"[0:v:0]{chain}[backdrop];"
        # The layer's times come in whole milliseconds, each at or just before its frame: back on the frames' clock
        # (a time base of one frame), where the backdrop's frames are too, so each frame meets its own layer.
        f"[1:v:0]{timed.frames_clock(fps)},{ffmpeg.to_bt709('yuva420p')}[layer];"
        f"[backdrop][layer]overlay=format=yuv420:eof_action=repeat,{TO_ENCODER}"
    )


def _backdrop_inputs(
    backdrop: Backdrop, frames: int, stack: contextlib.ExitStack
) -> tuple[tuple[str, ...], _Feeder | None]:
    """ffmpeg's arguments for the backdrop, and the feeder of a backdrop made here (closed with ``stack``)."""
    if not backdrop.feed:
        return backdrop.inputs, None
    feeder = _Feeder(backdrop.feed, frames)  # its pipe opened here, where closing it is sure
    stack.callback(feeder.close)
    return (*backdrop.inputs, "-i", f"pipe:{feeder.read}"), feeder


def _send_layer(
    process: ffmpeg.Process, layer: _Layer, frames: int, progress: Path, on_frames: Callable[[int], None]
) -> int:
    """The layer's frames into ffmpeg, then what it reports encoded until it is done; how many frames it told of."""
    try:
        layer.send(process.proc.stdin, frames)
        return _follow(process, progress, on_frames)
    except BrokenPipeError:
        return 0  # ffmpeg stopped: finish() says why
    except BaseException:
        process.kill()
        raise


@dataclass
class _Layer:
    """A layered scene's layer, from its drawings over black and over white; ``drawn`` counts the frames drawn."""

    over_black: SceneSource
    over_white: SceneSource
    size: tuple[int, int]
    fps: int
    drawn: int = 0

    def send(self, pipe: IO[bytes], frames: int) -> None:
        """The layer's first ``frames`` frames into ``pipe``: only those that change, each at its time."""
        with _LayerStream(pipe, *self.size) as stream:
            previous = None
            for i in range(frames):
                dark = self.over_black.frame(i / self.fps)
                if dark is not previous:  # a source returns the same array for a frame that did not change
                    stream.write(layer_from(dark, self.over_white.frame(i / self.fps)), i * 1000 // self.fps)
                    previous, self.drawn = dark, self.drawn + 1


class _Feeder:
    """A backdrop made here (``Backdrop.feed``), written into ffmpeg through a pipe of its own by a thread while
    the layer is drawn: ffmpeg reads each input on a thread of its own, so neither pipe waits for the other."""

    def __init__(self, feed: Callable[[BinaryIO, int], None], frames: int):
        self._feed, self._frames = feed, frames
        self.read, self._write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="backdrop feed", daemon=True)
        self._failed: list[BaseException] = []

    def start(self) -> None:
        """Once ffmpeg holds the pipe's read end: feed it."""
        os.close(self.read)
        self.read = -1
        self._thread.start()

    def _run(self) -> None:
        try:
            with open(self._write, "wb", buffering=0) as pipe:
                self._feed(pipe, self._frames)
        except BrokenPipeError:
            pass  # ffmpeg stopped reading: it has its frames, or it failed and its log says why
        except BaseException as exc:  # handed to the encoding thread, in close()
            self._failed.append(exc)

    def close(self) -> None:
        """Once ffmpeg has ended (so a write cannot block): wait for the feed, and raise what stopped it."""
        if self._thread.ident is None:  # ffmpeg never started
            for fd in (self.read, self._write):
                os.close(fd)
            return
        self._thread.join()
        if self._failed:
            raise self._failed[0]


def _follow(process: ffmpeg.Process, progress: Path, on_frames: Callable[[int], None]) -> int:
    """Tell ``on_frames`` of the frames ffmpeg reports encoded in its ``progress`` file until it is done; how many."""
    told = 0
    while True:
        done = process.proc.poll() is not None
        with contextlib.suppress(FileNotFoundError):
            reported = re.findall(r"^frame=(\d+)$", progress.read_text(encoding="utf-8"), re.MULTILINE)
            if reported and int(reported[-1]) > told:
                on_frames(int(reported[-1]) - told)
                told = int(reported[-1])
        if done:
            return told
        time.sleep(0.25)


def layer_from(over_black: np.ndarray, over_white: np.ndarray) -> np.ndarray:
    """The layer as straight RGBA, from its drawings over black (colour x opacity) and over white.

    The opacity is read from one channel (it is the same in all three, up to rounding), and only the rows where
    something is drawn are computed (text and its shades over a picture leave most of the frame clear)."""
    rgba = np.zeros((*over_black.shape[:2], 4), dtype=np.uint8)
    drawn = np.flatnonzero(over_black.any(axis=(1, 2)) | (over_white != 255).any(axis=(1, 2)))
    if drawn.size == 0:
        return rgba
    for top in range(drawn[0], drawn[-1] + 1, BAND_ROWS):  # in bands: a 1080p frame's float colour was 25 MB at once
        rows = slice(top, min(top + BAND_ROWS, drawn[-1] + 1))
        dark = over_black[rows]
        alpha = np.subtract(dark[..., 1], over_white[rows, :, 1], dtype=np.int16)
        alpha += 255
        np.clip(alpha, 0, 255, out=alpha)
        colour = dark * (np.float32(255.0) / np.maximum(alpha, 1).astype(np.float32))[..., None]
        colour += 0.5
        np.minimum(colour, 255.0, out=colour)
        rgba[rows, :, :3] = colour
        rgba[rows, :, 3] = alpha
    return rgba


#: Rows of the layer computed at once.
BAND_ROWS = 128


class _LayerStream:
    """RGBA frames, each with its time in milliseconds, as Matroska into ffmpeg's stdin (PyAV's muxer)."""

    def __init__(self, pipe: IO[bytes], width: int, height: int):
        import av

        self._container = av.open(_WriteOnly(pipe), "w", format="matroska")
        self._stream = self._container.add_stream("rawvideo", rate=1000)
        self._stream.width, self._stream.height, self._stream.pix_fmt = width, height, "rgba"
        self._stream.time_base = fractions.Fraction(1, 1000)
        self._pipe = pipe
        self._frame = av.VideoFrame

    def write(self, rgba: np.ndarray, millisecond: int) -> None:
        frame = self._frame.from_ndarray(rgba, format="rgba")
        frame.pts, frame.time_base = millisecond, self._stream.time_base
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def __enter__(self) -> _LayerStream:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._pipe.close()


class _WriteOnly:
    """The pipe as PyAV sees it: only written to (given the pipe itself, its muxer tries to seek and aborts)."""

    def __init__(self, pipe: IO[bytes]):
        self._pipe = pipe

    def write(self, data: bytes) -> int:
        self._pipe.write(data)
        return len(data)


def _runs(clip: VideoClip, frames: int, fps: int) -> Iterator[tuple[np.ndarray, int]]:
    """The clip's frames as (frame, how many times in a row): a still frame comes back as the same array."""
    previous, count = None, 0
    for i in range(frames):
        frame = clip.get_frame(i / fps)
        if frame is previous:
            count += 1
            continue
        if previous is not None:
            yield previous, count
        previous, count = frame, 1
    if previous is not None:
        yield previous, count


#: Frames a drawn scene's encoder may be sent beyond those it has given out (x264 holds 6: its 5-frame lookahead
#: and the one it codes). Sent as fast as they were drawn, ffmpeg queued up to 16 more 1080p RGB frames between
#: its threads (236 MB an encoder against 136 fed at its pace). 150 frames at 1080p sent as fast as possible: 12
#: ahead with a report every 50 ms, 176-201 MB in 2.15-2.32 s; 9 ahead every 20 ms, 159-164 MB in 2.15-2.25 s;
#: 8 ahead, 2.47 s (the encoder waits for frames).
AHEAD = 9
#: Seconds without a frame given out after which an encoder is sent frames unpaced (its reports are not coming: a
#: render never waits on a report forever).
STALL = 5.0


class SceneEncoder:
    """A drawn scene's video from one encoder: each frame that differs from the one before is sent once with its
    time (timed.py) and encoded once; its repeats are written as skipped pictures (h264.py) on the way from the
    encoder to the muxer.

    GOPs stay half a second long (``gop``; what YouTube asks of an upload, docs/output.md): a frame standing at a
    GOP's start is sent again there and made a keyframe, and a GOP that is the one before it again (a hold) is
    written again from the first's bytes, not encoded. So a hold costs one picture at any length, and a frame
    that stands for a few frames one picture, where x264 spent 4-5 ms at 1080p on each repeat and a hold's GOP
    was an encoder of its own (0.14-0.26 CPU-s)."""

    def __init__(self, out: Path, width: int, height: int, fps: int):
        self.width, self.height, self.fps = width, height, fps
        #: Frames drawn (distinct frames given), pictures encoded, frames written so far.
        self.drawn = self.encoded = self.frames = 0
        self._gop = gop(fps)
        self._held: np.ndarray | None = None  # the image of the last GOP, when it was one picture
        self._encoder = ffmpeg.Process(
            ["-y", *timed.INPUT, "-vf", timed.clocked(fps, TO_ENCODER), "-fps_mode", "passthrough",
             *codec_args(fps), "-force_key_frames", f"expr:eq(mod(round(t*{fps}),{self._gop}),0)",
             "-an", "-flush_packets", "1", "-f", "h264", "pipe:1"],
            what="encoding a scene",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self._muxer = ffmpeg.Process(
            ["-y", "-f", "h264", "-framerate", str(fps), "-i", "pipe:0", "-c", "copy", "-bsf:v", on_clock(fps),
             "-video_track_timescale", str(track_timescale(fps)), "-movflags", "+faststart", "-f", "mp4", str(out)],
            what="encoding a scene",
            stdin=subprocess.PIPE,
        )  # fmt: skip
        #: The pictures the encoder has given out.
        self.given = Given()
        self._repeater = h264.Repeater(self._muxer.proc.stdin.write, self.given.one)
        self._failed: list[BaseException] = []
        self._carrier = threading.Thread(target=self._carry, name="scene encoder", daemon=True)
        self._carrier.start()
        self._sent: collections.deque[int] = collections.deque(maxlen=AHEAD)  # each sent picture's number
        self._timed: timed.TimedFrames | None = None
        self._done = False
        with contextlib.suppress(BrokenPipeError):  # ffmpeg stopped: finish() says why
            self._timed = timed.TimedFrames(self._encoder.proc.stdin, width, height, fps)

    def add(self, image: np.ndarray, count: int) -> None:
        """``image`` for the next ``count`` frames."""
        self.drawn += 1
        while count:
            part = min(count, self._gop - self.frames % self._gop)  # up to the next GOP's start
            whole = part == self._gop > 1 and self.frames % self._gop == 0
            if whole and self._held is image:
                self._repeater.again()  # the GOP before, whole and of the same image: its bytes again
                self.frames += part
            else:
                self._send(image, part)
                self._held = image if whole else None
            count -= part

    def _send(self, image: np.ndarray, frames: int) -> None:
        # Sent no faster than it encodes (ffmpeg would queue them): at most AHEAD pictures sent that it has not
        # given out.
        if len(self._sent) == AHEAD:
            self.given.wait(self._sent[0] + 1)
        self._sent.append(self.encoded)
        self._repeater.repeat(frames)
        try:
            if self._timed is None:
                raise BrokenPipeError
            self._timed.send(image, self.frames)
        except BrokenPipeError:
            self.finish()  # raises with ffmpeg's own message
        self.frames += frames
        self.encoded += 1

    def finish(self) -> None:
        if self._done:
            return
        self._done = True
        with contextlib.suppress(BrokenPipeError):
            self._encoder.proc.stdin.close()
        try:
            self._encoder.finish()  # raises with ffmpeg's own message
        finally:
            self._carrier.join()
        if self._failed:
            self._muxer.kill()
            raise self._failed[0]
        self._muxer.finish()
        if self._repeater.frames != self.frames:
            raise RenderError(f"encoding a scene: {self._repeater.frames} frames written of {self.frames}")

    def abort(self) -> None:
        """After a failure (a no-op once finished): stop both processes."""
        if self._done:
            return
        self._done = True
        self._encoder.kill()
        self._carrier.join()
        self._muxer.kill()

    def _carry(self) -> None:
        """The encoder's stream to the muxer, each picture followed by its repeats (a thread)."""
        source, sink = self._encoder.proc.stdout, self._muxer.proc.stdin
        try:
            while chunk := source.read1(1 << 20):
                self._repeater.feed(chunk)
            self._repeater.end()
        except BaseException as exc:  # raised by finish(), in the encoding thread
            self._failed.append(exc)
            self._encoder.proc.kill()  # a sender blocked on its pipe gets BrokenPipeError
        finally:
            self.given.end()
            with contextlib.suppress(BrokenPipeError):
                sink.close()
            source.close()


def on_clock(fps: int) -> str:
    """The bitstream filter that times each picture of a raw H.264 stream on its frame: the raw stream's reader
    times them at 1/1200000 s with rounding (39999 and 40000 at 30 fps), and the scene's rate read 30.00013."""
    return f"setts=ts=round(N/({fps}*TB)):duration=round(1/({fps}*TB))"


def track_timescale(fps: int) -> int:
    """The MP4 track's timescale ffmpeg gives a video encoded at ``fps`` (the rate doubled to 10000 or more: 15360 at
    30 fps), so every scene's clip has the same and the join copies their times as they are."""
    scale = fps
    while scale < 10000:
        scale *= 2
    return scale


class Given:
    """How many pictures an encoder has given out, as the thread that reads its stream counts them."""

    def __init__(self) -> None:
        self.count = 0
        #: Whether a wait gave up on the encoder (STALL seconds without a picture): frames went unpaced.
        self.stalled = False
        self._ended = False
        self._changed = threading.Condition()

    def one(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def end(self) -> None:
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait(self, count: int) -> None:
        """Until the encoder has given out ``count`` pictures, has stopped, or has given out none for STALL
        seconds (then it is no longer waited for)."""
        with self._changed:
            while not (self._ended or self.count >= count):
                if not self._changed.wait(STALL):
                    self._ended = self.stalled = True
