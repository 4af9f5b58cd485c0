"""Stage: the whole video's narration as one continuous track on the plan's clock.

Encoding each scene's audio separately and joining the pieces drifts (every
AAC segment adds priming samples); building one track from the frame-exact
plan and encoding it once keeps every sentence in step with its slide.

The track is never held whole in memory: the narration is read block by block
from the sentence files, mixed, limited and streamed to the encoder, whose
packets are metered as they come. The video's AAC is encoded and metered in
segments kept in the cache (segments.py), so an edit encodes and meters the
track only from the edited scene on.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from pipeline.core import assets, cache, ffmpeg
from pipeline.core.audio import RATE
from pipeline.core.errors import Stopped
from pipeline.narration.speech import SentenceAudio, load_samples
from pipeline.planning.timeline import Plan, ScenePlan
from pipeline.sound import codecs, draft, mix, segments
from pipeline.sound.codecs import AAC, AudioCodec

#: Part of the soundtrack's cache key: bump when mixing, normalizing or encoding changes.
VERSION = "soundtrack-6"
#: How close to the target the encoded mix must meter before the gain is corrected and it is encoded again.
TOLERANCE_LU = 0.15


class NarrationTrack:
    """The plan's sentences on the video's clock, read in blocks (mono float32): a ``mix.Voice``."""

    KEEP = 8  # sentence files kept decoded: a block spans a few sentences at most

    def __init__(self, plan: Plan, stop: threading.Event | None = None):
        self.stop = stop
        self.samples = plan.sample_at(plan.total_frames)
        #: (first sample, end sample, audio) of every sentence, in order; a sentence never runs past its scene.
        self.parts: list[tuple[int, int, SentenceAudio]] = []
        for scene in plan.scenes:
            base, limit = plan.sample_at(scene.start_frame), plan.sample_at(scene.start_frame + scene.frames)
            for sentence in scene.sentences:
                at = base + round(sentence.start * RATE)
                self.parts.append((at, min(limit, at + sentence.audio.samples), sentence.audio))
        self._loaded: dict[Path, np.ndarray] = {}

    def block(self, start: int, end: int) -> np.ndarray:
        if self.stop is not None and self.stop.is_set():
            raise Stopped
        out = np.zeros(end - start, dtype=np.float32)
        for at, until, audio in self.parts:
            if until <= start:
                continue
            if at >= end:
                break
            lo, hi = max(at, start), min(until, end)
            piece = self._samples(audio)[lo - at : hi - at]
            out[lo - start : lo - start + piece.size] += piece
        return out

    def _samples(self, audio: SentenceAudio) -> np.ndarray:
        if audio.path not in self._loaded:
            if len(self._loaded) >= self.KEEP:
                del self._loaded[next(iter(self._loaded))]
            self._loaded[audio.path] = load_samples(audio)
        return self._loaded[audio.path]


def scene_track(plan: Plan, scene: ScenePlan) -> np.ndarray:
    """Mono float32 samples covering exactly the scene's frames."""
    first, end = plan.sample_at(scene.start_frame), plan.sample_at(scene.start_frame + scene.frames)
    return NarrationTrack(plan).block(first, end)


def key(plan: Plan, bed: mix.Bed | None, clips: list[mix.ClipSound] = (), codec: AudioCodec = AAC) -> str:
    """Everything that changes the finished soundtrack: sentence audio and times, scene lengths, music, clips."""
    return cache.key({
        "version": VERSION, "encoder": codec.identity(), "fps": plan.fps, "music": _music(bed),
        "clips": [[c.file.stem, c.start, c.end, c.volume, c.duck, c.loop] for c in clips],  # files named by content
        "scenes": [[s.frames, [[x.audio.path.stem, x.start] for x in s.sentences]] for s in plan.scenes],
    })  # fmt: skip


def _music(bed: mix.Bed | None) -> dict | None:
    """What a key knows of the music bed: its file's content and its settings."""
    if bed is None:
        return None
    return {"file": assets.digest(bed.file), **{k: v for k, v in vars(bed).items() if k != "file"}}


