"""The simulated indexers behind Prowlarr: deterministic releases for every catalog title."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from openclaw.sandbox.media.catalog import Catalog, MovieTitle, SeriesTitle
from openclaw.sandbox.media.state import Release


@dataclass(frozen=True, slots=True)
class Indexer:
    id: int
    name: str
    group: str
    quality_id: int
    quality: str
    resolution: int
    source: str
    seeders: int
    enabled: bool = True


# Quality ids are Sonarr's/Radarr's own (WEBDL-1080p is 3, Bluray-1080p is 7, WEBDL-2160p is 18).
INDEXERS = (
    Indexer(1, "TorrentLeech", "NTb", 3, "WEBDL-1080p", 1080, "web", 212),
    Indexer(2, "IPTorrents", "FLUX", 3, "WEBDL-1080p", 1080, "web", 87),
    Indexer(3, "Nyaa", "HONE", 7, "Bluray-1080p", 1080, "bluray", 15),
)


def _guid(indexer: Indexer, title: str) -> str:
    return f"https://{indexer.name.lower()}.example/torrent/{hashlib.sha1(title.encode()).hexdigest()[:12]}"


def info_hash(release: Release) -> str:
    """The 40-hex info hash a download client reports for this release."""
    return hashlib.sha1(release.guid.encode()).hexdigest()


def _dotted(name: str) -> str:
    return "".join(c if c.isalnum() else "." for c in name).strip(".").replace("..", ".")


def series_releases(title: SeriesTitle, season: int, episode: int | None = None) -> list[Release]:
    tag = f"S{season:02d}" + (f"E{episode:02d}" if episode is not None else "")
    count = 1 if episode is not None else title.seasons.get(season, 0)
    out = []
    for idx in INDEXERS:
        if not idx.enabled:
            continue
        name = f"{_dotted(title.title)}.{tag}.{idx.resolution}p.{'WEB-DL.DDP5.1' if idx.source == 'web' else 'BluRay.x264'}.H.264-{idx.group}"
        out.append(
            Release(
                guid=_guid(idx, name), title=name, indexer_id=idx.id, indexer=idx.name,
                size=count * 1_400_000_000, quality_id=idx.quality_id, quality=idx.quality,
                resolution=idx.resolution, source=idx.source, seeders=idx.seeders, kind="series",
                external_id=title.tvdb_id, season=season, episode=episode, group=idx.group,
            )
        )
    return sorted(out, key=lambda r: -r.seeders)


def movie_releases(title: MovieTitle) -> list[Release]:
    out = []
    for idx in INDEXERS:
        if not idx.enabled:
            continue
        quality_id = 7 if idx.source == "bluray" else 3
        name = f"{_dotted(title.title)}.{title.year}.{idx.resolution}p.{'WEB-DL.DDP5.1' if idx.source == 'web' else 'BluRay.x264'}-{idx.group}"
        out.append(
            Release(
                guid=_guid(idx, name), title=name, indexer_id=idx.id, indexer=idx.name,
                size=title.runtime * 60_000_000, quality_id=quality_id, quality=idx.quality,
                resolution=idx.resolution, source=idx.source, seeders=idx.seeders, kind="movie",
                external_id=title.tmdb_id, group=idx.group,
            )
        )
    return sorted(out, key=lambda r: -r.seeders)


def search(catalog: Catalog, query: str) -> list[Release]:
    """Free-text search as Prowlarr's /api/v1/search runs it across every indexer."""
    series, movies = catalog.search(query)
    out: list[Release] = []
    for s in series:
        for season in s.seasons:
            out.extend(series_releases(s, season))
    for m in movies:
        out.extend(movie_releases(m))
    return out
