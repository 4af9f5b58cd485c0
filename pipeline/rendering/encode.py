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
from pipeline.drawing.sources.base import Backdrop, SceneSource
from pipeline.rendering import timed

if TYPE_CHECKING:
    from moviepy import VideoClip

COLOR_ARGS = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


#: From the frames' colours to the encoder's. The frames carry their colour description (setparams): ffmpeg 9
#: takes it from the frames, and the encoder's own -color_* options alone left primaries and transfer
#: 'unspecified' in every MP4.
TO_ENCODER = f"scale=out_color_matrix=bt709:out_range=tv:flags=bicubic,format=yuv420p,{ffmpeg.BT709_TAGS}"


def hold_args(fps: int, repeat: int) -> list[str]:
    """H.264 High, yuv420p, BT.709 (what YouTube's upload guidance asks for) for a hold's GOP, from RGB frames:
    each frame sent converted once and encoded ``repeat`` times, with the still-image settings (it is encoded
    once and repeated)."""
    return ["-vf", f"{TO_ENCODER},loop=loop={repeat - 1}:size=1", *codec_args(fps)]


#: x264's ultrafast preset, with what it leaves out that the stream's parameters (SPS and PPS) carry put back, so a
#: drawn scene's changing frames join its holds' by stream copy: CABAC, weighted P-prediction, 8x8 transforms, and
#: the deblocking filter (ultrafast turns it off: blocks would show). At 1080p x264 spent 28-29% less on a
#: push over a map and on a bullets slide's marks than with superfast (1.60 CPU-s against 2.26 for 150 frames;
#: 0.89 against 1.24), at the same SSIM against the source (0.9593 against 0.9595; 0.9976 against 0.9975), for
#: a file 10% smaller on the map and 66% larger on the slide (2.9 MB for 5 s: 4.7 Mb/s, within YouTube's 8).
CHANGING = "cabac=1:weightp=1:8x8dct=1:deblock=0,0"


