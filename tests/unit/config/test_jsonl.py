"""JSON lines no character can split: every code point that a line reader breaks on, and lone
surrogates, round-trip through the writer and reader, alone and in the records of a transcript."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest

from openclaw.agent.messages import Message
from openclaw.agent.transcripts import SessionStore
from openclaw.config import jsonl

# Derived, not listed: whatever str.splitlines() breaks on is a hazard.
SPLITTERS = sorted(chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) > 1)
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "x\ud83dy", "\ude00z"]


def test_the_escaped_set_is_exactly_what_splitlines_breaks_on() -> None:
    assert set(SPLITTERS) - {"\n"} == jsonl.LINE_BREAKS
    assert {"\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r"} <= jsonl.LINE_BREAKS


@pytest.mark.parametrize("char", SPLITTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_line_break_character_stays_inside_its_record(char: str) -> None:
    record = {"text": f"before{char}after", f"key{char}": [char, {"n": char * 3}]}
    line = jsonl.dumps(record)
    assert line.endswith("\n") and line.count("\n") == 1
    assert len(line.splitlines()) == 1  # no reader that splits lines can cut it
    assert line.encode("utf-8").count(b"\n") == 1
    assert json.loads(line) == record
    assert jsonl.parse(line.encode() * 3).records == [record] * 3


@pytest.mark.parametrize("text", SURROGATES, ids=ascii)
def test_lone_surrogates_become_the_replacement_character(text: str) -> None:
    line = jsonl.encode({"text": text})  # would raise UnicodeEncodeError if a surrogate got through
    back = jsonl.parse(line).records[0]["text"]
    assert back == text.translate({c: "\ufffd" for c in range(0xD800, 0xE000)})


def test_fuzz_random_texts_of_breaks_surrogates_and_astral_characters() -> None:
    rng = random.Random(2028)
    alphabet = [*SPLITTERS, *SURROGATES, "\n", '"', "\\", "\x00", "é", "😀", "\U0010ffff", "a", " ", "{", "}"]
    records = [{"i": i, "text": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))} for i in range(2000)]
    data = b"".join(jsonl.encode(r) for r in records)
    loaded = jsonl.parse(data)
    assert loaded.skipped == 0 and not loaded.stale
    assert [r["i"] for r in loaded.records] == list(range(2000))
    for want, got in zip(records, loaded.records):
        assert got["text"] == want["text"].translate({c: "\ufffd" for c in range(0xD800, 0xE000)})


def test_a_bad_record_costs_only_itself(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(jsonl.encode({"n": 1}) + b'{"n": 2, "broken\n' + b"\xff\xfe not json\n" + jsonl.encode({"n": 3}))
    with caplog.at_level(logging.WARNING, logger="openclaw.config.jsonl"):
        loaded = jsonl.read(path)
    assert [r["n"] for r in loaded.records] == [1, 3]
    assert loaded.skipped == 2
    assert [r.message for r in caplog.records].count("jsonl.bad_record") == 2


def test_an_append_after_a_cut_write_closes_the_cut_line_first(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(jsonl.encode({"n": 1}) + b'{"n": 2, "cut sho')
    jsonl.append(path, [{"n": 3}])
    assert [r["n"] for r in jsonl.read(path).records] == [1, 3]
    assert jsonl.last(path) == {"n": 3}


def test_an_old_file_with_raw_separators_is_read_and_rewritten_escaped(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    old = [{"n": 1, "text": "a\u2028b"}, {"n": 2, "text": "c\u2029d\x85e"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old), encoding="utf-8")
    path.chmod(0o640)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 5  # what broke the old reader
    assert jsonl.load(path) == old
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    assert path.stat().st_mode & 0o777 == 0o640
    assert jsonl.read(path).records == old and not jsonl.read(path).stale


def test_a_record_an_old_rewrite_split_in_pieces_is_rejoined(tmp_path: Path) -> None:
    # A reader that split at U+2028 and wrote the pieces back as lines left one record on three.
    path = tmp_path / "t.jsonl"
    path.write_text('{"n": 1}\n{"n": 2, "text": "a\nb\nc"}\n{"n": 3}\n', encoding="utf-8")
    assert jsonl.load(path) == [{"n": 1}, {"n": 2, "text": "a\nb\nc"}, {"n": 3}]
    assert path.read_text(encoding="utf-8").count("\n") == 3


def test_transcripts_keep_every_character_and_stay_usable(tmp_path: Path) -> None:
    sessions = SessionStore(tmp_path / "sessions")
    texts = [f"title{c}part two" for c in SPLITTERS] + [f"lone {s} surrogate" for s in SURROGATES]
    for text in texts:
        sessions.append_messages("hook:fuzz", [Message.user(text), Message.assistant("ok " + text)])
    transcript = sessions.read("hook:fuzz")
    said = [m.text for m in transcript.context()]
    clean = [t.translate({c: "\ufffd" for c in range(0xD800, 0xE000)}) for t in texts]
    assert said == [x for t in clean for x in (t, "ok " + t)]
    # Each entry links to the one before it: the parent chain survived every character.
    entries = transcript.message_entries()
    assert [e["parentId"] for e in entries[1:]] == [e["id"] for e in entries[:-1]]


def test_a_transcript_written_by_the_old_writer_is_repaired_on_load(tmp_path: Path) -> None:
    sessions = SessionStore(tmp_path / "sessions")
    entry = sessions.open("agent:main:main")
    path = sessions.transcript_path(entry.session_id)
    with path.open("a", encoding="utf-8") as fh:  # as the old writer did: U+2028 raw
        fh.write(json.dumps({"id": "a1", "parentId": None, "type": "message",
                             "message": {"role": "user", "content": [{"type": "text", "text": "Movie\u2028Title"}]}},
                            ensure_ascii=False) + "\n")
    assert [m.text for m in sessions.read("agent:main:main").context()] == ["Movie\u2028Title"]
    assert "\u2028" not in path.read_text(encoding="utf-8")
    sessions.append_messages("agent:main:main", [Message.assistant("noted")])
    entries = sessions.read("agent:main:main").message_entries()
    assert entries[-1]["parentId"] == "a1"


def test_a_transcript_record_of_the_wrong_shape_costs_only_itself(tmp_path: Path) -> None:
    sessions = SessionStore(tmp_path / "sessions")
    sessions.append_messages("s", [Message.user("first"), Message.assistant("one")])
    entry = sessions.open("s")
    with sessions.transcript_path(entry.session_id).open("a", encoding="utf-8") as fh:
        fh.write('{"type": "message", "id": "x1", "message": {"content": "no role"}}\n')
        fh.write('{"type": "message", "id": "x2", "message": {"role": "user", "content": [{"type": "toolCall"}]}}\n')
    sessions.append_messages("s", [Message.user("second"), Message.assistant("two")])
    assert [m.text for m in sessions.read("s").context()] == ["first", "one", "second", "two"]
