"""The simulated indexers behind Prowlarr: deterministic releases for every catalog title."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from openclaw.sandbox.media.catalog import AlbumTitle, ArtistTitle, Catalog, MovieTitle, SeriesTitle
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


# Newznab indexers the *arr apps query directly (not through Prowlarr): Lidarr's music comes from
# them, and a Sonarr/Radarr title whose best release is an NZB goes to SABnzbd.
USENET_INDEXERS = (
    Indexer(11, "NZBgeek", "", 0, "", 0, "web", 0),
    Indexer(12, "DrunkenSlug", "", 0, "", 0, "web", 0),
)
# Lidarr's quality ids (NzbDrone.Core/Qualities/Quality.cs): FLAC is 6, MP3-320 is 4.
MUSIC_QUALITIES = ((6, "FLAC", "WEB-FLAC", 30_000_000), (4, "MP3-320", "WEB-320", 2_400_000))


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


def album_releases(artist: ArtistTitle, album: AlbumTitle) -> list[Release]:
    """NZBs of an album from the usenet indexers, best quality first (size per minute of music)."""
    out = []
    for idx, (quality_id, quality, tag, bytes_per_minute) in zip(USENET_INDEXERS, MUSIC_QUALITIES, strict=True):
        name = f"{_dotted(artist.name)}-{_dotted(album.title)}-{tag}-{album.year}-{idx.name[:3].upper()}"
        out.append(Release(
            guid=_guid(idx, name), title=name, indexer_id=idx.id, indexer=idx.name, size=album.minutes * bytes_per_minute,
            quality_id=quality_id, quality=quality, resolution=0, source="web", seeders=0, kind="album", external_id=0,
            group=idx.name[:3].upper(), protocol="usenet", foreign_id=album.mb_id,
        ))
    return out


def usenet_variant(release: Release) -> Release:
    """The same release posted to usenet: what an indexer like NZBgeek offers next to the torrent."""
    idx = USENET_INDEXERS[0]
    return Release(
        guid=_guid(idx, release.title), title=release.title, indexer_id=idx.id, indexer=idx.name, size=release.size,
        quality_id=release.quality_id, quality=release.quality, resolution=release.resolution, source=release.source,
        seeders=0, kind=release.kind, external_id=release.external_id, season=release.season, episode=release.episode,
        group=release.group, protocol="usenet", foreign_id=release.foreign_id,
    )


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