def codec_args(fps: int, moving: bool = False, changing: bool = False) -> list[str]:
    """The H.264 encoder's settings, with the same stream parameters for every scene so that scenes join by
    stream copy. ``changing``: a drawn scene's frames between its holds (``CHANGING``).

    ``moving``: a picture that changes on every frame (a layered scene: a camera move, footage). Its
    keyframes came every half second, as a drawn scene's do for its holds, and each one restored the
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
    elif changing:
        tuned = ["-preset", "ultrafast", "-x264-params", CHANGING]
    else:
        tuned = ["-preset", "veryfast", "-tune", "stillimage"]
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

    Frames are encoded as segments joined without re-encoding: a still stretch
    at least two GOPs long (a slide's hold, a caption held over it) is encoded
    once as one GOP and that segment repeated, so a hold costs the same at any
    length. Returns how many frames were drawn and how many were encoded.
    """
    width, height = clip.size
    with cache.scratch(target) as folder:
        segments = Segments(folder, width, height, fps)
        try:
            for image, count in _runs(clip, frames, fps):
                segments.add(image, count)
                on_frames(count)
            segments.finish()
        finally:
            segments.abort()
        listing = ffmpeg.concat_inputs([(path, count / fps) for path, count in segments.files], folder)
        with cache.atomic_path(target, once=True) as out:
            ffmpeg.run(
                ["-y", *listing, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", str(out)],
                what="encoding a scene",
            )
    return {"drawn": segments.drawn, "encoded": segments.encoded}


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
#: How often (seconds) a drawn scene's encoder reports the frames it has given out: the sooner it reports, the
#: fewer frames need to be on the way to keep it busy.
REPORT_EVERY = 0.02
#: Seconds without a frame given out after which an encoder is sent frames unpaced (its reports are not coming: a
#: render never waits on a report forever).
STALL = 5.0


class Segments:
    """Video-only H.264 segments with one encoder setting, so they join by stream copy."""

    def __init__(self, folder: Path, width: int, height: int, fps: int):
        self.folder, self.width, self.height, self.fps = folder, width, height, fps
        #: Segment files in order, each with its frame count (a repeated hold appears once per use).
        self.files: list[tuple[Path, int]] = []
        self.drawn = self.encoded = 0
        self._proc: ffmpeg.Process | None = None
        self._timed: timed.TimedFrames | None = None
        #: The current segment's encoder's progress: how many frames it has given out (None between segments).
        self.progress: EncoderProgress | None = None

    def add(self, image: np.ndarray, count: int) -> None:
        self.drawn += 1
        size = gop(self.fps)
        if count >= 2 * size:
            self._close()
            self._open(repeat=size)  # one frame in, the GOP out: byte for byte the GOP of ``size`` frames sent
            self._write(image, size)
            self._close()
            self.files += [self.files[-1]] * (count // size - 1)
            count %= size
        if count:
            self._write(image, count)  # sent once with its time: ffmpeg repeats it (see timed.py)

    def finish(self) -> None:
        self._close()

    def abort(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc = None
            self.progress.close()

    def _open(self, repeat: int = 1) -> None:
        """Start the next segment's encoder. ``repeat`` > 1: a hold's GOP, each frame sent encoded that many times
        (ffmpeg repeats the converted frame: a hold's GOP cost 0.26 CPU-s at 1080p sent whole, 0.14 s so);
        otherwise the frames between holds, each sent once with its time (``timed``) and repeated by ffmpeg."""
        path = self.folder / f"segment-{len(self.files):04d}.mp4"
        if repeat > 1:
            raw = ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{self.width}x{self.height}", "-r", str(self.fps))
            inputs, args = (*raw, "-i", "pipe:0"), hold_args(self.fps, repeat)
        else:
            inputs = timed.INPUT
            args = ["-vf", timed.timed_chain(self.fps, TO_ENCODER), *codec_args(self.fps, changing=True)]
        self._proc = ffmpeg.Process(
            ["-y", "-progress", "pipe:1", "-stats_period", str(REPORT_EVERY), *inputs, *args, "-an", "-f", "mp4",
             str(path)],
            what="encoding a scene",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self.progress = EncoderProgress(self._proc.proc.stdout)
        self.files.append((path, 0))
        self._sent: collections.deque[int] = collections.deque(maxlen=AHEAD)  # the first frame of each sent
        self._timed = None
        if repeat == 1:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg stopped: closing says why
                self._timed = timed.TimedFrames(self._proc.proc.stdin, self.width, self.height, self.fps)

    def _write(self, image: np.ndarray, frames: int = 1) -> None:
        """Send ``image`` to the segment's encoder, which makes ``frames`` frames of it (see ``_open``)."""
        if self._proc is None:
            self._open()
        path, count = self.files[-1]
        # Sent no faster than it encodes (ffmpeg would queue them): at most AHEAD frames sent that it has not begun
        # to give out. Counted in frames sent, not frames out: a frame sent with its time is repeated only once the
        # next one arrives (until then its length is not known), so a wait for its repeats would wait for ever.
        if len(self._sent) == AHEAD:
            self.progress.wait(self._sent[0])
        self._sent.append(count)
        try:
            if self._timed is not None:
                self._timed.send(image, count)
            else:
                self._proc.proc.stdin.write(np.ascontiguousarray(image, dtype=np.uint8).data)
        except BrokenPipeError:
            self._close()  # reports ffmpeg's own message
        self.files[-1] = (path, count + frames)
        self.encoded += frames

    def _close(self) -> None:
        if self._proc is None:
            return
        process, self._proc = self._proc, None
        with contextlib.suppress(BrokenPipeError):
            if self._timed is not None:
                self._timed.end(self.files[-1][1])
            process.proc.stdin.close()
        try:
            process.finish()  # raises with ffmpeg's own message
        finally:
            self.progress.close()


class EncoderProgress:
    """How many frames an encoder has given out, read by a thread from its progress report on ``stdout``."""

    def __init__(self, stdout: IO[bytes]):
        self._stdout = stdout
        #: Frames the encoder has given out so far, as it last reported.
        self.given, self._ended = 0, False
        #: Whether a wait gave up on the encoder's reports (STALL seconds without one): frames went unpaced.
        self.stalled = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="encoder progress", daemon=True)
        self._thread.start()

    def wait(self, frames: int) -> None:
        """Until the encoder has given out ``frames`` frames, has stopped, or has not reported for STALL seconds
        (then it is no longer waited for)."""
        with self._changed:
            while not (self._ended or self.given >= frames):
                if not self._changed.wait(STALL):
                    self._ended = self.stalled = True  # no frame given out for STALL seconds: unpaced from now on

    def close(self) -> None:
        """Once the encoder has ended."""
        self._thread.join()
        self._stdout.close()

    def _read(self) -> None:
        try:
            for line in self._stdout:
                if line.startswith(b"frame=") and int(line[6:]) != self.given:
                    with self._changed:
                        self.given = int(line[6:])
                        self._changed.notify_all()
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()
