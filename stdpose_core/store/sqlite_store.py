"""The project file: SQLite (WAL), every applied edit committed in its own transaction.

Track arrays are stored in chunks of :data:`CHUNK` frames per track (one row per chunk, one
zlib-compressed blob per field), so committing an edit rewrites only the chunks it touched and opening
a 10,000-frame project reads a few hundred rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from stdpose_core.data.edits import Change
from stdpose_core.data.project import Project, VideoInfo
from stdpose_core.data.track import FRAME_FIELDS, Track
from stdpose_core.errors import ProjectFileError
from stdpose_core.skeleton import SKELETONS, get_skeleton, skeleton_from_dict, skeleton_to_dict

CHUNK = 256
#: 2: per-frame person flags (``chunks.flags``: outside, truncated, box set by a person).
SCHEMA_VERSION = 2
#: 'STDP' as a big-endian int: marks a SQLite file as ours.
APPLICATION_ID = 0x53544450

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tracks (track_id INTEGER PRIMARY KEY, person_id INTEGER, name TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}');
CREATE TABLE chunks (
    track_id INTEGER NOT NULL, chunk INTEGER NOT NULL,
    xy BLOB, vis BLOB, score BLOB, source BLOB, model_version BLOB, reviewed BLOB, bbox BLOB, head_bbox BLOB, flags BLOB,
    PRIMARY KEY (track_id, chunk)
) WITHOUT ROWID;
CREATE TABLE frame_info (frame INTEGER PRIMARY KEY, labeled INTEGER NOT NULL, ignore_regions TEXT NOT NULL);
CREATE TABLE edit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, label TEXT NOT NULL, tracks TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL);
"""

def _add_flags(conn: sqlite3.Connection) -> None:
    """1 -> 2: a ``flags`` column (NULL in old rows: no flags)."""
    if "flags" not in {row[1] for row in conn.execute("PRAGMA table_info(chunks)")}:
        conn.execute("ALTER TABLE chunks ADD COLUMN flags BLOB")


#: Migrations from version v to v + 1: ``MIGRATIONS[v](connection)``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_flags}


def _pack(arr: np.ndarray) -> bytes:
    return zlib.compress(np.ascontiguousarray(arr).tobytes(), 1)


def _unpack(blob: bytes, name: str, n: int, k: int) -> np.ndarray:
    from stdpose_core.data.track import field_shape

    dtype = FRAME_FIELDS[name][0]
    return np.frombuffer(zlib.decompress(blob), dtype=dtype).reshape(field_shape(name, n, k)).copy()


class ProjectStore:
    """An open ``.stdpose`` file. Use :meth:`create` or :meth:`open`; :meth:`commit` after each edit."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    # ---- opening -------------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when commit() returns, not only safe from a killed process.
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    @classmethod
    def create(cls, path: str | Path, project: Project) -> "ProjectStore":
        """Write a new project file (fails if ``path`` exists) holding ``project``."""
        path = Path(path)
        if path.exists():
            raise ProjectFileError(path, "already exists; open it instead or choose another name")
        tmp = path.with_name(path.name + ".creating")
        tmp.unlink(missing_ok=True)
        try:
            conn = sqlite3.connect(str(tmp), isolation_level=None)
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
        return cls(path, cls._connect(path))

    @classmethod
    def open(cls, path: str | Path) -> tuple["ProjectStore", Project]:
        """Open an existing project file; raises :class:`ProjectFileError` with a clear reason."""
        path = Path(path)
        if not path.is_file():
            raise ProjectFileError(path, "no such project file")
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00":
            raise ProjectFileError(path, "not a STDPose project (not an SQLite database)")
        try:
            # Read-only probe first: a file we refuse must stay byte-for-byte untouched.
            probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                app_id = probe.execute("PRAGMA application_id").fetchone()[0]
                version = probe.execute("PRAGMA user_version").fetchone()[0]
            finally:
                probe.close()
        except sqlite3.DatabaseError as exc:
            raise ProjectFileError(path, f"damaged project file ({exc})") from None
        if app_id != APPLICATION_ID:
            raise ProjectFileError(path, "an SQLite database, but not a STDPose project")
        if version > SCHEMA_VERSION:
            raise ProjectFileError(path, f"made by a newer STDPose Annotator (file format {version}, this version reads up to {SCHEMA_VERSION}); please upgrade")
        conn = cls._connect(path)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise ProjectFileError(path, f"damaged project file ({ok})")
            store = cls(path, conn)
            store._migrate(version)
            project = store._read_all()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ProjectFileError(path, f"damaged project file ({exc})") from None
        except ProjectFileError:
            conn.close()
            raise
        except (KeyError, ValueError, json.JSONDecodeError, zlib.error) as exc:
            conn.close()
            raise ProjectFileError(path, f"damaged project file ({type(exc).__name__}: {exc})") from None
        return store, project

    def _migrate(self, version: int) -> None:
        while version < SCHEMA_VERSION:
            with self._transaction():
                MIGRATIONS[version](self._conn)
                version += 1
                self._conn.execute(f"PRAGMA user_version={version}")

    def close(self) -> None:
        self._conn.close()

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

    def commit(self, project: Project, change: Change, label: str = "edit") -> None:
        """Persist what ``change`` says changed, in one transaction (durable when this returns)."""
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
