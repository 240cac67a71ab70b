"""``TextStore`` on a real SQLite file: exact round trips, dedup, TTL, size bound, sharing, reopening."""

from __future__ import annotations

import re
import secrets
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from mcp_pruner import _store
from mcp_pruner._errors import PruneIdNotFound
from mcp_pruner._store import TextStore, new_prune_id
from mcp_pruner._tokens import count_line_tokens
from mcp_pruner.engine import MARKER_ID_PLACEHOLDER

TTL = 3600
BIG = 10 * 1024 * 1024


class FakeClock:
    """Stands in for the ``time`` module inside ``_store`` (only ``time.time()`` is used there)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_store, "time", fake)
    return fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TextStore]:
    s = TextStore(tmp_path / "store.sqlite3", ttl_s=TTL, max_bytes=BIG)
    try:
        yield s
    finally:
        s.close()


def count_rows(path: Path, table: str) -> int:
    with sqlite3.connect(str(path)) as db:
        (n,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(n)


ODD_TEXTS = {
    "empty": "",
    "newline-only": "\n",
    "crlf": "a\r\nb\r\n\r\nc",
    "lone-cr": "a\rb\r",
    "tabs-and-trailing-spaces": "\tx = 1   \n\t\t  \n   ",
    "emoji-cjk-accents": "😀🚀 漢字 été ñ Ω \u200d\u2028\ufeff",
    "nul-and-controls": "a\x00b\x01\x7f\x1b[31m",
    "long-line": "y" * 100_000 + "\nshort",
    "empty-lines": "\n\n\nx\n\n",
    "lone-surrogates": "high \ud800 low \udfff pair-like \udbff\udc00 end\ud83d",
    "no-final-newline": "last line",
}


@pytest.mark.parametrize("text", list(ODD_TEXTS.values()), ids=list(ODD_TEXTS))
def test_exact_round_trip(tmp_path: Path, store: TextStore, text: str) -> None:
    prune_id = store.put(text)
    assert store.get(prune_id) == text
    # also from a fresh handle (no decoded cache), i.e. from the file
    other = TextStore(store.path, ttl_s=TTL, max_bytes=BIG)
    try:
        assert other.get(prune_id) == text
    finally:
        other.close()


def test_prune_ids_are_short_and_unique() -> None:
    ids = {new_prune_id() for _ in range(2000)}
    assert len(ids) == 2000
    for pid in ids:
        assert re.fullmatch(r"prn_[0-9]{12}", pid)


def test_prune_id_costs_few_tokens() -> None:
    """Every marker repeats the id: it must stay cheap, and cost what the engine's placeholder costs."""
    ids = [new_prune_id() for _ in range(200)]
    assert set(count_line_tokens(ids)) == set(count_line_tokens([MARKER_ID_PLACEHOLDER])) == {7}


def test_taken_prune_id_is_replaced_not_overwritten(store: TextStore) -> None:
    first = store.put("first text\n", "prn_000000000001")
    second = store.put("second text\n", "prn_000000000001")
    assert first == "prn_000000000001"
    assert second != first
    assert store.get(first) == "first text\n"
    assert store.get(second) == "second text\n"


def test_unknown_id_is_not_found(store: TextStore) -> None:
    with pytest.raises(PruneIdNotFound) as info:
        store.get("prn_unknown000")
    assert info.value.prune_id == "prn_unknown000"


def test_identical_texts_are_stored_once(store: TextStore) -> None:
    text = "same text\n" * 100
    ids = [store.put(text) for _ in range(5)]
    other = store.put(text + "!")
    assert len(set(ids)) == 5
    stats = store.stats()
    assert (stats.texts, stats.ids) == (2, 6)
    assert count_rows(store.path, "texts") == 2
    assert count_rows(store.path, "prunes") == 6
    assert all(store.get(pid) == text for pid in ids)
    assert store.get(other) == text + "!"


def test_given_prune_id_is_used(store: TextStore) -> None:
    assert store.put("x", "prn_chosen1234") == "prn_chosen1234"
    assert store.get("prn_chosen1234") == "x"


