"""The recovery store: original texts kept in an embedded SQLite file.

* Survives restarts and is shared by several server processes (WAL journal,
  busy timeout).
* Identical texts are stored once (keyed by their SHA-256); each ``prune_id``
  points at a text and expires after the configured TTL.
* Bounded on disk: past ``max_bytes`` of stored (zlib-compressed) text, the
  least recently used texts are evicted first, with their ids.
* Texts are encoded with UTF-8 ``surrogatepass`` so that any string JSON can
  carry (lone surrogates included) comes back exactly as sent.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ._errors import PruneIdNotFound

__all__ = ["PRUNE_ID_PREFIX", "StoreStats", "TextStore", "new_prune_id"]

log = logging.getLogger("mcp_pruner.store")

PRUNE_ID_PREFIX: Final = "prn_"
_ID_DIGITS: Final = 12
"""``prn_`` + 12 digits (40 bits): always 7 tokens in o200k_base (digits go three to a token); 10
random letters and digits cost 2 more on average, and a varying number. Every marker repeats the id;
a clash with a stored id is detected on insert and a new id drawn."""
_ID_ATTEMPTS: Final = 8
_PURGE_EVERY_S: Final = 60.0
_DECODED_CACHE: Final = 8
_REOPEN_RETRY_S: Final = 30.0
"""After a failed try to open a deleted or replaced store file again, wait this long before the next."""

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS texts (
    hash      TEXT PRIMARY KEY,
    body      BLOB NOT NULL,
    size      INTEGER NOT NULL,
    last_used REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS prunes (
    id       TEXT PRIMARY KEY,
    hash     TEXT NOT NULL,
    created  REAL NOT NULL,
    expires  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS prunes_expires ON prunes(expires);
CREATE INDEX IF NOT EXISTS prunes_hash ON prunes(hash);
CREATE INDEX IF NOT EXISTS texts_last_used ON texts(last_used);
"""


def new_prune_id() -> str:
    """A short random id, cheap in tokens: ``prn_`` + 12 decimal digits."""
    return f"{PRUNE_ID_PREFIX}{secrets.randbelow(10**_ID_DIGITS):0{_ID_DIGITS}d}"


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class StoreStats:
    path: str
    texts: int
    ids: int
    bytes_stored: int
    max_bytes: int


