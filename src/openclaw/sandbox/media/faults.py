"""Media faults a scenario can inject; each names the titles it hits by a case-insensitive substring."""

from __future__ import annotations

from dataclasses import dataclass, field

# SABnzbd's own post-processing failures (sabnzbd/newsunpack.py).
PASSWORD_REQUIRED = "Unpacking failed, archive requires a password"
REPAIR_FAILED = "Repair failed, not enough repair blocks ({short} short)"


@dataclass(frozen=True, slots=True)
class UsenetFailure:
    message: str = PASSWORD_REQUIRED
    retry_fails: bool = False  # SABnzbd's retry of the job fails again with the same message


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
    # title substring -> (how many more grabs of it go to SABnzbd and fail there, how they fail)
    usenet_failed: dict[str, tuple[int, UsenetFailure]] = field(default_factory=dict)
    # title substring -> how many more Lidarr imports of it leave tracks rejected (importFailed)
    incomplete_import: dict[str, int] = field(default_factory=dict)
    # title substring -> how many more imports of it Plex is never told about (missing until a refresh)
    plex_missing: dict[str, int] = field(default_factory=dict)
    # title substrings Seerr's periodic availability sync does not notice in the library (only a run
    # of its library scan job does), as when the scan runs hourly and the sync has missed it
    seerr_sync_miss: set[str] = field(default_factory=set)

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
    def take_usenet_failure(self, title: str) -> UsenetFailure | None:
        key = self._match({k for k, (n, _) in self.usenet_failed.items() if n > 0}, title)
        if key is None:
            return None
        count, failure = self.usenet_failed[key]
        self.usenet_failed[key] = (count - 1, failure)
        return failure

    def add_usenet_failure(self, title: str, count: int, failure: UsenetFailure) -> None:
        self.usenet_failed[title] = (self.usenet_failed.get(title, (0, failure))[0] + count, failure)

    def take_incomplete_import(self, title: str) -> bool:
        return self._take(self.incomplete_import, title)

    def take_plex_missing(self, title: str) -> bool:
        return self._take(self.plex_missing, title)

    def misses_seerr_sync(self, title: str) -> bool:
        return self._match(self.seerr_sync_miss, title) is not None

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
