"""The titles the simulated indexers know: a few series and movies with their public ids."""

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
class Catalog:
    series: tuple[SeriesTitle, ...] = field(default_factory=tuple)
    movies: tuple[MovieTitle, ...] = field(default_factory=tuple)

    def series_by_tvdb(self, tvdb_id: int) -> SeriesTitle | None:
        return next((s for s in self.series if s.tvdb_id == tvdb_id), None)

    def series_by_tmdb(self, tmdb_id: int) -> SeriesTitle | None:
        return next((s for s in self.series if s.tmdb_id == tmdb_id), None)

    def movie_by_tmdb(self, tmdb_id: int) -> MovieTitle | None:
        return next((m for m in self.movies if m.tmdb_id == tmdb_id), None)

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
)