class TextStore:
    """A thread-safe handle on the SQLite store (one connection, serialised by a lock)."""

    def __init__(self, path: Path, *, ttl_s: int, max_bytes: int) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self._decoded: OrderedDict[str, str] = OrderedDict()
        self._reopen_after = 0.0
        self._db, self._inode = self._open()

    def _open(self, *, probe: bool = False) -> tuple[sqlite3.Connection, int]:
        """A connection on the file; with ``probe``, one that has shown it can write."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), timeout=10.0, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            db.executescript(_SCHEMA)
            if probe:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
            return db, self.path.stat().st_ino
        except BaseException:
            db.close()
            raise

    def _reopen_if_replaced(self) -> None:
        """Open the file again if it was deleted or replaced under us (else writes go to a ghost).

        The ids stored in the lost file are gone with it; new ones persist again. When the file
        cannot be opened again (another process still holds the deleted database's journal), the
        open handle is kept, as before, and the next try waits :data:`_REOPEN_RETRY_S`.
        Called under the lock.
        """
        try:
            same = self.path.stat().st_ino == self._inode
        except OSError:
            same = False
        if same or time.monotonic() < self._reopen_after:
            return
        try:
            db, inode = self._open(probe=True)
        except (sqlite3.Error, OSError) as exc:
            self._reopen_after = time.monotonic() + _REOPEN_RETRY_S
            log.warning(
                "store file deleted or replaced while open, and it cannot be opened again yet: "
                "keeping the open handle",
                extra={"error": type(exc).__name__},
            )
            return
        log.warning("store file deleted or replaced while open: opened it again")
        self._db.close()
        self._decoded.clear()
        self._db, self._inode = db, inode

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, text: str, prune_id: str | None = None) -> str:
        """Store ``text`` (once per distinct content) and return a new prune_id for it.

        ``prune_id`` is the id wanted; if it is already taken, a fresh one is drawn and returned.
        """
        raw = _encode(text)
        digest = hashlib.sha256(raw).hexdigest()
        pid = prune_id or new_prune_id()
        now = time.time()
        with self._lock:
            self._reopen_if_replaced()
            # Check and write in one IMMEDIATE transaction: another process sharing the
            # file cannot evict the text between the check and the new id pointing at it.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                exists = self._db.execute("SELECT 1 FROM texts WHERE hash=?", (digest,)).fetchone()
                if exists:
                    self._db.execute("UPDATE texts SET last_used=? WHERE hash=?", (now, digest))
                else:
                    body = zlib.compress(raw, 1)
                    self._db.execute(
                        "INSERT INTO texts(hash, body, size, last_used) VALUES (?,?,?,?)",
                        (digest, body, len(body), now),
                    )
                for _ in range(_ID_ATTEMPTS):
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO prunes(id, hash, created, expires) VALUES (?,?,?,?)",
                        (pid, digest, now, now + self.ttl_s),
                    )
                    if cur.rowcount == 1:
                        break
                    pid = new_prune_id()
                else:
                    raise RuntimeError("could not draw an unused prune_id")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._remember(pid, text)
            self._maybe_purge(now, force=not exists, keep=digest)
        return pid

    def get(self, prune_id: str) -> str:
        """The text stored under ``prune_id``; :class:`PruneIdNotFound` if unknown or expired."""
        now = time.time()
        with self._lock:
            self._reopen_if_replaced()
            row = self._db.execute(
                "SELECT t.body, t.hash FROM prunes p JOIN texts t ON t.hash = p.hash "
                "WHERE p.id=? AND p.expires > ?",
                (prune_id, now),
            ).fetchone()
            if row is None:
                self._decoded.pop(prune_id, None)
                raise PruneIdNotFound(prune_id)
            body, digest = row
            try:  # LRU, cached or not; best effort: a store that cannot be written can still be read
                self._db.execute("UPDATE texts SET last_used=? WHERE hash=?", (now, digest))
            except sqlite3.Error as exc:
                log.warning("store: last-use time not updated", extra={"error": type(exc).__name__})
            cached = self._decoded.get(prune_id)
            if cached is not None:
                self._decoded.move_to_end(prune_id)
                return cached
        text = zlib.decompress(body).decode("utf-8", "surrogatepass")
        with self._lock:
            self._remember(prune_id, text)
        return text

    def stats(self) -> StoreStats:
        with self._lock:
            self._reopen_if_replaced()
            texts, size = self._db.execute("SELECT COUNT(*), COALESCE(SUM(size),0) FROM texts").fetchone()
            (ids,) = self._db.execute("SELECT COUNT(*) FROM prunes").fetchone()
        return StoreStats(str(self.path), int(texts), int(ids), int(size), self.max_bytes)

    def _remember(self, prune_id: str, text: str) -> None:
        self._decoded[prune_id] = text
        self._decoded.move_to_end(prune_id)
        while len(self._decoded) > _DECODED_CACHE:
            self._decoded.popitem(last=False)

    def _maybe_purge(self, now: float, *, force: bool, keep: str) -> None:
        """Drop expired ids, texts no id points at, then LRU texts past the size bound.

        The text just stored (``keep``) is never evicted, so a fresh prune_id always recovers.
        """
        if not force and now - self._last_purge < _PURGE_EVERY_S:
            return
        self._last_purge = now
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM prunes WHERE expires <= ?", (now,))
            self._db.execute("DELETE FROM texts WHERE hash NOT IN (SELECT hash FROM prunes)")
            (total,) = self._db.execute("SELECT COALESCE(SUM(size),0) FROM texts").fetchone()
            evicted = 0
            if total > self.max_bytes:
                rows = self._db.execute(
                    "SELECT hash, size FROM texts WHERE hash != ? ORDER BY last_used ASC", (keep,)
                ).fetchall()
                for digest, size in rows:
                    if total <= self.max_bytes:
                        break
                    self._db.execute("DELETE FROM prunes WHERE hash=?", (digest,))
                    self._db.execute("DELETE FROM texts WHERE hash=?", (digest,))
                    total -= size
                    evicted += 1
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        if evicted:
            self._decoded.clear()
            log.info("store evicted texts", extra={"evicted": evicted, "bytes": total})