def test_ttl_expiry(tmp_path: Path, clock: FakeClock) -> None:
    s = TextStore(tmp_path / "ttl.sqlite3", ttl_s=10, max_bytes=BIG)
    try:
        pid = s.put("short-lived")
        clock.now += 9.5
        assert s.get(pid) == "short-lived"  # also cached in memory from here on
        clock.now += 0.5
        with pytest.raises(PruneIdNotFound):
            s.get(pid)
        # the same text stored again gets a new id that recovers
        again = s.put("short-lived")
        assert s.get(again) == "short-lived"
        with pytest.raises(PruneIdNotFound):
            s.get(pid)
    finally:
        s.close()


def test_expired_rows_are_purged(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "purge.sqlite3"
    s = TextStore(path, ttl_s=10, max_bytes=BIG)
    try:
        for i in range(5):
            s.put(f"text {i}")
        clock.now += 11
        fresh = s.put("new text")  # a new text forces a purge
        assert count_rows(path, "prunes") == 1
        assert count_rows(path, "texts") == 1
        assert s.get(fresh) == "new text"
    finally:
        s.close()


def incompressible(n_hex: int) -> str:
    return secrets.token_hex(n_hex // 2)


def test_size_bound_evicts_least_recently_used_first_even_after_cached_reads(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "bounded.sqlite3"
    probe = TextStore(tmp_path / "probe.sqlite3", ttl_s=TTL, max_bytes=BIG)
    probe.put(incompressible(8000))
    one = probe.stats().bytes_stored
    probe.close()
    s = TextStore(path, ttl_s=TTL, max_bytes=int(one * 2.5))
    try:
        a = s.put(incompressible(8000))
        clock.now += 1
        b = s.put(incompressible(8000))
        clock.now += 1
        text_a = s.get(a)  # A is now more recently used than B
        clock.now += 1
        c = s.put(incompressible(8000))
        assert s.get(a) == text_a
        assert len(s.get(c)) == 8000
        with pytest.raises(PruneIdNotFound):
            s.get(b)
        assert s.stats().texts == 2
        assert s.stats().bytes_stored <= s.max_bytes
    finally:
        s.close()


def test_size_bound_never_evicts_the_text_just_stored(tmp_path: Path, clock: FakeClock) -> None:
    s = TextStore(tmp_path / "tiny.sqlite3", ttl_s=TTL, max_bytes=1024)
    try:
        older = [s.put(incompressible(4000)) for _ in range(3)]
        clock.now += 1
        big = incompressible(20_000)
        pid = s.put(big)
        assert s.get(pid) == big
        for old in older:
            with pytest.raises(PruneIdNotFound):
                s.get(old)
        assert s.stats().texts == 1
    finally:
        s.close()


def test_wal_journal(store: TextStore) -> None:
    with sqlite3.connect(str(store.path)) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "store.sqlite3"
    first = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    ids = {first.put(f"text {i}\r\n😀"): f"text {i}\r\n😀" for i in range(20)}
    first.close()
    second = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    try:
        for pid, text in ids.items():
            assert second.get(pid) == text
    finally:
        second.close()


class _ReadOnlyConnection:
    """A connection whose writes fail as on a read-only (or immutable) file; reads go through."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE", "BEGIN")):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return self._db.execute(sql, params)

    def close(self) -> None:
        self._db.close()


def test_stored_ids_are_read_from_a_store_that_cannot_be_written(store: TextStore) -> None:
    """Reading updates a last-use time; when that write fails the text is still returned."""
    text = "kept\r\nline 😀"
    pid = store.put(text)
    store._decoded.clear()  # a cold read: from the file, not the decoded cache
    store._db = _ReadOnlyConnection(store._db)  # type: ignore[assignment]
    assert store.get(pid) == text
    with pytest.raises(sqlite3.OperationalError):
        store.put("a new text")  # a write still says why it failed (the service warns store_unavailable)


def test_store_file_deleted_while_open_is_created_again(tmp_path: Path) -> None:
    """Writes after a deletion must reach a real file, not the unlinked one (lost at the next start)."""
    path = tmp_path / "store.sqlite3"
    store = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    try:
        store.put("before")
        for leftover in tmp_path.glob("store.sqlite3*"):
            leftover.unlink()
        pid = store.put("after the deletion")
        assert path.exists()
        assert store.stats().texts == 1
    finally:
        store.close()
    reopened = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    try:
        assert reopened.get(pid) == "after the deletion"
    finally:
        reopened.close()


def test_two_handles_share_one_file_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    a = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    b = TextStore(path, ttl_s=TTL, max_bytes=BIG)
    made: dict[str, str] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(s: TextStore, name: str) -> None:
        try:
            for i in range(60):
                text = f"{name} {i}\n" + ("shared\n" if i % 3 == 0 else f"own {secrets.token_hex(8)}\n")
                pid = s.put(text)
                with lock:
                    made[pid] = text
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s, f"w{k}-{id(s)}")) for k, s in enumerate((a, b, a, b))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert len(made) == 240
        for pid, text in made.items():
            assert a.get(pid) == text
            assert b.get(pid) == text
    finally:
        a.close()
        b.close()


_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from mcp_pruner._store import TextStore

    store = TextStore(Path(sys.argv[1]), ttl_s=3600, max_bytes=10 * 1024 * 1024)
    for i in range(80):
        text = f"child {sys.argv[2]} {i}\\r\\n\\t😀 " + ("common" if i % 4 == 0 else str(i * 7919))
        print(store.put(text), flush=True)
    store.close()
    """
)


def child_text(tag: str, i: int) -> str:
    return f"child {tag} {i}\r\n\t😀 " + ("common" if i % 4 == 0 else str(i * 7919))


def test_two_processes_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "multi.sqlite3"
    TextStore(path, ttl_s=TTL, max_bytes=BIG).close()  # schema in place before the race
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path), tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for tag in ("p1", "p2")
    ]
    mine: dict[str, str] = {}
    try:
        here = TextStore(path, ttl_s=TTL, max_bytes=BIG)
        for i in range(80):
            text = child_text("main", i)
            mine[here.put(text)] = text
        outputs = [c.communicate(timeout=60) for c in children]
    finally:
        for c in children:
            if c.poll() is None:
                c.kill()
                c.wait()
    try:
        for c, (_, err) in zip(children, outputs, strict=True):
            assert c.returncode == 0, err.decode()
        for tag, (out, _) in zip(("p1", "p2"), outputs, strict=True):
            ids = out.decode().split()
            assert len(ids) == 80
            for i, pid in enumerate(ids):
                assert here.get(pid) == child_text(tag, i)
        for pid, text in mine.items():
            assert here.get(pid) == text
        assert here.stats().ids == 240
    finally:
        here.close()


