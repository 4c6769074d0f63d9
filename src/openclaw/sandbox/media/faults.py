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

    @staticmethod
    def _match(keys: set[str] | dict[str, int], title: str) -> str | None:
        # Release names are dotted ("Slow.Horses.S01..."): compare words, not punctuation.
        low = _words(title)
        return next((k for k in keys if _words(k) in low), None)

    def take_stall(self, title: str) -> bool:
        return self._take(self.stall, title)

    def take_fail_import(self, title: str) -> bool:
        return self._take(self.fail_import, title)

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