def build(
    plan: Plan,
    bed: mix.Bed | None,
    target: Path,
    hint: float | None = None,
    stop: threading.Event | None = None,
    clips: list[mix.ClipSound] = (),
    codec: AudioCodec = AAC,
    cached: Path | None = None,
    level_hint: float | None = None,
    previous: tuple[Path, Path] | None = None,
    steps: Path | None = None,
) -> dict[str, float | None]:
    """Mix, normalize and encode the whole soundtrack once, as AAC in ``target`` (atomically).

    ``hint`` is a gain (dB) likely to be right, such as the one the storyboard's
    last soundtrack needed: an edit to a sentence or two moves it by hundredths
    of a dB. The mix is encoded at that gain straight away and kept if it
    meters on target, which saves the analysing pass. Otherwise, or with no
    hint, the mix is analysed, the gain solved, and the mix encoded again.

    Returns the gain applied, the mix's loudness before normalizing when it was
    analysed, the narration's level the music was set against, and the encoded
    audio's integrated loudness and true peak.
    Setting ``stop`` ends the build at the next block, leaving no file. ``codec`` is how it is encoded (a
    draft's is cheaper). With ``cached``, a folder, AAC is encoded in segments kept there, and only the
    segments it lacks are encoded (segments.py): after an edit, the track from the edited scene on.
    ``level_hint`` is the narration's level the last soundtrack set the music and clips against (mix.Mixer).

    ``steps``, for a draft's codec (one encode, not segments): where this soundtrack's every 100-ms loudness step
    and what its mix is made of are kept, so that the next draft after an edit encodes only from the edit on
    (draft.py), given the last one's file and steps as ``previous``.
    """
    spans = mix.speech_spans(plan)
    record: dict | None = {} if steps is not None and codec.frame is None else None
    last = draft.read_steps(previous[1]) if previous is not None and record is not None else None
    voice, windows = NarrationTrack(plan, stop), None
    if record is not None and (bed is not None or clips):
        windows = draft.voice_windows(voice, last)
        record["voice_windows"] = windows.tolist()
    mixer = mix.Mixer(voice, spans, bed, list(clips), level_hint, windows)
    normalizer = mix.Normalizer(mixer)
    made_of = (_music(bed), list(clips), spans)
    with cache.atomic_path(target, once=True) as out:
        gain, encoded = hint, None
        if hint is not None and last is not None and previous[0].exists():
            updated = draft.update(normalizer, hint, codec, (previous[0], last), out, made_of, stop)
            if updated is not None and _on_target(updated[0]["integrated_lufs"]):
                encoded = updated[0]
                record.update(updated[1])
        if hint is not None and encoded is None:
            encoded = encode_blocks(normalizer.blocks(hint), mixer.samples, out, codec, cached, stop, record)
        if encoded is None or not _on_target(encoded["integrated_lufs"]):
            normalizer.analyse()
            gain = normalizer.solve()
            for _ in range(3):
                encoded = encode_blocks(normalizer.blocks(gain), mixer.samples, out, codec, cached, stop, record)
                if _on_target(encoded["integrated_lufs"]):
                    break
                gain = normalizer.correct(gain, encoded["integrated_lufs"])  # the prediction missed: once more
    if record is not None:
        record.setdefault("shape", draft.shape(normalizer, gain, codec, *made_of))
        draft.write_steps(steps, record)
    level = mixer.voice_level if bed is not None or clips else None
    return {"mix_before_normalizing_lufs": normalizer.before, "gain_db": gain, "voice_level_db": level, **encoded}


def _on_target(level: float) -> bool:
    """Metered close enough to the target, or silent (no gain can help)."""
    return not np.isfinite(level) or level <= mix.SILENT_LUFS or abs(level - mix.TARGET_LUFS) < TOLERANCE_LU


def encode_blocks(
    blocks: Iterable[np.ndarray],
    samples: int,
    out: Path,
    codec: AudioCodec,
    cached: Path | None = None,
    stop: threading.Event | None = None,
    record: dict | None = None,
) -> dict[str, float]:
    """Encode stereo float ``blocks`` with ``codec`` in ``out``; the encoded audio's loudness and true peak.

    With ``cached`` and a codec whose packets can be joined (AAC, metered for its true peak), segments.encode
    does it from the segments kept there. Otherwise (a draft's Opus, or no cache folder) it is one encode, as
    follows.

    One encoder writes the MP4 and, through ffmpeg's tee muxer, the same
    packets (as a bare stream) to a second ffmpeg that decodes and meters them (integrated loudness
    and 4x-oversampled true peak) while the encoding goes on: the finished
    audio is measured as a player will decode it, at no extra time on two cores.
    For AAC the mix's first AAC_PRIMING samples are cut before encoding and
    the MP4 has no edit list (see ``codecs.PRIMED``), so the meter reads the
    stream from its start, priming and all, up to the ``samples`` the MP4
    plays; Opus's delay is its pre-skip, which the meter's decoder skips as a
    player's does.

    The encoded loudness is what the gain is judged by. The encoder is given
    16-bit samples: the float mix's sub-LSB detail costs it 40% more time
    (6.3 s against 4.5 s for the shipped video) for nothing AAC keeps.

    With ``record`` (one encode only), the meter also prints every 100-ms step's loudness and the peak so far,
    kept in it as "blocks" and "peaks" (draft.py).
    """
    if cached is not None and codec.frame == segments.FRAME and codec.peak == "true":
        return segments.encode(blocks, samples, out, list(codec.args), codec.identity(), cached, stop)
    metering = ["-af", f"atrim=end_sample={samples},ebur128=peak={codec.peak}", "-f", "null", "-"]
    if record is not None:
        metering[1] = draft.meter_filter(samples, codec.peak)
    printed = ffmpeg.spool() if record is not None else None
    # ``out`` is an atomic_path name ('.<key>.<random>.part.m4a'): nothing in it is special to the tee muxer.
    meter = ffmpeg.Process(
        ["-f", codec.stream[1], "-i", "pipe:0", *metering],
        what="metering the encoded soundtrack",
        loglevel="info",
        stdin=subprocess.PIPE,
        stdout=printed or subprocess.DEVNULL,
    )
    try:
        codecs.encode_teed(blocks, out, codec, meter.proc.stdin)
    except BaseException:
        meter.kill()
        if printed is not None:
            printed.close()
        raise
    meter.proc.stdin.close()
    found = mix.summary(meter.finish(), peak=codec.peak)
    if printed is not None:
        printed.seek(0)
        record["blocks"], record["peaks"] = draft.parse_steps(printed.read().decode("ascii", "replace"))
        printed.close()
    return found
