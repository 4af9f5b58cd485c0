"""A frame held for several frames, in H.264, without encoding it again: the repeats as skipped pictures.

A drawn scene repeats most of its frames (the camera steps every few frames, a word stays marked for a while, a
slide holds). x264 spent 4-5 ms on each repeat of a 1080p frame (its analysis, its deblocking and its reference
planes run whatever the frame holds), and a hold of seconds was encoded as a GOP of its own in an encoder of its
own, repeated by the join. A repeat needs no encoder: it is a P picture whose every macroblock is skipped (no
residual, the motion predicted from skipped neighbours: zero), so it decodes to its reference exactly. Its slice
is a few dozen bytes, written here once per stream from the stream's own parameter sets and then only re-labelled
with its frame number.

``Repeater`` sits between x264's Annex B output and the muxer: after each picture x264 gives out it writes the
picture's repeats as skipped pictures, and renumbers x264's later pictures (``frame_num``) past them. The
streams it reads are the ones ``encode.codec_args`` asks for: one slice a picture, picture order type 2 (no
B-frames), one reference frame; anything else is refused (``Unsupported``), never guessed at.

The bit syntax is ITU-T H.264 (08/2021): 7.3.2.1.1 and 7.3.2.2 (the parameter sets read), 7.3.3 (the slice
header written), 7.3.4 (slice data) and 9.3.4 (the arithmetic coder, CABAC, for the skip flags).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from dataclasses import dataclass

#: The profiles whose sequence parameter sets carry chroma format and bit depths (7.3.2.1.1).
HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
START = b"\x00\x00\x01"
SPS, PPS, IDR, SLICE = 7, 8, 5, 1
#: P, every slice of the picture P (7.4.3, Table 7-6).
P_ONLY = 5


class Unsupported(ValueError):
    """A stream this module cannot add skipped pictures to (its parameters are not the ones x264 is asked for)."""


class BitReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]
            value = (value << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise Unsupported("an Exp-Golomb code longer than 32 bits")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class BitWriter:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, n: int, value: int) -> None:
        self.bits.extend((value >> (n - 1 - i)) & 1 for i in range(n))

    def ue(self, value: int) -> None:
        code = value + 1
        self.u(2 * code.bit_length() - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self, bit: int) -> None:
        while len(self.bits) % 8:
            self.bits.append(bit)

    def bytes(self) -> bytes:
        assert len(self.bits) % 8 == 0
        return int("".join(map(str, self.bits)) or "0", 2).to_bytes(len(self.bits) // 8, "big")


def unescape(nal: bytes) -> bytes:
    """A NAL unit's payload without its emulation prevention bytes (7.4.1)."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00") if b"\x00\x00\x03" in nal else nal


def escape(rbsp: bytes) -> bytes:
    """The payload with an emulation prevention byte after two zeros before any byte up to 3."""
    return re.sub(b"\x00\x00(?=[\x00-\x03])", b"\x00\x00\x03", rbsp)


@dataclass(frozen=True)
class Params:
    """What writing a skipped picture and renumbering a picture need from the stream's SPS and PPS."""

    log2_max_frame_num: int
    chroma: bool
    macroblocks: int
    pps_id: int
    cabac: bool
    weighted: bool
    refs: int  # num_ref_idx_l0_default_active
    qp: int  # the slice QP a slice with slice_qp_delta 0 has
    deblocking_control: bool
    redundant_pic_cnt: bool

    @property
    def max_frame_num(self) -> int:
        return 1 << self.log2_max_frame_num