_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from mcp_pruner._errors import PruneIdNotFound
    from mcp_pruner._store import TextStore

    store = TextStore(Path(sys.argv[1]), ttl_s=3600, max_bytes=10 * 1024 * 1024)
    pid = store.put("held by another process")
    print(pid, flush=True)
    sys.stdin.readline()
    try:
        store.get(pid)  # gone with the deleted file once this handle follows the new one: either is fine
    except PruneIdNotFound:
        pass
    again = store.put("written again by the other process")
    assert store.get(again) == "written again by the other process"
    print(again, flush=True)
    store.close()
    """
)


def test_store_deleted_while_another_process_holds_it_keeps_working(tmp_path: Path) -> None:
    """Regression guard: reopening a deleted file whose journal another process still held made
    every write fail with 'disk I/O error'. Both sides must go on reading and writing (the file
    cannot be re-created under the other process's journal: the open handle is kept, as before)."""
    path = tmp_path / "shared.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert holder.stdout.readline().startswith("prn_")
        here = TextStore(path, ttl_s=TTL, max_bytes=BIG)
        try:
            here.put("before the deletion")
            for leftover in tmp_path.glob("shared.sqlite3*"):
                if leftover.name == "shared.sqlite3":
                    leftover.unlink()
            ids = {here.put(f"after the deletion {i}"): f"after the deletion {i}" for i in range(5)}
            for pid, text in ids.items():
                assert here.get(pid) == text
        finally:
            here.close()
        out, err = holder.communicate("go\n", timeout=60)
        assert holder.returncode == 0, err
        assert out.strip().startswith("prn_")
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
