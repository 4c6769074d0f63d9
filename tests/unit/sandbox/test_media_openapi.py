"""Every Sonarr/Radarr response the sandbox serves validates against the app's own OpenAPI document
(Lidarr's are checked the same way in test_media_lidarr.py)."""

from __future__ import annotations

import jsonschema
import pytest

from media_harness import Harness, media_harness
from openapi_check import Document

@pytest.fixture(scope="module")
def sonarr_doc() -> Document:
    return Document("sonarr")


@pytest.fixture(scope="module")
def radarr_doc() -> Document:
    return Document("radarr")


async def busy(h: Harness) -> None:
    """Put items in every state: downloading, stalled, import blocked, imported, blocklisted."""
    h.pipeline.faults.stall["Slow Horses"] = 1
    h.pipeline.faults.fail_import["Dune"] = 1
    for body in ({"mediaType": "tv", "mediaId": 95396, "seasons": [1]}, {"mediaType": "tv", "mediaId": 95480},
                 {"mediaType": "movie", "mediaId": 438631}, {"mediaType": "movie", "mediaId": 335984}):
        assert (await h.seerr.post("/api/v1/request", json=body)).status_code == 201
    h.step(60)
    queue = (await h.radarr.get("/api/v3/queue")).json()["records"]
    blade = next(r for r in queue if "Blade" in r["title"])
    assert (await h.radarr.delete(f"/api/v3/queue/{blade['id']}", params={"blocklist": "true", "skipRedownload": "true"})).status_code == 200


SONARR_GETS = [
    ("/api/v3/system/status", {}), ("/api/v3/health", {}),
    ("/api/v3/queue", {"includeSeries": "true", "includeEpisode": "true", "pageSize": "50"}),
    ("/api/v3/queue/details", {"includeEpisode": "true"}), ("/api/v3/command", {}),
    ("/api/v3/series", {}), ("/api/v3/series/lookup", {"term": "severance"}),
    ("/api/v3/wanted/missing", {"includeSeries": "true"}),
    ("/api/v3/history", {"includeSeries": "true", "includeEpisode": "true", "pageSize": "100"}),
    ("/api/v3/blocklist", {}),
]
RADARR_GETS = [
    ("/api/v3/system/status", {}), ("/api/v3/health", {}), ("/api/v3/queue", {"includeMovie": "true"}),
    ("/api/v3/queue/details", {"includeMovie": "true"}), ("/api/v3/command", {}), ("/api/v3/movie", {}),
    ("/api/v3/movie/lookup", {"term": "dune"}), ("/api/v3/wanted/missing", {}),
    ("/api/v3/history", {"includeMovie": "true", "pageSize": "100"}), ("/api/v3/blocklist", {}),
]


async def test_sonarr_responses_validate_against_sonarr_openapi(sonarr_doc: Document) -> None:
    async with media_harness() as h:
        await busy(h)
        for path, params in SONARR_GETS:
            response = await h.sonarr.get(path, params=params)
            assert response.status_code == 200, path
            sonarr_doc.validate("get", path, response.json())
        queue = (await h.sonarr.get("/api/v3/queue", params={"pageSize": "50"})).json()["records"]
        states = {r["trackedDownloadState"] for r in queue} | {r["status"] for r in queue}
        assert {"downloading", "warning"} <= states
        series_id = (await h.sonarr.get("/api/v3/series")).json()[0]["id"]
        sonarr_doc.validate("get", "/api/v3/series/{id}", (await h.sonarr.get(f"/api/v3/series/{series_id}")).json())
        created = await h.sonarr.post("/api/v3/command", json={"name": "MissingEpisodeSearch"})
        assert created.status_code == 201
        sonarr_doc.validate("post", "/api/v3/command", created.json())
        sonarr_doc.validate("get", "/api/v3/command/{id}", (await h.sonarr.get(f"/api/v3/command/{created.json()['id']}")).json())
        added = await h.sonarr.post("/api/v3/series", json={"tvdbId": 393189, "monitored": True, "addOptions": {"searchForMissingEpisodes": False}})
        sonarr_doc.validate("post", "/api/v3/series", added.json())


async def test_radarr_responses_validate_against_radarr_openapi(radarr_doc: Document) -> None:
    async with media_harness() as h:
        await busy(h)
        for path, params in RADARR_GETS:
            response = await h.radarr.get(path, params=params)
            assert response.status_code == 200, path
            radarr_doc.validate("get", path, response.json())
        blocklist = (await h.radarr.get("/api/v3/blocklist")).json()
        assert blocklist["totalRecords"] == 1 and "Blade" in blocklist["records"][0]["sourceTitle"]
        movie_id = (await h.radarr.get("/api/v3/movie")).json()[0]["id"]
        radarr_doc.validate("get", "/api/v3/movie/{id}", (await h.radarr.get(f"/api/v3/movie/{movie_id}")).json())
        created = await h.radarr.post("/api/v3/command", json={"name": "MoviesSearch", "movieIds": [movie_id]})
        radarr_doc.validate("post", "/api/v3/command", created.json())
        added = await h.radarr.post("/api/v3/movie", json={"tmdbId": 545611, "monitored": True})
        radarr_doc.validate("post", "/api/v3/movie", added.json())


async def test_schema_check_rejects_a_key_the_document_does_not_have(sonarr_doc: Document) -> None:
    async with media_harness() as h:
        body = (await h.sonarr.get("/api/v3/system/status")).json()
        body["notInSonarr"] = True
        with pytest.raises(jsonschema.ValidationError):
            sonarr_doc.validate("get", "/api/v3/system/status", body)
