"""The titles the simulated indexers know: a few series, movies and artists with their public ids.

Artist ids are MusicBrainz's own; album (release-group) ids are made up for the sandbox
(uuid5 of the title), so a client must not rely on them resolving at MusicBrainz."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SeriesTitle:
    title: str
    year: int
    tvdb_id: int
    tmdb_id: int
    imdb_id: str
    network: str
    seasons: dict[int, int]  # season number -> episode count
    genres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MovieTitle:
    title: str
    year: int
    tmdb_id: int
    imdb_id: str
    studio: str
    runtime: int
    genres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlbumTitle:
    title: str
    year: int
    mb_id: str  # MusicBrainz release-group id (Lidarr's foreignAlbumId)
    tracks: int
    minutes: int


@dataclass(frozen=True, slots=True)
class ArtistTitle:
    name: str
    mb_id: str  # MusicBrainz artist id (Lidarr's foreignArtistId)
    artist_type: str
    albums: tuple[AlbumTitle, ...]
    genres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalog:
    series: tuple[SeriesTitle, ...] = field(default_factory=tuple)
    movies: tuple[MovieTitle, ...] = field(default_factory=tuple)
    artists: tuple[ArtistTitle, ...] = field(default_factory=tuple)

    def series_by_tvdb(self, tvdb_id: int) -> SeriesTitle | None:
        return next((s for s in self.series if s.tvdb_id == tvdb_id), None)

    def series_by_tmdb(self, tmdb_id: int) -> SeriesTitle | None:
        return next((s for s in self.series if s.tmdb_id == tmdb_id), None)

    def movie_by_tmdb(self, tmdb_id: int) -> MovieTitle | None:
        return next((m for m in self.movies if m.tmdb_id == tmdb_id), None)

    def artist_by_mbid(self, mb_id: str) -> ArtistTitle | None:
        return next((a for a in self.artists if a.mb_id == mb_id), None)

    def search_music(self, term: str) -> list[tuple[ArtistTitle, AlbumTitle | None]]:
        """Artists whose name, or albums whose title, hold the term (`lidarr:<mbid>` looks up an id)."""
        needle = term.lower().removeprefix("lidarr:").removeprefix("mbid:").strip()
        out: list[tuple[ArtistTitle, AlbumTitle | None]] = []
        for artist in self.artists:
            if needle in artist.name.lower() or needle == artist.mb_id:
                out.append((artist, None))
            out.extend((artist, album) for album in artist.albums if needle in album.title.lower() or needle == album.mb_id)
        return out

    def search(self, term: str) -> tuple[list[SeriesTitle], list[MovieTitle]]:
        needle = term.lower().removeprefix("tvdb:").removeprefix("tmdb:").strip()
        series = [s for s in self.series if needle in s.title.lower() or needle in (str(s.tvdb_id), str(s.tmdb_id))]
        movies = [m for m in self.movies if needle in m.title.lower() or needle in (str(m.tmdb_id), m.imdb_id)]
        return series, movies


DEFAULT_CATALOG = Catalog(
    series=(
        SeriesTitle("Severance", 2022, 371980, 95396, "tt11280740", "Apple TV+", {1: 9, 2: 10}, ("Drama", "Mystery")),
        SeriesTitle("The Expanse", 2015, 280619, 63639, "tt3230854", "Amazon", {1: 10, 2: 13}, ("Drama", "Science Fiction")),
        SeriesTitle("Slow Horses", 2022, 393443, 95480, "tt5875444", "Apple TV+", {1: 6}, ("Drama", "Thriller")),
        SeriesTitle("Andor", 2022, 393189, 83867, "tt9253284", "Disney+", {1: 12}, ("Drama", "Science Fiction")),
    ),
    movies=(
        MovieTitle("Dune", 2021, 438631, "tt1160419", "Legendary Pictures", 155, ("Science Fiction", "Adventure")),
        MovieTitle("Arrival", 2016, 329865, "tt2543164", "Paramount", 116, ("Drama", "Science Fiction")),
        MovieTitle("Blade Runner 2049", 2017, 335984, "tt1856101", "Alcon Entertainment", 164, ("Science Fiction",)),
        MovieTitle("The Martian", 2015, 286217, "tt3659388", "20th Century Fox", 144, ("Drama", "Science Fiction")),
        MovieTitle("Everything Everywhere All at Once", 2022, 545611, "tt6710474", "A24", 139, ("Action", "Comedy")),
    ),
    artists=(
        ArtistTitle("Radiohead", "a74b1b7f-71a5-4011-9441-d0b5e4122711", "Group", (
            AlbumTitle("OK Computer", 1997, "c0ea8290-0f30-595d-8475-054a5a3a8d7e", 12, 53),
            AlbumTitle("Kid A", 2000, "98ad947f-6a47-581a-ae05-2a5de986a5ad", 10, 49),
        ), ("Alternative Rock",)),
        ArtistTitle("Daft Punk", "056e4f3e-d505-4dad-8ec1-d04f521cbb56", "Group", (
            AlbumTitle("Discovery", 2001, "d6a59583-1fb2-5a30-b5c7-dda7278d2390", 14, 61),
            AlbumTitle("Random Access Memories", 2013, "730472e0-6c8c-5507-95eb-d5f3a0623847", 13, 74),
        ), ("Electronic",)),
        ArtistTitle("Boards of Canada", "69158f97-4c07-4c4e-baf8-4e4ab1ed666e", "Group", (
            AlbumTitle("Music Has the Right to Children", 1998, "97534bf4-3294-5719-b358-a2f7b6a62cce", 17, 70),
        ), ("Electronic", "Ambient")),
    ),
)