def read_sps(rbsp: bytes) -> dict[str, int]:
    """The fields of a sequence parameter set (without its NAL header byte) that ``Params`` needs."""
    r = BitReader(rbsp)
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    r.ue()  # seq_parameter_set_id
    chroma_format = 1
    if profile in HIGH_PROFILES:
        chroma_format = r.ue()
        if chroma_format == 3:
            r.u(1)
        r.ue(), r.ue(), r.u(1)  # bit depths, qpprime_y_zero_transform_bypass_flag
        if r.u(1):
            raise Unsupported("a sequence scaling matrix")
    log2_max_frame_num = r.ue() + 4
    if r.ue() != 2:
        raise Unsupported("picture order count type other than 2 (a stream with B-frames)")
    if r.ue() != 1:
        raise Unsupported("more than one reference frame")
    r.u(1)  # gaps_in_frame_num_value_allowed_flag
    width, height = r.ue() + 1, r.ue() + 1
    if not r.u(1):
        raise Unsupported("interlaced coding")
    return {"log2_max_frame_num": log2_max_frame_num, "chroma": int(chroma_format != 0), "macroblocks": width * height}


def read_pps(rbsp: bytes, sps: dict[str, int]) -> Params:
    r = BitReader(rbsp)
    pps_id = r.ue()
    r.ue()  # seq_parameter_set_id
    cabac = bool(r.u(1))
    if r.u(1):
        raise Unsupported("bottom_field_pic_order_in_frame_present_flag")
    if r.ue() != 0:
        raise Unsupported("slice groups")
    refs = r.ue() + 1
    r.ue()  # num_ref_idx_l1_default_active_minus1
    weighted = bool(r.u(1))
    r.u(2)  # weighted_bipred_idc
    qp = 26 + r.se()
    r.se(), r.se()  # pic_init_qs_minus26, chroma_qp_index_offset
    deblocking_control = bool(r.u(1))
    r.u(1)  # constrained_intra_pred_flag
    redundant = bool(r.u(1))
    return Params(
        sps["log2_max_frame_num"], bool(sps["chroma"]), sps["macroblocks"], pps_id, cabac, weighted, refs, qp,
        deblocking_control, redundant,
    )  # fmt: skip


# The arithmetic coder's tables (9.3.3.2.1.1, Table 9-44; 9.3.3.2.2, Table 9-45).
RANGE_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205), (116, 142, 169, 195),
    (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166), (95, 116, 137, 158), (90, 110, 130, 150),
    (85, 104, 123, 142), (81, 99, 117, 135), (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116),
    (66, 80, 95, 110), (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89), (51, 62, 73, 85),
    (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72), (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62),
    (35, 43, 51, 59), (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48), (27, 33, 39, 45),
    (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39), (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33),
    (19, 23, 27, 31), (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25), (14, 18, 21, 24),
    (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21), (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18),
    (10, 12, 15, 17), (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14), (8, 9, 11, 13),
    (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11), (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)  # fmt: skip
NEXT_LPS = (
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12, 13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23,
    24, 24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33, 33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37,
    37, 37, 38, 38, 63,
)  # fmt: skip
#: mb_skip_flag's first context in a P slice (ctxIdx 11) with cabac_init_idc 0: (m, n) (9.3.1.1, Table 9-13).
SKIP_FLAG_INIT = (23, 33)


class Cabac:
    """H.264's arithmetic encoder (9.3.4), enough for a slice of skip flags: decisions in one context and the
    end-of-slice bin."""

    def __init__(self, out: BitWriter, qp: int, m: int, n: int):
        self.out, self.low, self.range, self.first, self.outstanding = out, 0, 510, True, 0
        pre = max(1, min(126, ((m * max(0, min(51, qp))) >> 4) + n))
        self.state, self.mps = (63 - pre, 0) if pre <= 63 else (pre - 64, 1)

    def decision(self, bin_: int) -> None:
        lps = RANGE_LPS[self.state][(self.range >> 6) & 3]
        self.range -= lps
        if bin_ == self.mps:
            self.state = min(self.state + 1, 62)
        else:
            self.low += self.range
            self.range = lps
            if self.state == 0:
                self.mps = 1 - self.mps
            self.state = NEXT_LPS[self.state]
        self._renorm()

    def terminate(self, bin_: int) -> None:
        self.range -= 2
        if bin_:
            self.low += self.range
            self.range = 2  # the flush (9.3.4.5)
            self._renorm()
            self._put((self.low >> 9) & 1)
            self.out.u(2, ((self.low >> 7) & 3) | 1)  # its last bit is the rbsp_stop_one_bit
        else:
            self._renorm()

    def _renorm(self) -> None:
        while self.range < 256:
            if self.low < 256:
                self._put(0)
            elif self.low >= 512:
                self.low -= 512
                self._put(1)
            else:
                self.low -= 256
                self.outstanding += 1
            self.range <<= 1
            self.low <<= 1

    def _put(self, bit: int) -> None:
        if self.first:
            self.first = False
        else:
            self.out.u(1, bit)
        self.out.bits.extend([1 - bit] * self.outstanding)
        self.outstanding = 0


