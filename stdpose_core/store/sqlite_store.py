"""The project file: SQLite (WAL), every applied edit committed in its own transaction.

Track arrays are stored in chunks of :data:`CHUNK` frames per track (one row per chunk, one
zlib-compressed blob per field), so committing an edit rewrites only the chunks it touched and opening
a 10,000-frame project reads a few hundred rows.

A store opened for writing holds the project's write lock (:mod:`.lock`) until it is closed: one
writer per project, because each writer saves whole chunks from its own copy of the project. A store
opened read-only takes no lock and refuses :meth:`ProjectStore.commit`. Every connection is made
through a ``file:`` URI with the path percent-encoded (:func:`sqlite_uri`), so names with ``#``,
``?``, ``%``, spaces or bytes that are not UTF-8 open the file they name.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.parse
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from stdpose_core.data.edits import Change
from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.track import FRAME_FIELDS, Track
from stdpose_core.errors import ProjectFileError, ProjectReadOnlyError, sqlite_problem
from stdpose_core.skeleton import SKELETONS, get_skeleton, skeleton_from_dict, skeleton_to_dict
from stdpose_core.store.lock import ProjectLock

CHUNK = 256
#: 2: per-frame person flags (``chunks.flags``: outside, truncated, box set by a person).
SCHEMA_VERSION = 2
#: 'STDP' as a big-endian int: marks a SQLite file as ours.
APPLICATION_ID = 0x53544450
#: Seconds a statement waits for SQLite's own locks (checkpoints, other programs) before "busy".
BUSY_TIMEOUT_S = 5
SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tracks (track_id INTEGER PRIMARY KEY, person_id INTEGER, name TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}');
CREATE TABLE chunks (
    track_id INTEGER NOT NULL, chunk INTEGER NOT NULL,
    xy BLOB, vis BLOB, score BLOB, source BLOB, model_version BLOB, reviewed BLOB, bbox BLOB, head_bbox BLOB, flags BLOB,
    PRIMARY KEY (track_id, chunk)
) WITHOUT ROWID;
CREATE TABLE frame_info (frame INTEGER PRIMARY KEY, labeled INTEGER NOT NULL, ignore_regions TEXT NOT NULL);
CREATE TABLE edit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, label TEXT NOT NULL, tracks TEXT NOT NULL,
    start INTEGER NOT NULL, stop INTEGER NOT NULL
);
"""

def _add_flags(conn: sqlite3.Connection) -> None:
    """1 -> 2: a ``flags`` column (NULL in old rows: no flags)."""
    if "flags" not in {row[1] for row in conn.execute("PRAGMA table_info(chunks)")}:
        conn.execute("ALTER TABLE chunks ADD COLUMN flags BLOB")


#: Migrations from version v to v + 1: ``MIGRATIONS[v](connection)``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_flags}


def sqlite_uri(path: str | Path, mode: str) -> str:
    """``file:`` URI of ``path`` for ``sqlite3.connect(..., uri=True)`` with ``?mode=`` (ro, rw, rwc).

    The path is made absolute and percent-encoded byte by byte, so ``#``, ``?``, ``%``, spaces,
    non-ASCII and non-UTF-8 names (Python's surrogate escapes) reach SQLite unchanged.
    """
    absolute = os.path.abspath(os.fspath(path))
    raw = os.fsencode(absolute)
    if os.name == "nt":  # pragma: no cover - C:\x -> /C:/x ; \\server\share -> ////server/share
        raw = raw.replace(b"\\", b"/")
        raw = b"/" + raw if not raw.startswith(b"//") else b"//" + raw
    return f"file:{urllib.parse.quote(raw, safe='/:')}?mode={mode}"


