"""Plex's library: the three sections the homelab has and how a scan turns imported files into items.

Items are keyed by `ratingKey` (an integer Plex assigns in scan order); each carries Plex's own
`plex://<type>/<id>` guid and the external ids of the agents (`imdb://`, `tmdb://`, `tvdb://`, `mbid://`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from openclaw.sandbox.media.state import MediaState, PlexItem, PlexPending, PlexType


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    title: str
    type: str
    root: str
    agent: str
    scanner: str
    uuid: str


SECTIONS = {
    1: Section(1, "Movies", "movie", "/movies", "tv.plex.agents.movie", "Plex Movie", "5b1e2c4f-6a3d-4e8b-9c7a-1f2e3d4c5b6a"),
    2: Section(2, "TV Shows", "show", "/tv", "tv.plex.agents.series", "Plex TV Series", "7d3f4a5b-8c9e-4f0a-b1c2-3d4e5f6a7b8c"),
    3: Section(3, "Music", "artist", "/music", "tv.plex.agents.music", "Plex Music", "9f5a6b7c-0d1e-4a2b-8c3d-4e5f6a7b8c9d"),
}
SECTION_OF_KIND = {"movie": 1, "series": 2, "album": 3}


def section_for(kind: str) -> int:
    return SECTION_OF_KIND[kind]


def _plex_guid(kind: PlexType, key: str) -> str:
    return f"plex://{kind}/{hashlib.md5(f'{kind}:{key}'.encode()).hexdigest()[:24]}"


def _get_or_add(state: MediaState, kind: PlexType, title: str, section: int, path: str, guids: list[str], now: datetime,
                *, year: int | None = None, parent: int | None = None, index: int | None = None) -> PlexItem:
    for item in state.plex_items.values():
        if item.type == kind and item.path == path and item.parent_key == parent and item.index == index:
            return item
    key = next(state.plex_keys)
    item = PlexItem(key, kind, title, section, _plex_guid(kind, f"{path}:{index}"), guids, path, now, year, parent, index)
    state.plex_items[key] = item
    return item


def add(state: MediaState, pending: PlexPending, now: datetime) -> PlexItem:
    """Scan one imported file into the library; returns the leaf item (movie, episode or album)."""
    if pending.kind == "movie":
        movie = state.movies[pending.owner_id]
        m = movie.title
        return _get_or_add(state, "movie", m.title, 1, movie.path, [f"imdb://{m.imdb_id}", f"tmdb://{m.tmdb_id}"], now, year=m.year)
    if pending.kind == "series":
        series = state.series[pending.owner_id]
        t = series.title
        show = _get_or_add(state, "show", t.title, 2, series.path, [f"imdb://{t.imdb_id}", f"tmdb://{t.tmdb_id}", f"tvdb://{t.tvdb_id}"],
                           now, year=t.year)
        season = _get_or_add(state, "season", f"Season {pending.season}", 2, f"{series.path}/Season {pending.season:02d}", [], now,
                             parent=show.rating_key, index=pending.season)
        return _get_or_add(state, "episode", f"Episode {pending.episode}", 2, season.path, [], now, year=t.year,
                           parent=season.rating_key, index=pending.episode)
    album = state.albums[pending.owner_id]
    artist = state.artists[album.artist_id]
    artist_item = _get_or_add(state, "artist", artist.title.name, 3, artist.path, [f"mbid://{artist.title.mb_id}"], now)
    return _get_or_add(state, "album", album.title.title, 3, f"{artist.path}/{album.title.title} ({album.title.year})",
                       [f"mbid://{album.title.mb_id}"], now, year=album.title.year, parent=artist_item.rating_key)


def children(state: MediaState, rating_key: int) -> list[PlexItem]:
    return sorted((i for i in state.plex_items.values() if i.parent_key == rating_key), key=lambda i: (i.index or 0, i.rating_key))


def leaves(state: MediaState, rating_key: int) -> list[PlexItem]:
    """Every playable item under an item: a show's episodes, an artist's albums."""
    out: list[PlexItem] = []
    for child in children(state, rating_key):
        below = children(state, child.rating_key)
        out.extend(leaves(state, child.rating_key) if below else [child])
    return out