def skipped_slice(params: Params, frame_num: int) -> bytes:
    """A whole P picture of skipped macroblocks, as one escaped NAL unit (with its header byte, no start code): a
    reference picture, so that the stream's next picture predicts from it as from the one it repeats."""
    w = BitWriter()
    w.u(8, 0x41)  # nal_ref_idc 2, a non-IDR slice
    w.ue(0)  # first_mb_in_slice
    w.ue(P_ONLY)
    w.ue(params.pps_id)
    w.u(params.log2_max_frame_num, frame_num)
    if params.redundant_pic_cnt:
        w.ue(0)
    w.u(1, 0)  # num_ref_idx_active_override_flag
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    if params.weighted:  # pred_weight_table: default weights
        w.ue(0)
        if params.chroma:
            w.ue(0)
        for _ in range(params.refs):
            w.u(1, 0)
            if params.chroma:
                w.u(1, 0)
    w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: the sliding window
    if params.cabac:
        w.ue(0)  # cabac_init_idc
    w.se(0)  # slice_qp_delta
    if params.deblocking_control:
        w.ue(1)  # disable_deblocking_filter_idc: nothing to filter in a copy
    if params.cabac:
        w.align(1)  # cabac_alignment_one_bit
        coder = Cabac(w, params.qp, *SKIP_FLAG_INIT)
        # Every neighbour is skipped or outside the picture, so every skip flag has context 11 (ctxIdxInc 0).
        for mb in range(params.macroblocks):
            coder.decision(1)
            coder.terminate(int(mb == params.macroblocks - 1))
    else:
        w.ue(params.macroblocks)  # mb_skip_run
        w.u(1, 1)  # rbsp_stop_one_bit
    w.align(0)
    return escape(w.bytes())


def with_frame_num(nal: bytes, params: Params, frame_num: int) -> bytes:
    """A slice NAL unit (header byte first, escaped) with its frame_num replaced; the rest as it was."""
    rbsp = bytearray(unescape(nal))
    r = BitReader(bytes(rbsp))
    r.pos = 8
    r.ue(), r.ue(), r.ue()  # first_mb_in_slice, slice_type, pic_parameter_set_id
    for i in range(params.log2_max_frame_num):
        pos, bit = r.pos + i, (frame_num >> (params.log2_max_frame_num - 1 - i)) & 1
        mask = 1 << (7 - (pos & 7))
        rbsp[pos >> 3] = (rbsp[pos >> 3] | mask) if bit else (rbsp[pos >> 3] & ~mask)
    return escape(bytes(rbsp))


#: A mark in the Repeater's queue: the last GOP again.
AGAIN = -1