def read_header(path: Path) -> tuple[int, int]:
    """``(application_id, user_version)`` from a SQLite file's header, without opening a connection.

    (A connection, even a read-only one, may create ``-wal``/``-shm`` files beside the database; a
    file we refuse must stay exactly as it was, alone.) ProjectFileError for a non-SQLite file.
    """
    with open(path, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or head[:16] != SQLITE_MAGIC:
        raise ProjectFileError(path, "not a STDPose project (not an SQLite database)")
    return int.from_bytes(head[68:72], "big", signed=True), int.from_bytes(head[60:64], "big", signed=True)


def _pack(arr: np.ndarray) -> bytes:
    return zlib.compress(np.ascontiguousarray(arr).tobytes(), 1)


def _unpack(blob: bytes, name: str, n: int, k: int) -> np.ndarray:
    from stdpose_core.data.track import field_shape

    dtype = FRAME_FIELDS[name][0]
    return np.frombuffer(zlib.decompress(blob), dtype=dtype).reshape(field_shape(name, n, k)).copy()


class ProjectStore:
    """An open ``.stdpose`` file. Use :meth:`create` or :meth:`open`; :meth:`commit` after each edit.

    ``read_only``: opened without the write lock (commits raise ProjectReadOnlyError);
    ``lock``: the held :class:`~stdpose_core.store.lock.ProjectLock` of a writing store.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: ProjectLock | None = None, read_only: bool = False):
        self.path = path
        self._conn = conn
        self.lock = lock
        self.read_only = read_only

    # ---- opening -------------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path, write: bool = True) -> sqlite3.Connection:
        if write:
            mode = "rw"
        else:
            # A reader never commits. Where the folder is writable it still connects read-write, so
            # that closing the last connection removes the -wal/-shm files (a mode=ro connection
            # leaves them beside the project); on read-only media it connects mode=ro.
            writable = os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else ".", os.W_OK)
            mode = "rw" if writable else "ro"
        conn = sqlite3.connect(sqlite_uri(path, mode), uri=True, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_S)
        if write:
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk when commit() returns, not only safe from a killed process.
            conn.execute("PRAGMA synchronous=FULL")
        return conn

    @classmethod
    def create(cls, path: str | Path, project: Project, command: str | None = None) -> "ProjectStore":
        """Write a new project file (fails if ``path`` exists) holding ``project``; open for writing.

        The write lock is taken first, so two processes creating the same file cannot both succeed.
        """
        path = Path(path)
        if path.exists():
            raise ProjectFileError(path, "already exists; open it instead or choose another name")
        lock = cls._take_lock(path, command)
        try:
            if path.exists():
                raise ProjectFileError(path, "already exists; open it instead or choose another name")
            tmp = path.with_name(path.name + ".creating")
            tmp.unlink(missing_ok=True)
            try:
                conn = sqlite3.connect(sqlite_uri(tmp, "rwc"), uri=True, isolation_level=None)
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                store = cls(tmp, conn)
                store._write_all(project)
                conn.close()
                os.replace(tmp, path)  # never leave a half-written project under the real name
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            return cls(path, cls._connect(path), lock)
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def _take_lock(path: Path, command: str | None) -> ProjectLock:
        try:
            return ProjectLock.acquire(path, command)
        except PermissionError:
            raise ProjectFileError(path, "cannot be written: the folder is read-only (open it read-only)") from None
        except FileNotFoundError:
            raise ProjectFileError(path, f"cannot be written: folder {path.parent} does not exist") from None

    @classmethod
    def open(cls, path: str | Path, *, write: bool = True, command: str | None = None) -> tuple["ProjectStore", Project]:
        """Open an existing project file; raises :class:`ProjectFileError` with a clear reason.

        ``write=True`` takes the write lock for as long as the store is open, or raises
        :class:`~stdpose_core.store.lock.ProjectBusyError` naming the writer that holds it.
        ``write=False`` reads without a lock (WAL keeps the view consistent while someone writes).
        ``command`` (what the lock file says the writer is doing) defaults to the command line.
        """
        path = Path(path)
        if not path.is_file():
            raise ProjectFileError(path, "no such project file")
        # Checked from the header first: a file we refuse must stay byte-for-byte untouched.
        app_id, version = read_header(path)
        cls._check_kind(path, app_id, version)
        lock = cls._take_lock(path, command) if write else None
        try:
            conn = cls._connect(path, write)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            cls._check_kind(path, app_id, version)  # the header on disk may lag behind the WAL
            if not write and version < SCHEMA_VERSION:
                raise ProjectFileError(path, f"made by an older STDPose Annotator (file format {version}); open it "
                                             "for editing once to upgrade it")
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise ProjectFileError(path, f"damaged project file ({ok})")
            store = cls(path, conn, lock, read_only=not write)
            if write:
                store._migrate(version)
            project = store._read_all()
        except BaseException as exc:
            conn.close()
            if lock is not None:
                lock.release()
            if isinstance(exc, sqlite3.DatabaseError):  # damaged, or busy/unreadable: say which
                raise ProjectFileError(path, sqlite_problem(exc)) from None
            if isinstance(exc, (KeyError, ValueError, json.JSONDecodeError, zlib.error)) and not isinstance(exc, ProjectFileError):
                raise ProjectFileError(path, f"damaged project file ({type(exc).__name__}: {exc})") from None
            raise
        return store, project

    @staticmethod
    def _check_kind(path: Path, app_id: int, version: int) -> None:
        if app_id != APPLICATION_ID:
            raise ProjectFileError(path, "an SQLite database, but not a STDPose project")
        if version > SCHEMA_VERSION:
            raise ProjectFileError(path, f"made by a newer STDPose Annotator (file format {version}, "
                                         f"this version reads up to {SCHEMA_VERSION}); please upgrade")

    def _migrate(self, version: int) -> None:
        while version < SCHEMA_VERSION:
            with self._transaction():
                MIGRATIONS[version](self._conn)
                version += 1
                self._conn.execute(f"PRAGMA user_version={version}")

    def close(self) -> None:
        """Close the file and give the write lock up (idempotent)."""
        try:
            self._conn.close()
        finally:
            if self.lock is not None:
                self.lock.release()

    # ---- transactions --------------------------------------------------------------------
    def _transaction(self):
        conn = self._conn

        class _Tx:
            def __enter__(self_inner):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, exc, tb):
                conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
                return False

        return _Tx()

    # ---- writing ---------------------------------------------------------------------------
    def _write_meta(self, project: Project) -> None:
        v = project.video
        meta = {
            "skeleton": project.skeleton.name,
            "video": {"path": v.path, "num_frames": v.num_frames, "width": v.width, "height": v.height, "fps": v.fps, "frame_names": v.frame_names,
                      "frame_sizes": v.frame_sizes},
            # a file's own keypoint layout (SLEAP, DeepLabCut...) is stored whole; presets by name
            "skeleton_def": None if project.skeleton.name in SKELETONS else skeleton_to_dict(project.skeleton),
            "keyframe_interval": project.keyframe_interval,
            "model_versions": project.model_versions,
            "meta": project.meta,
        }
        self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, json.dumps(x)) for k, x in meta.items()])

    def _write_track_row(self, track: Track) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO tracks VALUES (?, ?, ?, ?)",
            (track.track_id, track.person_id, track.name, json.dumps(track.extra)),
        )

    def _write_chunks(self, track: Track, chunk_ids: range) -> None:
        rows = []
        for c in chunk_ids:
            sl = slice(c * CHUNK, min((c + 1) * CHUNK, track.num_frames))
            rows.append((track.track_id, c) + tuple(_pack(getattr(track, name)[sl]) for name in FRAME_FIELDS))
        cols = ", ".join(FRAME_FIELDS)
        marks = ", ".join("?" * (len(FRAME_FIELDS) + 2))
        self._conn.executemany(f"INSERT OR REPLACE INTO chunks (track_id, chunk, {cols}) VALUES ({marks})", rows)

    def _write_frame_info(self, project: Project, start: int, stop: int) -> None:
        self._conn.execute("DELETE FROM frame_info WHERE frame >= ? AND frame < ?", (start, stop))
        frames = set(np.flatnonzero(project.labeled[start:stop]) + start) | {f for f in project.ignore_regions if start <= f < stop}
        self._conn.executemany(
            "INSERT INTO frame_info VALUES (?, ?, ?)",
            [(int(f), int(project.labeled[f]), json.dumps([p.tolist() for p in project.ignore_regions.get(f, [])])) for f in sorted(frames)],
        )

    def _write_all(self, project: Project) -> None:
        with self._transaction():
            self._write_meta(project)
            n_chunks = (project.num_frames + CHUNK - 1) // CHUNK
            for track in project.tracks.values():
                self._write_track_row(track)
                self._write_chunks(track, range(n_chunks))
            self._write_frame_info(project, 0, project.num_frames)

    def _check_writable(self) -> None:
        if self.read_only:
            raise ProjectReadOnlyError(self.path, "is open read-only here; nothing was saved")

    def commit(self, project: Project, change: Change, label: str = "edit") -> None:
        """Persist what ``change`` says changed, in one transaction (durable when this returns)."""
        self._check_writable()
        with self._transaction():
            if change.structure:
                self._write_meta(project)
            else:
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('model_versions', ?)", (json.dumps(project.model_versions),))
            if change.tracks and change.stop > change.start:
                first, last = change.start // CHUNK, (change.stop - 1) // CHUNK
                for tid in sorted(change.tracks):
                    track = project.tracks.get(tid)
                    if track is None:
                        self._conn.execute("DELETE FROM tracks WHERE track_id=?", (tid,))
                        self._conn.execute("DELETE FROM chunks WHERE track_id=?", (tid,))
                        continue
                    if change.structure:
                        self._write_track_row(track)
                        self._conn.execute("DELETE FROM chunks WHERE track_id=?", (tid,))
                        self._write_chunks(track, range((project.num_frames + CHUNK - 1) // CHUNK))
                    else:
                        self._write_chunks(track, range(first, last + 1))
            if change.frame_info:
                self._write_frame_info(project, change.start, change.stop)
            self._conn.execute(
                "INSERT INTO edit_log (time, label, tracks, start, stop) VALUES (?, ?, ?, ?, ?)",
                (time.time(), label, json.dumps(sorted(change.tracks)), change.start, change.stop),
            )

    def save_settings(self, project: Project) -> None:
        """Persist project-level settings (keyframe interval, ``meta``) in one transaction."""
        self._check_writable()
        with self._transaction():
            self._write_meta(project)

    # ---- reading ---------------------------------------------------------------------------
    def _read_all(self) -> Project:
        meta = {k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}
        skeleton = skeleton_from_dict(meta["skeleton_def"]) if meta.get("skeleton_def") else get_skeleton(meta["skeleton"])
        video = VideoInfo(**meta["video"])
        project = Project(
            skeleton=skeleton,
            video=video,
            keyframe_interval=int(meta.get("keyframe_interval", 7)),
            model_versions=list(meta.get("model_versions", [])),
            meta=dict(meta.get("meta", {})),
        )
        n, k = video.num_frames, skeleton.num_joints
        for tid, person_id, name, extra in self._conn.execute("SELECT track_id, person_id, name, extra FROM tracks ORDER BY track_id"):
            project.tracks[tid] = Track.empty(tid, n, k, person_id=person_id, name=name, extra=json.loads(extra))
        cols = ", ".join(FRAME_FIELDS)
        for row in self._conn.execute(f"SELECT track_id, chunk, {cols} FROM chunks"):
            tid, c = row[0], row[1]
            track = project.tracks[tid]
            sl = slice(c * CHUNK, min((c + 1) * CHUNK, n))
            for name, blob in zip(FRAME_FIELDS, row[2:]):
                if blob is not None:  # a field added by a migration is NULL in older rows: left empty
                    getattr(track, name)[sl] = _unpack(blob, name, sl.stop - sl.start, k)
        for frame, labeled, regions in self._conn.execute("SELECT frame, labeled, ignore_regions FROM frame_info"):
            project.labeled[frame] = bool(labeled)
            polys = json.loads(regions)
            if polys:
                project.ignore_regions[frame] = [np.asarray(p, np.float32).reshape(-1, 2) for p in polys]
        return project

    def edit_count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM edit_log").fetchone()[0]

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    def last_edit_time(self) -> float | None:
        """When the last edit was committed (Unix time); None before the first."""
        value = self._conn.execute("SELECT MAX(time) FROM edit_log").fetchone()[0]
        return None if value is None else float(value)
