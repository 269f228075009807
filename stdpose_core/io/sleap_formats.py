"""SLEAP ``.slp``, DeepLabCut CollectedData (CSV, or the CSV beside an H5) and Label Studio JSON,
read with sleap-io (the optional extra ``[formats]``) and turned into a Project.

sleap-io gives ``Labels``: videos, labelled frames (video, frame index, instances), one or more
skeletons, tracks. Conversion:

* skeleton: the labels' first skeleton; COCO-17 / PoseTrack18 when its node names are a preset's,
  else the file's own (names, edges, left/right pairs from the names);
* frames: one video's frames (``video``: its file name or index when the file has several), or —
  when every video is a single image (Label Studio tasks, DeepLabCut's labelled images of one
  folder) — one frame per image, in file order;
* points: placed and visible → 2, placed but marked not visible → 1 (occluded), missing (NaN) → 0;
  predicted instances keep their point scores and instance ``score`` (carried);
* tracks: a SLEAP track is a track (its name kept); untracked instances of a single-animal video
  (at most one per frame: DeepLabCut, single-animal SLEAP) are one track; otherwise each untracked
  instance is its own track (photo collections).

Left out (said in the import summary): further skeletons, suggestions, and per-video metadata
that the project has no place for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stdpose_core.data import Project, VideoInfo
from stdpose_core.errors import InputError
from stdpose_core.io.carry import INTEROP, new_interop
from stdpose_core.io.frame_names import basename
from stdpose_core.io.records import MAX_COORD, PersonRecord, build_project
from stdpose_core.skeleton import file_skeleton

INSTALL_HINT = "pip install 'stdpose-annotator[formats]' (or: pip install sleap-io)"


def _sleap_io(fmt: str, path: Path):
    try:
        import sleap_io
    except ImportError:
        from stdpose_core.io.format_detection import FORMAT_NAMES

        raise InputError(path, f"a {FORMAT_NAMES[fmt]} file; reading it needs sleap-io: {INSTALL_HINT}") from None
    return sleap_io


def _dlc_csv(path: Path) -> Path:
    """The CSV to read for a DeepLabCut table: the file itself, or the CSV DeepLabCut writes beside
    its H5 (reading the H5 itself would need PyTables)."""
    if path.suffix.lower() in (".h5", ".hdf5"):
        csv = path.with_suffix(".csv")
        if not csv.is_file():
            raise InputError(path, f"a DeepLabCut H5 table; read is the CSV DeepLabCut writes beside it ({csv.name}), which is missing")
        return csv
    return path


def load_labels(path: Path, fmt: str):
    """sleap-io ``Labels`` of the file (errors become one :class:`InputError` line)."""
    sio = _sleap_io(fmt, path)
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fmt == "sleap":
                return sio.load_slp(str(path), open_videos=False)
            if fmt == "dlc":
                return sio.load_dlc(str(_dlc_csv(path)))
            return _labelstudio(path)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - sleap-io raises many kinds on a damaged file
        raise InputError(path, f"sleap-io could not read it as {fmt}: {type(e).__name__}: {str(e)[:200]}") from None


def _labelstudio(path: Path):
    """sleap-io's Label Studio parser (relations, percent → pixels) on the tasks of a Label Studio
    export. sleap-io finds each task's image only in ``meta.video`` (what it writes itself); a
    Label Studio export names it in ``data.image`` with the size on every result, so that is
    filled in first."""
    from sleap_io.io import labelstudio

    from stdpose_core.io.jsonfile import load_json

    tasks = load_json(path)
    tasks = [tasks] if isinstance(tasks, dict) else tasks
    sizes, names, boxes = {}, [], 0
    for n, task in enumerate(tasks):
        if not isinstance(task, dict):
            raise InputError(path, f"task {n}: expected an object")
        meta = task.setdefault("meta", {}) if isinstance(task.get("meta", {}), dict) else {}
        if "video" not in meta:
            data = task.get("data") if isinstance(task.get("data"), dict) else {}
            image = next((v for v in data.values() if isinstance(v, str)), f"task_{task.get('id', n)}")
            results = [r for a in task.get("annotations") or task.get("completions") or [] for r in a.get("result", [])]
            w = next((r.get("original_width") for r in results if r.get("original_width")), None)
            h = next((r.get("original_height") for r in results if r.get("original_height")), None)
            meta["video"] = {"filename": image, "shape": [1, h, w, 3] if w and h else None, "frame_idx": 0}
            task["meta"] = meta
            if w and h:
                sizes[image] = [int(w), int(h)]
        for a in task.get("annotations") or task.get("completions") or []:
            for r in a.get("result", []) if isinstance(a, dict) else []:
                if isinstance(r, dict) and r.get("type") == "keypointlabels":
                    names += list((r.get("value") or {}).get("keypointlabels") or [])
                boxes += isinstance(r, dict) and r.get("type") == "rectanglelabels"
    # sleap-io infers the nodes as a set (an order that changes between runs): give them in file order
    from sleap_io import Skeleton as SioSkeleton

    labels = labelstudio.parse_tasks(tasks, SioSkeleton(nodes=list(dict.fromkeys(names))))
    labels.provenance["stdpose_sizes"] = sizes
    if boxes:
        labels.provenance["stdpose_left_out"] = [f"{boxes} person box(es) (rectanglelabels): sleap-io groups points by them but keeps no boxes"]
    return labels


def _video_name(video) -> str:
    f = video.filename
    if isinstance(f, (list, tuple)):
        return str(Path(f[0]).parent) if f else ""
    return str(f)


def sleap_io_videos(path: Path, fmt: str) -> list[str]:
    labels = load_labels(path, fmt)
    if _single_images(labels):
        return [""]
    return [basename(_video_name(v)) for v in labels.videos]


def _single_images(labels) -> bool:
    """Every video one image (Label Studio tasks, labelled image lists)."""
    counts: dict[int, set] = {}
    for lf in labels.labeled_frames:
        counts.setdefault(id(lf.video), set()).add(lf.frame_idx)
    return len(labels.videos) > 1 and all(len(v) == 1 for v in counts.values())


def _choose(labels, path: Path, video: str | None):
    vids = labels.videos
    if not vids:
        raise InputError(path, "no labelled images found: sleap-io reads a DeepLabCut table only with its labelled images "
                               "beside it (labeled-data/<video>/img*.png)" if path.suffix.lower() in (".csv", ".h5")
                               else "no videos or images in the file")
    if video is None:
        if len(vids) > 1:
            names = [basename(_video_name(v)) for v in vids]
            raise InputError(path, f"holds {len(vids)} videos ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''}); choose one (--video NAME)")
        return vids[0]
    for i, v in enumerate(vids):
        if video in (basename(_video_name(v)), _video_name(v), str(i)):
            return v
    raise InputError(path, f"no video {video!r}; the file holds {', '.join(basename(_video_name(v)) for v in vids)}")


def _points(inst, sk, names) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = inst.points
    k = sk.num_joints
    xy = np.zeros((k, 2), np.float32)
    vis = np.zeros(k, np.int8)
    score = np.zeros(k, np.float32)
    raw = np.asarray(pts["xy"], np.float64)
    visible = np.asarray(pts["visible"], bool)
    scores = np.asarray(pts["score"], np.float64) if "score" in (pts.dtype.names or ()) else None
    for i, name in enumerate(names):
        j = sk.index(name)
        if np.isfinite(raw[i]).all():
            if (np.abs(raw[i]) > MAX_COORD).any():
                raise ValueError(f"joint {name!r} has a coordinate out of range ({raw[i].tolist()})")
            xy[j] = raw[i]
            vis[j] = 2 if visible[i] else 1
            score[j] = float(scores[i]) if scores is not None and np.isfinite(scores[i]) else 1.0
    return xy, vis, score


def read_with_sleap_io(path: Path, fmt: str, video: str | None = None) -> Project:
    """A SLEAP / DeepLabCut / Label Studio file as a Project (module docstring)."""
    labels = load_labels(path, fmt)
    if not labels.skeletons:
        raise InputError(path, "no skeleton (keypoint names) in the file")
    ssk = labels.skeletons[0]
    names = [n.name for n in ssk.nodes]
    try:
        sk = file_skeleton(ssk.name or fmt, names, ssk.edge_inds)
    except ValueError as e:
        raise InputError(path, str(e)) from None
    photos = _single_images(labels)
    left_out = list(labels.provenance.get("stdpose_left_out") or [])
    if len(labels.skeletons) > 1:
        left_out.append(f"{len(labels.skeletons) - 1} further skeleton(s) and their instances")
    if getattr(labels, "suggestions", None):
        left_out.append(f"{len(labels.suggestions)} suggested frame(s)")
    if photos:
        frames_of = {id(v): i for i, v in enumerate(labels.videos)}
        frame_of = lambda lf: frames_of[id(lf.video)]  # noqa: E731
        nf = len(labels.videos)
        frame_names = [basename(_video_name(v)) for v in labels.videos]
        vpath = str(Path(_video_name(labels.videos[0])).parent)
        chosen = None
    else:
        chosen = _choose(labels, path, video)
        frame_of = lambda lf: int(lf.frame_idx)  # noqa: E731
        idx = [lf.frame_idx for lf in labels.labeled_frames if lf.video is chosen]
        shape = _shape(chosen)
        nf = max(shape[0] if shape else 0, max(idx, default=-1) + 1)
        fn = chosen.filename
        frame_names = [basename(x) for x in fn] if isinstance(fn, (list, tuple)) and len(fn) == nf else None
        vpath = _video_name(chosen)
        if len(labels.videos) > 1:
            left_out.append(f"{len(labels.videos) - 1} other video(s) of the file (import them with --video)")
    track_ids = {id(t): i for i, t in enumerate(labels.tracks)}
    next_id = len(labels.tracks)
    # Untracked single-animal labels of one video (DeepLabCut, single-animal SLEAP) are one subject
    one_subject = not photos and not labels.tracks and all(
        sum(1 for i in lf.instances if i.skeleton is ssk) <= 1 for lf in labels.labeled_frames if lf.video is chosen)
    records = []
    for lf in labels.labeled_frames:
        if chosen is not None and lf.video is not chosen:
            continue
        for inst in lf.instances:
            if inst.skeleton is not ssk:
                continue
            tid = track_ids.get(id(inst.track)) if inst.track is not None else (0 if one_subject else None)
            if tid is None:
                tid, next_id = next_id, next_id + 1
            xy, vis, score = _points(inst, sk, [n.name for n in inst.skeleton.nodes])
            extra = {"score": float(inst.score)} if hasattr(inst, "score") and inst.score is not None and np.isfinite(inst.score) else None
            records.append(PersonRecord(frame=frame_of(lf), track_id=tid, xy=xy, vis=vis, score=score,
                                        bbox=np.full(4, np.nan, np.float32), head_bbox=np.full(4, np.nan, np.float32), extra=extra))
    width, height, frame_sizes = 0, 0, None
    if photos:
        known = labels.provenance.get("stdpose_sizes") or {}
        shapes = [_shape(v) for v in labels.videos]
        sizes = [[int(sh[2]), int(sh[1])] if sh and sh[1] and sh[2] else list(known.get(_video_name(v), [0, 0]))
                 for v, sh in zip(labels.videos, shapes)]
        width, height = max(w for w, _ in sizes), max(h for _, h in sizes)
        if len({tuple(x) for x in sizes}) > 1:
            frame_sizes = sizes
    else:
        shape = _shape(chosen)
        if shape and shape[1] and shape[2]:
            height, width = int(shape[1]), int(shape[2])
    labeled = np.zeros(nf, bool)
    labeled[sorted({r.frame for r in records})] = True
    info = VideoInfo(path=vpath, num_frames=nf, width=width, height=height, frame_names=frame_names, frame_sizes=frame_sizes)
    carried = new_interop(fmt, str(path), {})
    carried["left_out"] = left_out
    project = build_project(sk, info, records, labeled, {}, {INTEROP: carried}, str(path))
    for i, t in enumerate(labels.tracks):
        if i in project.tracks:
            project.tracks[i].name = str(t.name or "")
    return project


def _shape(video):
    try:
        return video.shape if video is not None else None
    except Exception:  # noqa: BLE001 - a backend that cannot open the file: size unknown
        return None
