"""Media faults a scenario can inject; each names the titles it hits by a case-insensitive substring."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MediaFaults:
    # title substring -> how many more grabs of it stall (no peers, progress stops)
    stall: dict[str, int] = field(default_factory=dict)
    # title substring -> how many more completed downloads of it fail to import
    fail_import: dict[str, int] = field(default_factory=dict)
    # title substrings the indexers have no release for
    no_release: set[str] = field(default_factory=set)
    # how the next grabs of a title go wrong in the download client: title -> [(kind, count)], kind one of
    # "metadata" (the magnet never resolves), "errored" (an I/O error at 30 %), "missing-files" (the
    # files vanish at 30 %), "slow" (no more bytes after 20 %)
    download: dict[str, dict[str, int]] = field(default_factory=dict)
    # title substrings whose downloads are archives (RAR) that no import can take
    archive: set[str] = field(default_factory=set)
    # title substring -> how many more library scans miss the title
    library_miss: dict[str, int] = field(default_factory=dict)
    # title substring -> how many more hand-overs of its requests from Seerr to Sonarr/Radarr fail
    handoff_fail: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _match(keys: set[str] | dict[str, int], title: str) -> str | None:
        # Release names are dotted ("Slow.Horses.S01..."): compare words, not punctuation.
        low = _words(title)
        return next((k for k in keys if _words(k) in low), None)

    def take_stall(self, title: str) -> bool:
        return self._take(self.stall, title)

    def take_fail_import(self, title: str) -> bool:
        return self._take(self.fail_import, title)

    def take_download(self, title: str) -> str | None:
        for kind in ("metadata", "errored", "missing-files", "slow"):
            counts = {k: v.get(kind, 0) for k, v in self.download.items()}
            key = self._match({k for k, v in counts.items() if v > 0}, title)
            if key is not None:
                self.download[key][kind] -= 1
                return kind
        return None

    def is_archive(self, title: str) -> bool:
        return self._match(self.archive, title) is not None

    def take_library_miss(self, title: str) -> bool:
        return self._take(self.library_miss, title)

    def take_handoff_fail(self, title: str) -> bool:
        return self._take(self.handoff_fail, title)

    def has_no_release(self, title: str) -> bool:
        return self._match(self.no_release, title) is not None

    def _take(self, counts: dict[str, int], title: str) -> bool:
        key = self._match({k for k, v in counts.items() if v > 0}, title)
        if key is None:
            return False
        counts[key] -= 1
        return True


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
