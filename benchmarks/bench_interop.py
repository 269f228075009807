"""Interop without loss: for every fixture (tests/fixtures/interop) and genuine file (../shared/data),
what is read, what is written and what is lost.

For each file: the detected format and what the reader holds (people, person-frames, labelled
joints, frames, fields carried verbatim, what was left out). Then every export the file's layout
allows: the file's own format field by field against the source (``lost`` / ``changed`` /
``added`` fields, see stdpose_core.io.fielddiff), and the other formats as what they hold
(annotations, labelled joints) and what the conversion loses. YOLO-pose is written for files
whose images are at hand. Genuine files are skipped when ../shared/data is absent.

Usage: .venv/bin/python benchmarks/bench_interop.py [--shared DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIXTURES = REPO / "tests" / "fixtures" / "interop"


def files(shared: Path) -> list[tuple[str, Path, dict]]:
    out = [(f"fixture {p.relative_to(FIXTURES)}", p, {}) for p in (
        FIXTURES / "cvat_coco_keypoints.json", FIXTURES / "posetrack21_person_id.json", FIXTURES / "coco_segmentation_crowd.json",
        FIXTURES / "label_studio_keypoints.json", FIXTURES / "dlc/labeled-data/mouse1/CollectedData_Alex.csv", FIXTURES / "xanylabeling",
        FIXTURES / "poseval_nose_never_labelled/gt.json", FIXTURES / "poseval_nose_never_labelled/pred.json")]
    if shared.is_dir():
        pt = shared / "posetrack18_samples/annotations"
        for name in ("003418_mpii_test", "009473_mpii_test", "012834_mpii_test"):
            out.append((f"genuine {name}.json", pt / f"val/{name}.json", {}))
        for vid in ("012834", "009473", "003418"):
            out.append((f"genuine test_posetrack18_val.json --video {vid}", pt / "test_posetrack18_val.json", {"video": vid}))
        out.append(("genuine test_posetrack18_human_detections.json", pt / "test_posetrack18_human_detections.json", {}))
        out.append(("genuine coco_samples/test_coco.json", shared / "coco_samples/test_coco.json", {}))
        out.append(("genuine jhmdb_goalkeeping/gt_posetrack18.json", shared / "jhmdb_goalkeeping/gt_posetrack18.json", {}))
    return out


def source_view(src, video: str | None):
    if video is None or not isinstance(src, dict):
        return src
    ids = {im["id"] for im in src["images"] if im.get("vid_id") == video}
    return {**src, "images": [im for im in src["images"] if im["id"] in ids], "annotations": [a for a in src["annotations"] if a["image_id"] in ids]}


def count(doc) -> tuple[int, int]:
    """Entries, and labelled joints: any (x, y, v) that is not (0, 0, 0) (PoseTrack21 writes an
    occluded joint as v = 0 with its coordinates)."""
    anns = doc if isinstance(doc, list) else doc.get("annotations", [])
    joints = sum(1 for a in anns if isinstance(a.get("keypoints"), list)
                 for i in range(0, len(a["keypoints"]), 3) if any(a["keypoints"][i:i + 3]))
    return len(anns), joints


def field_kinds(paths: list[str]) -> list[str]:
    """``images[id=785].license`` → ``images.license`` (one name per kind of field)."""
    return sorted({re.sub(r"\[[^\]]*\]", "", p) for p in paths})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--verbose", action="store_true", help="list every lost/changed/added field")
    args = ap.parse_args()
    if not args.shared.is_dir() and Path("/work/shared/data").is_dir():
        args.shared = Path("/work/shared/data")
    warnings.simplefilter("ignore")

    from stdpose_core.errors import StdposeError
    from stdpose_core.io import import_summary, read_annotations, write_annotations
    from stdpose_core.io.fielddiff import field_differences
    from stdpose_core.io.summary import summary_lines

    tmp = Path(tempfile.mkdtemp(prefix="bench_interop_"))
    totals = {"files": 0, "own-format round trips": 0, "lost": 0, "changed": 0}
    for label, path, opts in files(args.shared):
        print(f"\n== {label}")
        try:
            p = read_annotations(path, **opts)
        except StdposeError as e:
            print(f"   refused: {e}")
            continue
        totals["files"] += 1
        s = import_summary(p)
        for line in summary_lines(s):
            print("   " + line)
        fmt = p.meta["format"]
        src = json.loads(path.read_text()) if path.is_file() and path.suffix == ".json" else None
        targets = ["posetrack18", "posetrack21", "coco", "coco-results"]
        for out_fmt in targets:
            skeleton = p.skeleton.name if out_fmt in ("coco", "coco-results") and p.skeleton.name in ("coco17", "posetrack18") and fmt in ("coco", "coco-results") else None
            out = tmp / f"{abs(hash(label))}_{out_fmt}.json"
            try:
                view = write_annotations(p, out, out_fmt, skeleton=skeleton)
            except StdposeError as e:
                print(f"   → {out_fmt:<12} not written: {e}")
                continue
            doc = json.loads(out.read_text())
            n_ann, n_joints = count(doc)
            line = f"   → {out_fmt:<12} {n_ann} entries, {n_joints} labelled joints ({view.skeleton.name})"
            if out_fmt == fmt and src is not None:
                d = field_differences(source_view(src, opts.get("video")), doc)
                totals["own-format round trips"] += 1
                totals["lost"] += len(d["lost"])
                totals["changed"] += len(d["changed"])
                added = field_kinds(d["added"])
                line += f"; field by field vs the source: {len(d['lost'])} lost, {len(d['changed'])} changed, {len(d['added'])} added"
                if d["added"]:
                    line += f" ({', '.join(added[:6])}{', ...' if len(added) > 6 else ''})"
                if args.verbose:
                    for kind in ("lost", "changed", "added"):
                        for f in d[kind]:
                            print(f"        {kind}: {f}")
            elif view.skeleton.joint_names != p.skeleton.joint_names:
                import numpy as np

                from stdpose_core.skeleton import conversion_loss, describe_loss

                vis = np.concatenate([t.vis for t in p.tracks.values()]) if p.tracks else np.zeros((0, p.num_joints), np.int8)
                loss = conversion_loss(vis, p.skeleton, view.skeleton)
                line += f"; {describe_loss(loss, p.skeleton, view.skeleton)}"
            print(line)
    print("\n== totals")
    print("   " + ", ".join(f"{k}: {v}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
