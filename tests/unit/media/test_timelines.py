"""Media timelines: Seerr and *arr events of one item, linked by shared ids and downloadId."""

from __future__ import annotations

import json
from pathlib import Path

from ingest_bodies import DATA, Pipeline


def body(app: str, name: str) -> dict[str, object]:
    return json.loads((DATA / "webhooks" / app / f"{name}.json").read_text())


async def test_request_grab_stuck_and_import_form_one_timeline(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        await p.post("seerr", body("seerr", "MEDIA_PENDING"))
        await p.post("radarr", body("radarr", "Grab"))
        await p.post("radarr", body("radarr", "ManualInteractionRequired"))
        await p.post("radarr", body("radarr", "Download"))
        await p.post("seerr", body("seerr", "MEDIA_AVAILABLE"))
        await p.post("radarr", body("radarr", "Test"))
        await p.settle()
        timeline = await p.media.timeline("movie:tmdb:603")
        assert [(e["source"], e["type"]) for e in timeline] == [
            ("seerr", "MEDIA_PENDING"),
            ("radarr", "Grab"),
            ("radarr", "ManualInteractionRequired"),
            ("radarr", "Download"),
            ("seerr", "MEDIA_AVAILABLE"),
        ]
        assert timeline[1]["downloadId"] == timeline[3]["downloadId"] == "SABnzbd_nzo_p9k2tq"
        assert await p.media.timeline_for_download("SABnzbd_nzo_p9k2tq") == timeline
        assert any(n.topic == "media.event" and n.payload["itemKey"] == "movie:tmdb:603" for n in p.notices)


async def test_an_event_naming_only_a_download_id_joins_that_download_item(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        await p.post("lidarr", body("lidarr", "Grab"))
        await p.post("lidarr", body("lidarr", "DownloadFailure"))  # no artist: only the downloadId links it
        await p.settle()
        timeline = await p.media.timeline("music:mb:056e4f3e-d505-4dad-8ec1-d04f521cbb56")
        assert [e["type"] for e in timeline] == ["Grab", "DownloadFailure"]


async def test_sonarr_series_and_seerr_tv_request_share_the_tvdb_item(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        await p.post("seerr", body("seerr", "MEDIA_AUTO_APPROVED"))
        await p.post("sonarr", body("sonarr", "Download-upgrade"))
        await p.settle()
        timeline = await p.media.timeline("tv:tvdb:280619")
        assert [e["type"] for e in timeline] == ["MEDIA_AUTO_APPROVED", "Download"]
        assert "(upgrade)" in timeline[1]["summary"]


async def test_app_level_events_are_not_on_any_timeline(tmp_path: Path) -> None:
    async with Pipeline(tmp_path / "events.db") as p:
        for name in ("Test", "Health", "HealthRestored", "ApplicationUpdate"):
            await p.post("sonarr", body("sonarr", name))
        await p.settle()
        count = await p.db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM media_timeline").fetchone()[0])
        assert count == 0


async def test_retention_removes_old_timeline_entries_with_their_events(tmp_path: Path) -> None:
    import time

    async with Pipeline(tmp_path / "events.db") as p:
        await p.post("radarr", body("radarr", "Grab"))
        await p.settle()
        assert await p.media.timeline("movie:tmdb:603")
        p.settings.events.retention_days = 1
        assert await p.events.prune(now=time.time() + 2 * 86400) == 1
        assert await p.media.timeline("movie:tmdb:603") == []
