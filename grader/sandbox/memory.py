"""Peak memory of the sandbox process during one call (Linux /proc/self)."""

from __future__ import annotations

import os


class PeakMemory:
    """Peak resident memory of this process, resettable (Linux /proc/self/clear_refs)."""

    def __init__(self) -> None:
        try:
            self._clear = os.open("/proc/self/clear_refs", os.O_WRONLY)
        except OSError:
            self._clear = None

    def reset(self) -> int:
        """Reset the peak to the current resident size; return the anonymous memory in use."""
        if self._clear is not None:
            try:
                os.write(self._clear, b"5")
            except OSError:
                pass
        return self._status()["RssAnon"]

    def peak_extra(self, anon_before: int) -> int:
        """The most anonymous memory the call added (bytes).

        The kernel keeps the peak of all resident memory, which also counts torch's code
        pages mapped for the first time during the call. Those only ever grow during a
        call, so subtracting the file-backed pages afterwards leaves (a tight lower bound
        of) what the attempt itself allocated at its peak.
        """
        now = self._status()
        return max(0, now["VmHWM"] - now["RssFile"] - now["RssShmem"] - anon_before)

    @staticmethod
    def _status() -> dict[str, int]:
        values = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0, "RssShmem": 0}
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                name = line.split(":", 1)[0]
                if name in values:
                    values[name] = int(line.split()[1]) * 1024
        return values