class Repeater:
    """x264's Annex B stream in (``feed``), the same stream out to ``write`` with each picture followed by its
    repeats as skipped pictures, and x264's pictures numbered (``frame_num``) in the stream written.

    ``repeat(n)``, called once per picture in the order they are sent to the encoder (before it gives the
    picture out), says how many frames the picture lasts; ``again()``, in the same order, writes the last GOP
    again, byte for byte (a hold: the GOP is an IDR picture and its repeats, so it decodes the same anywhere).
    ``pictures`` counts the encoder's pictures seen, ``frames`` the frames written."""

    def __init__(self, write: Callable[[bytes], object], on_picture: Callable[[], None] = lambda: None):
        self._write, self._on_picture = write, on_picture
        self._buffer = bytearray()
        self._queue: collections.deque[int] = collections.deque()
        self._sps: dict[str, int] | None = None
        self._params: Params | None = None
        self._skips: dict[int, bytes] = {}
        self._frame_num = 0  # of the last picture written
        self._gop: list[bytes] | None = None  # the pictures written since the last IDR, while none came between
        self.pictures = self.frames = 0

    def repeat(self, frames: int) -> None:
        if frames < 1:
            raise ValueError(f"a picture lasts at least one frame, not {frames}")
        self._queue.append(frames)

    def again(self) -> None:
        self._queue.append(AGAIN)

    def feed(self, data: bytes) -> None:
        self._buffer += data
        start = self._buffer.find(START)
        if start < 0:
            return
        while True:
            end = self._buffer.find(START, start + 3)
            if end < 0:
                break
            self._nal(bytes(self._buffer[start + 3 : end]).rstrip(b"\x00"))  # a 4-byte start code's first zero
            start = end
        del self._buffer[:start]

    def end(self) -> None:
        """x264's stream has ended: its last NAL unit out, and any GOP still to write again."""
        if self._buffer.startswith(START):
            self._nal(bytes(self._buffer[3:]))
        elif self._buffer.strip(b"\x00"):
            raise Unsupported("data before the stream's first start code")
        self._buffer.clear()
        self._replay()
        if self._queue:
            raise Unsupported(f"{len(self._queue)} pictures sent to the encoder never came out")

    def _nal(self, nal: bytes) -> None:
        kind = nal[0] & 0x1F
        if kind == SPS:
            self._sps = read_sps(unescape(nal[1:]))
        elif kind == PPS:
            if self._sps is None:
                raise Unsupported("a PPS before any SPS")
            params = read_pps(unescape(nal[1:]), self._sps)
            if params != self._params:
                self._params, self._skips = params, {}
        elif kind in (IDR, SLICE):
            self._picture(nal, kind)
            return
        self._write(START + nal)

    def _picture(self, nal: bytes, kind: int) -> None:
        params = self._params
        if params is None:
            raise Unsupported("a slice before any PPS")
        self._replay()
        if not self._queue:
            raise Unsupported("a picture out of the encoder that was never sent")
        if kind == IDR:
            self._frame_num, self._gop = 0, []
        else:
            r = BitReader(unescape(nal[:16]))
            r.pos = 8
            if r.ue() != 0:
                raise Unsupported("more than one slice a picture")
            r.ue(), r.ue()
            own, self._frame_num = r.u(params.log2_max_frame_num), (self._frame_num + 1) % params.max_frame_num
            if own != self._frame_num:
                nal = with_frame_num(nal, params, self._frame_num)
            self._gop = None
        self._put(START + nal)
        for _ in range(self._queue.popleft() - 1):
            self._frame_num = (self._frame_num + 1) % params.max_frame_num
            skip = self._skips.get(self._frame_num)
            if skip is None:
                skip = self._skips[self._frame_num] = skipped_slice(params, self._frame_num)
            self._put(START + skip)
        self.pictures += 1
        self._on_picture()
        self._replay()

    def _put(self, picture: bytes) -> None:
        self._write(picture)
        self.frames += 1
        if self._gop is not None:
            self._gop.append(picture)

    def _replay(self) -> None:
        """The GOPs asked for again before the next picture: the last one's pictures, written again."""
        while self._queue and self._queue[0] == AGAIN:
            self._queue.popleft()
            if not self._gop:
                raise Unsupported("a GOP asked for again after a picture that was not an IDR's GOP")
            for picture in self._gop:
                self._write(picture)
            self.frames += len(self._gop)
