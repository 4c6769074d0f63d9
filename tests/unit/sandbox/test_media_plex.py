"""Simulated Plex over loopback: token refusal, JSON and XML MediaContainers, sections, items with
their external Guids, imports reaching Plex, and an import Plex misses until a section refresh."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from media_live import Live, live_stack


async def section_items(live: Live, section: int, **params: str) -> list[dict[str, Any]]:
    body = (await live.plex.get(f"/library/sections/{section}/all", params=params)).json()["MediaContainer"]
    return body.get("Metadata", [])  # type: ignore[no-any-return]  # JSON


async def add_movie(live: Live, tmdb: int) -> int:
    movie = (await live.radarr.post("/api/v3/movie", json={"tmdbId": tmdb, "addOptions": {"searchForMovie": True}})).json()
    return int(movie["id"])


async def test_plex_refuses_without_its_token_except_for_identity() -> None:
    async with live_stack() as live:
        base = live.url("plex")
        identity = await live.raw.get(f"{base}/identity", headers={"Accept": "application/json"})
        assert identity.status_code == 200 and identity.json()["MediaContainer"]["machineIdentifier"]
        for headers in ({}, {"X-Plex-Token": "not-the-token"}):
            refused = await live.raw.get(f"{base}/library/sections", headers=headers)
            assert refused.status_code == 401 and "401 Unauthorized" in refused.text
        by_query = await live.raw.get(f"{base}/library/sections", params={"X-Plex-Token": live.key("plex")})
        assert by_query.status_code == 200 and by_query.headers["content-type"].startswith("text/xml")
        assert [r.status for r in live.pipeline.received.of("plex")] == [200, 401, 401, 200]


async def test_sections_are_a_media_container_in_json_or_xml() -> None:
    async with live_stack() as live:
        body = (await live.plex.get("/library/sections")).json()["MediaContainer"]
        assert body["size"] == 3
        assert [(d["key"], d["type"], d["Location"][0]["path"]) for d in body["Directory"]] == [
            ("1", "movie", "/movies"), ("2", "show", "/tv"), ("3", "artist", "/music")]
        xml = await live.plex.get("/library/sections", headers={"Accept": "application/xml"})
        root = ElementTree.fromstring(xml.content)
        assert root.tag == "MediaContainer" and root.get("size") == "3"
        movies = root.find("Directory")
        assert movies is not None and movies.get("title") == "Movies" and movies.find("Location").get("path") == "/movies"  # type: ignore[union-attr]  # present


async def test_items_carry_their_external_ids_as_guid_entries() -> None:
    async with live_stack() as live:
        movies = await section_items(live, 1)
        assert {m["title"] for m in movies} == {"Arrival", "The Martian"} and "Guid" not in movies[0]
        with_guids = await section_items(live, 1, includeGuids="1")
        arrival = next(m for m in with_guids if m["title"] == "Arrival")
        assert {"id": "tmdb://329865"} in arrival["Guid"] and {"id": "imdb://tt2543164"} in arrival["Guid"]
        assert isinstance(arrival["ratingKey"], str) and arrival["guid"].startswith("plex://movie/")
        detail = (await live.plex.get(f"/library/metadata/{arrival['ratingKey']}")).json()["MediaContainer"]["Metadata"][0]
        assert {"id": "tmdb://329865"} in detail["Guid"] and detail["Media"][0]["Part"][0]["file"] == "/movies/Arrival (2016)"
        (show,) = await section_items(live, 2)
        detail = (await live.plex.get(f"/library/metadata/{show['ratingKey']}")).json()["MediaContainer"]["Metadata"][0]
        assert {"id": "tvdb://280619"} in detail["Guid"] and detail["leafCount"] == 10 and detail["childCount"] == 1
        seasons = (await live.plex.get(f"/library/metadata/{show['ratingKey']}/children")).json()["MediaContainer"]["Metadata"]
        assert [(s["type"], s["index"], s["leafCount"]) for s in seasons] == [("season", 1, 10)]
        leaves = (await live.plex.get(f"/library/metadata/{show['ratingKey']}/allLeaves")).json()["MediaContainer"]["Metadata"]
        assert [e["index"] for e in leaves] == list(range(1, 11)) and leaves[0]["grandparentTitle"] == "The Expanse"
        assert len(await section_items(live, 2, type="4")) == 10
        (artist,) = await section_items(live, 3, includeGuids="1")
        assert artist["Guid"] == [{"id": "mbid://69158f97-4c07-4c4e-baf8-4e4ab1ed666e"}]
        assert (await live.plex.get("/library/metadata/99999")).status_code == 404
        assert (await live.plex.get("/library/sections/7/all")).status_code == 404
        bad_type = await live.plex.get("/library/sections/1/all", params={"type": "99"})
        assert bad_type.status_code == 400 and "type" in bad_type.text


async def test_an_imported_movie_appears_in_plex_after_the_apps_ask_for_a_scan() -> None:
    async with live_stack() as live:
        await add_movie(live, 438631)
        live.step(260)
        dune = [m for m in await section_items(live, 1, includeGuids="1") if m["title"] == "Dune"]
        assert dune and {"id": "tmdb://438631"} in dune[0]["Guid"]


async def test_an_import_plex_was_not_told_about_stays_missing_until_a_section_refresh_finds_it() -> None:
    async with live_stack() as live:
        live.pipeline.faults.plex_missing["Blade Runner"] = 1
        movie_id = await add_movie(live, 335984)
        live.step(400)
        assert (await live.radarr.get(f"/api/v3/movie/{movie_id}")).json()["hasFile"] is True
        assert "Blade Runner 2049" not in {m["title"] for m in await section_items(live, 1)}
        live.step(3600)
        assert "Blade Runner 2049" not in {m["title"] for m in await section_items(live, 1)}
        elsewhere = await live.plex.get("/library/sections/1/refresh", params={"path": "/movies/Dune (2021)"})
        assert elsewhere.status_code == 200
        live.step(10)
        assert "Blade Runner 2049" not in {m["title"] for m in await section_items(live, 1)}
        outside = await live.plex.get("/library/sections/1/refresh", params={"path": "/tv/The Expanse (2015)"})
        assert outside.status_code == 400 and "path" in outside.text
        assert (await live.plex.get("/library/sections/1/refresh", params={"path": "/movies/Blade Runner 2049 (2017)"})).status_code == 200
        refreshing = (await live.plex.get("/library/sections")).json()["MediaContainer"]["Directory"][0]
        assert refreshing["refreshing"] is True
        live.step(10)
        found = [m for m in await section_items(live, 1, title="blade") if m["title"] == "Blade Runner 2049"]
        assert found and (await live.plex.get("/library/sections")).json()["MediaContainer"]["Directory"][0]["refreshing"] is False


async def test_a_whole_section_refresh_finds_every_missed_import_and_can_be_cancelled() -> None:
    async with live_stack() as live:
        live.pipeline.faults.plex_missing["Blade Runner"] = 1
        await add_movie(live, 335984)
        live.step(400)
        assert (await live.plex.get("/library/sections/1/refresh")).status_code == 200
        assert (await live.plex.delete("/library/sections/1/refresh")).status_code == 200  # cancelled before it ran
        live.step(10)
        assert "Blade Runner 2049" not in {m["title"] for m in await section_items(live, 1)}
        await live.plex.get("/library/sections/1/refresh", params={"force": "1"})
        live.step(10)
        assert "Blade Runner 2049" in {m["title"] for m in await section_items(live, 1)}
