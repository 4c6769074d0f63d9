"""Media tracker poll cost: one poll cycle of every app at 10,000 tracked items, and the idle cost at 500.

A child process serves every app the poller reads (Radarr v3, Sonarr v3, Lidarr v1, qBittorrent,
SABnzbd, Seerr, Jellyfin, Plex), each under its own path prefix on one loopback port, with bodies
in the apps' documented shapes and sizes near the real ones (library records with images, ratings,
statistics). The gateway side runs in this process, as the gateway does: the real clients (httpx,
paging, JSON decoding), the real poller, and the tracker in a real SQLite event database (WAL).
The figures are this process's CPU time (`time.process_time`, every thread: the SQLite writer
thread too) per cycle after a warm-up cycle that creates the rows, the peak Python heap during one
cycle (tracemalloc) and the process's peak RSS. Idle cost: CPU per cycle at 500 items over the
default `media.pollInterval` (60 s), plus the process's CPU while it waits between polls.
Results go into the "Media tracker" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Media tracker"
KEY = "bench-media-key-0123456789abcdef"
POLL_INTERVAL_S = 60.0  # media.pollInterval's default
MIB = 1024 * 1024
KINDS = {"radarr": "radarr", "sonarr": "sonarr", "lidarr": "lidarr", "qbittorrent": "qbittorrent", "sabnzbd": "sabnzbd",
         "jellyseerr": "jellyseerr", "jellyfin": "jellyfin", "plex": "plex"}


# ---- the apps' bodies (child process) ------------------------------------------------------------


def split(n: int) -> tuple[int, int, int]:
    """Movies, series, artists for n tracked items (40 %, 40 %, 20 %)."""
    movies, series = n * 2 // 5, n * 2 // 5
    return movies, series, n - movies - series


def images(kind: str, n: int) -> list[dict[str, Any]]:
    return [{"coverType": t, "url": f"/MediaCover/{n}/{t}.jpg?lastWrite=638612345678901234", "remoteUrl": f"https://image.tmdb.org/t/p/original/{kind}{n}{t}.jpg"}
            for t in ("poster", "fanart", "banner")]


def bodies(n: int) -> dict[str, Any]:
    movies, series, artists = split(n)
    out: dict[str, Any] = {}
    out["radarr/movie"] = [{
        "id": i, "title": f"Movie {i}", "originalTitle": f"Movie {i}", "sortTitle": f"movie {i}", "year": 1990 + i % 35, "tmdbId": 100_000 + i,
        "imdbId": f"tt{1_000_000 + i}", "monitored": True, "hasFile": i % 20 != 0, "path": f"/movies/Movie {i} ({1990 + i % 35})",
        "qualityProfileId": 1, "status": "released", "overview": "A film. " * 20, "images": images("m", i), "genres": ["Drama", "Thriller"],
        "ratings": {"imdb": {"votes": 1000 + i, "value": 7.1}, "tmdb": {"votes": 500 + i, "value": 7.0}}, "sizeOnDisk": 8_000_000_000,
        "runtime": 120, "added": "2025-01-01T00:00:00Z", "tags": [], "statistics": {"movieFileCount": 1, "sizeOnDisk": 8_000_000_000}}
        for i in range(1, movies + 1)]
    out["sonarr/series"] = [{
        "id": i, "title": f"Series {i}", "sortTitle": f"series {i}", "year": 2000 + i % 25, "tvdbId": 300_000 + i, "tmdbId": 60_000 + i,
        "imdbId": f"tt{2_000_000 + i}", "monitored": True, "path": f"/tv/Series {i}", "status": "continuing", "overview": "A show. " * 20,
        "images": images("s", i), "genres": ["Drama"], "seasons": [{"seasonNumber": s, "monitored": True, "statistics": {"episodeFileCount": 10, "episodeCount": 10}}
                                                                   for s in (1, 2, 3)],
        "ratings": {"votes": 100 + i, "value": 8.0}, "added": "2025-01-01T00:00:00Z", "tags": [],
        "statistics": {"seasonCount": 3, "episodeFileCount": 30 if i % 20 else 28, "episodeCount": 30, "totalEpisodeCount": 30, "sizeOnDisk": 40_000_000_000}}
        for i in range(1, series + 1)]
    out["lidarr/artist"] = [{
        "id": i, "artistName": f"Artist {i}", "foreignArtistId": f"00000000-0000-4000-8000-{i:012d}", "mbId": f"00000000-0000-4000-8000-{i:012d}",
        "monitored": True, "path": f"/music/Artist {i}", "status": "continuing", "overview": "A band. " * 10, "images": images("a", i), "genres": ["Rock"],
        "added": "2025-01-01T00:00:00Z", "tags": [],
        "statistics": {"albumCount": 5, "trackFileCount": 50 if i % 20 else 40, "trackCount": 50, "totalTrackCount": 50, "sizeOnDisk": 3_000_000_000}}
        for i in range(1, artists + 1)]
    # Every 20th item is downloading: half over qBittorrent, half over SABnzbd.
    queues: dict[str, list[dict[str, Any]]] = {"radarr": [], "sonarr": [], "lidarr": []}
    torrents: list[dict[str, Any]] = []
    slots: list[dict[str, Any]] = []
    for app, count, owner in (("radarr", movies, "movieId"), ("sonarr", series, "seriesId"), ("lidarr", artists, "artistId")):
        for i in range(20, count + 1, 20):
            usenet = (i // 20) % 2 == 0
            download_id = f"SABnzbd_nzo_{app}{i:08d}" if usenet else f"{hash((app, i)) & (2**160 - 1):040X}"
            queues[app].append({
                "id": len(queues[app]) + 1, owner: i, "downloadId": download_id, "protocol": "usenet" if usenet else "torrent",
                "title": f"{app} release {i}", "size": 4_000_000_000, "sizeleft": 1_000_000_000, "status": "downloading", "trackedDownloadStatus": "ok",
                "trackedDownloadState": "downloading", "statusMessages": [], "downloadClient": "SABnzbd" if usenet else "qBittorrent",
                "outputPath": f"/downloads/incomplete/{app} release {i}", "indexer": "Indexer", "timeleft": "00:10:00",
                "estimatedCompletionTime": "2026-12-01T00:10:00Z", "quality": {"quality": {"id": 7, "name": "Bluray-1080p"}}})
            if usenet:
                slots.append({"index": len(slots), "nzo_id": download_id, "filename": f"{app} release {i}", "status": "Downloading", "cat": app,
                              "mb": "3814.70", "mbleft": "953.67", "percentage": "75", "size": "3.7 GB", "sizeleft": "953.7 MB", "timeleft": "0:10:00",
                              "priority": "Normal", "labels": [], "password": ""})
            else:
                torrents.append({"hash": download_id.lower(), "name": f"{app} release {i}", "state": "downloading", "progress": 0.75,
                                 "size": 4_000_000_000, "total_size": 4_000_000_000, "completed": 3_000_000_000, "amount_left": 1_000_000_000,
                                 "dlspeed": 5_000_000, "num_seeds": 12, "private": False, "tags": "", "category": app, "tracker": "https://tracker/announce",
                                 "content_path": f"/downloads/incomplete/{app} release {i}", "added_on": 1764547200, "eta": 200, "ratio": 0.0})
    for app, records in queues.items():
        out[f"{app}/queue"] = records
    out["qbittorrent/torrents"] = torrents
    out["sabnzbd/queue"] = {"queue": {"status": "Downloading", "paused": False, "noofslots": len(slots), "slots": slots, "speed": "50 M", "version": "4.5.1"}}
    history = [{"nzo_id": f"SABnzbd_nzo_done{i:08d}", "name": f"done {i}", "status": "Completed", "fail_message": "", "bytes": 4_000_000_000,
                "downloaded": 4_000_000_000, "category": "movies", "storage": f"/downloads/complete/done {i}", "completed": 1764547200,
                "stage_log": [{"name": "Unpack", "actions": ["Unpacked 1 files/folders in 4 seconds"]}]} for i in range(250)]
    out["sabnzbd/history"] = {"history": {"noofslots": len(history), "slots": history, "last_history_update": 7}}
    out["sabnzbd/history_failed"] = {"history": {"noofslots": 0, "slots": [], "last_history_update": 7}}
    # Seerr: the newest 1000 requests (the client's limit), of movies and series the *arr apps hold.
    out["seerr/requests"] = [{"id": i, "status": 2, "type": "movie" if i % 2 else "tv", "createdAt": "2026-11-01T00:00:00.000Z",
                              "media": {"id": i, "status": 5, "tmdbId": 100_000 + i if i % 2 else 60_000 + i, "tvdbId": None if i % 2 else 300_000 + i,
                                        "jellyfinMediaId": f"{i:032x}"},
                              "requestedBy": {"id": 1, "displayName": "alice"}, "seasons": []} for i in range(1, min(1000, n // 10) + 1)]
    jelly = [{"Name": f"Movie {i}", "Id": f"{i:032x}", "Type": "Movie", "ProviderIds": {"Tmdb": str(100_000 + i), "Imdb": f"tt{1_000_000 + i}"},
              "Path": f"/movies/Movie {i}"} for i in range(1, movies + 1) if i % 20]
    jelly += [{"Name": f"Series {i}", "Id": f"{i + 10**6:032x}", "Type": "Series", "ProviderIds": {"Tvdb": str(300_000 + i), "Tmdb": str(60_000 + i)},
               "Path": f"/tv/Series {i}"} for i in range(1, series + 1)]
    out["jellyfin/items"] = {"Items": jelly, "TotalRecordCount": len(jelly), "StartIndex": 0}
    plex_movies = [{"ratingKey": str(i), "key": f"/library/metadata/{i}", "type": "movie", "title": f"Movie {i}", "year": 1990 + i % 35,
                    "Guid": [{"id": f"imdb://tt{1_000_000 + i}"}, {"id": f"tmdb://{100_000 + i}"}]} for i in range(1, movies + 1) if i % 20]
    plex_shows = [{"ratingKey": str(10**6 + i), "type": "show", "title": f"Series {i}", "Guid": [{"id": f"tvdb://{300_000 + i}"}, {"id": f"tmdb://{60_000 + i}"}]}
                  for i in range(1, series + 1)]
    plex_artists = [{"ratingKey": str(2 * 10**6 + i), "type": "artist", "title": f"Artist {i}", "Guid": [{"id": f"mbid://00000000-0000-4000-8000-{i:012d}"}]}
                    for i in range(1, artists + 1) if i % 20]
    out["plex/sections"] = {"MediaContainer": {"size": 3, "Directory": [
        {"key": "1", "type": "movie", "title": "Movies", "Location": [{"id": 1, "path": "/movies"}]},
        {"key": "2", "type": "show", "title": "TV Shows", "Location": [{"id": 2, "path": "/tv"}]},
        {"key": "3", "type": "artist", "title": "Music", "Location": [{"id": 3, "path": "/music"}]}]}}
    for key, items in (("1", plex_movies), ("2", plex_shows), ("3", plex_artists)):
        out[f"plex/section/{key}"] = {"MediaContainer": {"size": len(items), "Metadata": items}}
    return out


def serve(n: int, port_file: Path) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    data = {k: json.dumps(v).encode() for k, v in bodies(n).items()}
    raw = bodies(n)

    def js(body: bytes) -> Response:
        return Response(body, media_type="application/json")

    def paged(key: str, request: Request) -> Response:
        records = raw[key]
        page, size = int(request.query_params.get("page", 1)), int(request.query_params.get("pageSize", 10))
        chunk = records[(page - 1) * size: page * size]
        return js(json.dumps({"page": page, "pageSize": size, "totalRecords": len(records), "records": chunk}).encode())

    async def route(request: Request) -> Response:
        path = request.url.path
        app, _, rest = path.strip("/").partition("/")
        if app in ("radarr", "sonarr", "lidarr"):
            if rest.endswith("/queue"):
                return paged(f"{app}/queue", request)
            if rest.endswith("/history/since") or rest.endswith("/health"):
                return js(b"[]")
            return js(data[{"radarr": "radarr/movie", "sonarr": "sonarr/series", "lidarr": "lidarr/artist"}[app]])
        if app == "qbittorrent":
            if rest.endswith("auth/login"):
                return Response("Ok.", headers={"set-cookie": "SID=bench; path=/"})
            return js(data["qbittorrent/torrents"])
        if app == "sabnzbd":
            mode = request.query_params.get("mode")
            if mode == "queue":
                return js(data["sabnzbd/queue"])
            return js(data["sabnzbd/history_failed" if request.query_params.get("failed_only") else "sabnzbd/history"])
        if app == "jellyseerr":
            take, skip = int(request.query_params.get("take", 100)), int(request.query_params.get("skip", 0))
            results = raw["seerr/requests"][skip: skip + take]
            return js(json.dumps({"pageInfo": {"pages": 10, "pageSize": take, "results": len(raw["seerr/requests"]), "page": skip // take + 1},
                                  "results": results}).encode())
        if app == "jellyfin":
            return js(data["jellyfin/items"])
        if app == "plex":
            if rest == "library/sections":
                return js(data["plex/sections"])
            return js(data[f"plex/section/{rest.split('/')[2]}"])
        return Response(status_code=404)

    app = Starlette(routes=[Route("/{path:path}", route, methods=["GET", "POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port_file.write_text(str(sock.getsockname()[1]))
    uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off")).run(sockets=[sock])


# ---- the gateway side (this process) -------------------------------------------------------------


async def measure(n: int, cycles: int, idle_s: float) -> dict[str, Any]:
    from openclaw.config.schema import MediaSettings
    from openclaw.events.db import Database
    from openclaw.media import timelines, tracker
    from openclaw.media.clients.registry import MediaClients, build
    from openclaw.media.poller import Poller

    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        child = subprocess.Popen([sys.executable, __file__, "--serve", str(n), str(port_file)], cwd=REPO)
        try:
            for _ in range(600):
                if port_file.exists() and port_file.read_text():
                    break
                await asyncio.sleep(0.05)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            clients = MediaClients({name: build(name, kind, f"{base}/{name}", api_key=KEY, username="admin" if kind == "qbittorrent" else None,
                                                password="pw" if kind == "qbittorrent" else None, timeout_s=60)
                                    for name, kind in KINDS.items()})
            # Wait until the child answers (it builds its bodies first).
            for _ in range(600):
                try:
                    await clients.get("plex").read("GET", "/library/sections")
                    break
                except Exception:
                    await asyncio.sleep(0.1)
            db = Database(Path(tmp) / "events.db", journal_mode="WAL")
            db.add_schema(timelines.SCHEMA)
            db.add_schema(tracker.SCHEMA)
            await db.open()
            poller = Poller(lambda: clients, db.run, MediaSettings, lambda: "keep", time.time)
            first = await poller.poll()  # creates the rows
            assert len(first) == n, f"tracked {len(first)} items, expected {n}"
            bad = {k: v.error for k, v in poller.apps.items() if not v.ok}
            assert not bad, bad
            cpu, wall = [], []
            for _ in range(cycles):
                c0, w0 = time.process_time(), time.perf_counter()
                changed = await poller.poll()
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
                assert len(changed) == n
            tracemalloc.start()
            await poller.poll()
            heap_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            idle_cpu = None
            if idle_s:
                c0 = time.process_time()
                await asyncio.sleep(idle_s)  # between polls the gateway's media loop only sleeps
                idle_cpu = (time.process_time() - c0) / idle_s
            counts = tracker.stage_counts(sqlite_conn(Path(tmp) / "events.db"))
            await clients.aclose()
            await db.close()
        finally:
            child.terminate()
            child.wait(10)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    return {"n": n, "cpu": sorted(cpu), "wall": sorted(wall), "heap_peak": heap_peak, "rss_peak": rss, "idle_cpu": idle_cpu, "stages": counts}


def sqlite_conn(path: Path) -> Any:
    import sqlite3

    return sqlite3.connect(path)


def median(values: list[float]) -> float:
    return values[len(values) // 2]


def run_child(n: int, cycles: int, idle_s: float) -> dict[str, Any]:
    """Each size in a fresh process, so the peak RSS is that size's own."""
    out = subprocess.run([sys.executable, __file__, "--measure", str(n), str(cycles), str(idle_s)], cwd=REPO, check=True,
                         capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--idle-items", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/BENCHMARKS.md alone")
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return
    if args.measure:
        print(json.dumps(asyncio.run(measure(int(args.measure[0]), int(args.measure[1]), float(args.measure[2])))))
        return
    big = run_child(args.items, args.cycles, 0)
    small = run_child(args.idle_items, args.cycles, 10.0)
    per_cycle_small = median(small["cpu"])
    idle_pct = 100 * (per_cycle_small / POLL_INTERVAL_S + (small["idle_cpu"] or 0))
    big_cpu = median(big["cpu"])
    body = f"""Measured by `bench/media_tracker.py` ({date.today().isoformat()}, Python {platform.python_version()}, {os.cpu_count()} CPUs
{platform.machine()}, machine shared with other work). One poll cycle reads every app once (Radarr, Sonarr,
Lidarr library and paged queue, qBittorrent, SABnzbd queue + history + failed history, Seerr's requests,
Jellyfin's and Plex's libraries) from a child process serving bodies in the apps' shapes, and writes
every tracked item to the tracker in one SQLite transaction. CPU is the gateway process's own (all
threads), median of {args.cycles} cycles after the cycle that creates the rows.

| Figure | {args.items:,} items | {args.idle_items} items | Target |
|---|---|---|---|
| CPU per poll cycle | {big_cpu * 1000:.0f} ms | {per_cycle_small * 1000:.1f} ms | < 1 s at {args.items:,} |
| Wall per poll cycle (loopback apps) | {median(big['wall']) * 1000:.0f} ms | {median(small['wall']) * 1000:.1f} ms | |
| Peak Python heap during a cycle | {big['heap_peak'] / MIB:.0f} MiB | {small['heap_peak'] / MIB:.1f} MiB | |
| Peak RSS of the process | {big['rss_peak'] / MIB:.0f} MiB | {small['rss_peak'] / MIB:.0f} MiB | |
| Idle cost (cycle CPU / 60 s poll interval + CPU between polls) | | {idle_pct:.2f} % of a core | < 1 % at {args.idle_items} |

{"Both targets met." if big_cpu < 1 and idle_pct < 1 else "A target is missed: see the figures."} Under a profiler, decoding the apps' JSON
bodies (the *arr libraries are most of it) takes about 40 % of a cycle and writing every tracked row
(each cycle rewrites all of them, stage unchanged or not) most of the rest: the first place to look
if the cycle must get cheaper.
"""
    print(body)
    if not args.no_write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
