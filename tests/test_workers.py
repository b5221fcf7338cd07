"""Several processes, one truth: ordering across workers, and no reply lost or doubled by a crash."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess

import aiohttp
import pytest

from tests.servers import SILA, serve

NAME = "محمد عبدالله السالم"
VALID_ID = "1000000008"  # passes the Saudi check digit
PHONE = "0551234567"


async def turn(ws: aiohttp.ClientWebSocketResponse, frame: dict) -> list[dict]:
    """Send one frame and collect the frames of *its* turn (every socket also sees other tabs' turns)."""
    client_id = secrets.token_hex(6)
    await ws.send_str(json.dumps({**frame, "id": client_id}))
    frames: list[dict] = []
    mine = False
    async with asyncio.timeout(15):
        while True:
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.TEXT, msg
            data = json.loads(msg.data)
            if data["type"] == "message":
                mine = data.get("client_id") == client_id
                frames = []
            frames.append(data)
            if data["type"] == "turn_end" and mine:
                return frames


async def open_socket(session: aiohttp.ClientSession, port: int, visitor: str, since: int = 0):
    ws = await session.ws_connect(f"http://127.0.0.1:{port}/chat/amass/ws?visitor={visitor}&since={since}")
    async with asyncio.timeout(10):
        while True:  # skip welcome and history
            data = json.loads((await ws.receive()).data)
            if data["type"] == "history":
                return ws, data["messages"]


def replies(frames: list[dict]) -> list[dict]:
    return [f for f in frames if f["type"] == "reply"]


@pytest.fixture
def pg_env(pg_url: str, redis_url: str, tmp_path) -> dict[str, str]:
    env = {"SILA_DATABASE_URL": pg_url, "SILA_REDIS_URL": redis_url, "SILA_DATA_DIR": str(tmp_path),
           "SILA_DATA_KEY": "dGVzdC1rZXktZm9yLXNpbGEtdGVzdHMtb25seS0zMmI="}
    subprocess.run([SILA, "migrate"], env={**__import__("os").environ, **env}, check=True,
                   capture_output=True)
    return env


async def test_two_workers_alternate_messages_of_one_conversation(pg_env) -> None:
    visitor = secrets.token_hex(16)
    with serve(pg_env) as (port_a, _), serve(pg_env) as (port_b, _):
        async with aiohttp.ClientSession() as session:
            ws_a, _ = await open_socket(session, port_a, visitor)
            ws_b, _ = await open_socket(session, port_b, visitor)
            # Each step depends on the state the previous step left, on the *other* worker.
            script = [
                (ws_a, {"type": "message", "text": "السلام عليكم"}, None),
                (ws_b, {"type": "button", "value": "flow:support_request"}, "full_name"),
                (ws_a, {"type": "message", "text": NAME}, "national_id"),
                (ws_b, {"type": "message", "text": VALID_ID}, "mobile"),
            ]
            seen_fields = []
            for ws, frame, expected_field in script:
                frames = await turn(ws, frame)
                got = replies(frames)
                assert got, frames
                if expected_field:
                    expects = [r["expect"]["field"] for r in got if r.get("expect")]
                    seen_fields.append(expects[-1] if expects else None)
            assert seen_fields == ["full_name", "national_id", "mobile"]
            await ws_a.close()
            await ws_b.close()
        # the stored transcript: strictly increasing seq, each message answered exactly once
        async with aiohttp.ClientSession() as session:
            ws, history = await open_socket(session, port_a, visitor)
            await ws.close()
    seqs = [m["seq"] for m in history]
    assert seqs == list(range(1, len(seqs) + 1))
    inbound = [m["text"] for m in history if m["direction"] == "in"]
    # the answer to the national-ID question is stored with all but its last four digits masked
    assert inbound == ["السلام عليكم", "flow:support_request", NAME, "*" * 6 + VALID_ID[-4:]]
    # every inbound message is followed by at least one reply before the next inbound one
    directions = "".join("i" if m["direction"] == "in" else "o" for m in history)
    assert "ii" not in directions and directions.startswith("io") and directions.endswith("o")


async def test_concurrent_messages_on_two_workers_are_each_answered_once(pg_env) -> None:
    visitor = secrets.token_hex(16)
    with serve(pg_env) as (port_a, _), serve(pg_env) as (port_b, _):
        async with aiohttp.ClientSession() as session:
            ws_a, _ = await open_socket(session, port_a, visitor)
            ws_b, _ = await open_socket(session, port_b, visitor)
            texts = [f"سؤال رقم {i} كم مدة دراسة الطلب" for i in range(10)]
            await asyncio.gather(*(
                (ws_a if i % 2 == 0 else ws_b).send_str(json.dumps({"type": "message", "text": t, "id": f"c{i}"}))
                for i, t in enumerate(texts)
            ))
            await asyncio.sleep(0)
            # wait until the transcript holds all ten
            for _ in range(100):
                ws, history = await open_socket(session, port_b, visitor)
                await ws.close()
                if sum(m["direction"] == "in" for m in history) == 10:
                    break
                await asyncio.sleep(0.2)
            await ws_a.close()
            await ws_b.close()
    inbound = [m for m in history if m["direction"] == "in"]
    assert sorted(m["text"] for m in inbound) == sorted(texts)
    seqs = [m["seq"] for m in history]
    assert seqs == list(range(1, len(seqs) + 1))
    # each question got its own answer right after it, never interleaved with another turn
    directions = "".join("i" if m["direction"] == "in" else "o" for m in history)
    assert directions.count("i") == 10 and "ii" not in directions


async def test_crash_after_commit_delivers_the_reply_once_after_restart(tmp_path) -> None:
    env = {"SILA_DATA_DIR": str(tmp_path), "SILA_SQLITE_SYNCHRONOUS": "FULL"}
    visitor = secrets.token_hex(16)
    async with aiohttp.ClientSession() as session:
        with serve(env) as (port, _):
            ws, _ = await open_socket(session, port, visitor)
            first = await turn(ws, {"type": "message", "text": "السلام عليكم"})
            last_seen = max(f.get("seq", 0) for f in first)
            await ws.close()
        with serve({**env, "SILA_FAULT": "crash_after_commit"}) as (port, proc):
            ws, _ = await open_socket(session, port, visitor, since=last_seen)
            await ws.send_str(json.dumps({"type": "message", "text": "كم مدة دراسة الطلب", "id": "m2"}))
            assert proc.wait(15) == 17  # died after committing, before sending anything
            with pytest.raises((aiohttp.ClientError, AssertionError, TimeoutError)):
                await turn(ws, {"type": "ping"})  # the socket is gone; nothing was delivered
        with serve(env) as (port, _):
            ws, history = await open_socket(session, port, visitor, since=last_seen)
            await ws.close()
            ws, again = await open_socket(session, port, visitor, since=max(m["seq"] for m in history))
            await ws.close()
    assert [m["direction"] for m in history][0] == "in" and history[0]["text"] == "كم مدة دراسة الطلب"
    out = [m for m in history if m["direction"] == "out"]
    assert out, "the committed reply must be delivered after restart"
    assert len({m["id"] for m in out}) == len(out)
    assert again == []  # and never a second time
