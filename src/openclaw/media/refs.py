"""`MediaTarget`: what a media action is aimed at, an item as one app instance holds it.

Key `<app>/<item id>` (`radarr/movie:tmdb:438631`, `qbittorrent/tv:tvdb:371980`): rate limits,
cooldowns, in-flight checks, approvals and the audit log all use it; the scope is the app instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GUID_SCHEMES = {"tmdb": "tmdb", "tvdb": "tvdb", "mb": "mbid"}
ITEM_ID = re.compile(r"^(movie|tv|music):(tmdb|tvdb|mb):[A-Za-z0-9-]+$")


@dataclass(frozen=True, slots=True)
class MediaTarget:
    app: str
    item: str

    @property
    def key(self) -> str:
        return f"{self.app}/{self.item}"

    @property
    def scope(self) -> str:
        return self.app

    @property
    def kind(self) -> str:
        return self.item.split(":", 1)[0]

    @property
    def external(self) -> str:
        """The external id as written: a tmdb or tvdb number, a MusicBrainz uuid."""
        return self.item.rsplit(":", 1)[1]

    @property
    def external_id(self) -> int:
        """The tmdb id of a movie, the tvdb id of a series."""
        return int(self.external)

    @property
    def guid(self) -> str:
        """The external id as a media server's agents write it (`tmdb://603`, `tvdb://371980`, `mbid://<uuid>`)."""
        return f"{GUID_SCHEMES[self.item.split(':')[1]]}://{self.external}"

    def __str__(self) -> str:
        return self.key

    @classmethod
    def parse(cls, text: str) -> MediaTarget:
        app, sep, item = text.partition("/")
        if not sep or not app or not ITEM_ID.match(item):
            raise ValueError(f"expected <app>/<item id> such as radarr/movie:tmdb:438631, got {text!r}")
        return cls(app, item)
