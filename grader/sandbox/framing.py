"""Reading the sandbox's replies: one protocol frame at a time, and its output up to a cap."""

from __future__ import annotations

from attn_practice.grader.sandbox import protocol


class FrameReader:
    """Incremental parser for one protocol frame."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.head_len: int | None = None
        self.sizes: list[int] = []

    def feed(self, chunk: bytes) -> tuple[dict, list[bytes]] | None:
        self.buf += chunk
        if self.head_len is None:
            if len(self.buf) < 8:
                return None
            self.head_len, count = protocol.parse_prefix(bytes(self.buf[:8]))
            self.count = count
        need_sizes = 8 + 8 * self.count
        if len(self.buf) < need_sizes:
            return None
        if not self.sizes and self.count:
            self.sizes = protocol.parse_sizes(bytes(self.buf[8:need_sizes]), self.count)
        total = need_sizes + self.head_len + sum(self.sizes)
        if len(self.buf) < total:
            return None
        header = protocol.parse_header(bytes(self.buf[need_sizes:need_sizes + self.head_len]))
        pos = need_sizes + self.head_len
        buffers = []
        for size in self.sizes:
            buffers.append(bytes(self.buf[pos:pos + size]))
            pos += size
        return header, buffers


class OutputCap:
    def __init__(self, cap: int) -> None:
        self.cap, self.kept, self.dropped = cap, bytearray(), 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.kept)
        self.kept += chunk[:max(room, 0)]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output not shown]"
        return text

