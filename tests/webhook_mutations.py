"""Mutated webhook bodies for the fuzz test: each is what a broken, hostile or unusual sender might
post, built from a real body by a seeded generator so a failure can be replayed from its seed."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

# Strings a sender may carry: non-BMP, combining marks, right-to-left, zero-width, noncharacters.
ODD_TEXT = ["\U0001f525\U0001f9ea", "e\u0301\u0301\u0301", "\u202egnp.exe", "\u200b\u200d\ufeff", "\uffff\ufffe", "\x00\x01\x7f", "\u0663\u0664", "𝕬𝖑𝖊𝖗𝖙"]
SCALARS: list[Any] = [None, True, False, 0, -1, 2**63, 1.5e308, "", "x", [], {}, [None], {"": None}]


@dataclass(frozen=True)
class Mutant:
    """One request body: `chunks` is set when it goes out chunked, without a Content-Length."""

    kind: str
    body: bytes
    chunks: tuple[bytes, ...] | None = None


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


def _deep(rng: random.Random) -> str:
    depth = rng.choice([300, 3000, 30_000, 100_000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def _text_mutation(rng: random.Random, text: str) -> bytes:
    """A mutation of the JSON text itself."""
    choice = rng.randrange(9)
    if choice == 0:  # truncated
        return text[: rng.randrange(len(text))].encode()
    if choice == 1:  # a lone surrogate escape in a string
        at = text.find('"', rng.randrange(len(text)))
        at = at if at >= 0 else 1
        return (text[: at + 1] + rng.choice(["\\ud800", "\\udfff", "\\ud83d\\u0041", "\\udc00\\ud800"]) + text[at + 1 :]).encode()
    if choice == 2:  # invalid UTF-8 (a raw surrogate, an overlong form, stray bytes)
        raw = text.encode()
        at = rng.randrange(len(raw))
        return raw[:at] + rng.choice([b"\xed\xa0\x80", b"\xc0\xaf", b"\xff\xfe", b"\x80", b"\xf4\x90\x80\x80"]) + raw[at:]
    if choice == 3:  # a byte flipped
        raw = bytearray(text.encode())
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        return bytes(raw)
    if choice == 4:  # non-JSON literals and out-of-range numbers
        return text.replace(":", ":" + rng.choice(["NaN", "Infinity", "-Infinity", "1e999999", "9" * 5000, "-0", "0x10", "01"]) + ",", 1).encode()
    if choice == 5:  # a BOM, whitespace, or trailing garbage
        return rng.choice([b"\xef\xbb\xbf", b"", b" \t\r\n"]) + text.encode() + rng.choice([b"", b"}", b"\x00", b" ,"])
    if choice == 6:  # duplicate keys
        return ("{" + text[1:-1] + "," + text[1:-1] + "}").encode() if text.startswith("{") else text.encode()
    if choice == 7:  # raw control characters inside a string
        return text.replace('"', '"\x01\x1f', 1).encode()
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))  # random bytes


def mutate(rng: random.Random, kind: str, seed_body: dict[str, Any], body_limit: int) -> Mutant:
    """One mutated body of `seed_body`; about one in eight is sent chunked."""
    choice = rng.randrange(7)
    if choice == 0:
        body = _deep(rng).encode()
    elif choice == 1:  # a value of the wrong type anywhere, the top level included
        path = rng.choice(_paths(seed_body))
        body = json.dumps(_replace(seed_body, path, rng.choice(SCALARS)), allow_nan=True).encode()
    elif choice == 2:  # a huge string, just under or just over the limit
        path = rng.choice(_paths(seed_body))
        size = body_limit + rng.choice([-len(json.dumps(seed_body)) - 64, 1024])
        body = json.dumps(_replace(seed_body, path, "y" * max(size, 1))).encode()
    elif choice == 3:  # unusual unicode in values and keys, raw or escaped
        path = rng.choice(_paths(seed_body))
        odd = rng.choice(ODD_TEXT)
        mutated = _replace(seed_body, path, odd) if rng.random() < 0.5 else {**seed_body, odd: odd}
        body = json.dumps(mutated, ensure_ascii=rng.random() < 0.5).encode()
    elif choice == 4:  # deep nesting inside a real body
        path = rng.choice(_paths(seed_body))
        body = json.dumps(_replace(seed_body, path, "__DEEP__")).replace('"__DEEP__"', _deep(rng)).encode()
    elif choice == 5:  # many items of the wrong type in a list
        path = rng.choice(_paths(seed_body))
        body = json.dumps(_replace(seed_body, path, [rng.choice(SCALARS)] * rng.choice([10, 1000, 20_000]))).encode()
    else:
        body = _text_mutation(rng, json.dumps(seed_body))
    chunks = None
    if rng.random() < 0.125 and body:
        cuts = sorted(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randrange(1, 8)))) if len(body) > 1 else []
        edges = [0, *cuts, len(body)]
        chunks = tuple(body[a:b] for a, b in zip(edges, edges[1:]))
    return Mutant(kind, body, chunks)
