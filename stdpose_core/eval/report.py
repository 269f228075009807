"""The paper's table: per-joint values grouped into Head, Shoulder, ..., Ankle, Mean."""

from __future__ import annotations

import math

import numpy as np

from stdpose_core.skeleton import Skeleton

#: Table columns and the joints each averages (names absent from a skeleton are skipped).
TABLE_GROUPS: dict[str, tuple[str, ...]] = {
    "Head": ("head_top", "head_bottom", "nose", "left_eye", "right_eye", "left_ear", "right_ear"),
    "Shoulder": ("left_shoulder", "right_shoulder"),
    "Elbow": ("left_elbow", "right_elbow"),
    "Wrist": ("left_wrist", "right_wrist"),
    "Hip": ("left_hip", "right_hip"),
    "Knee": ("left_knee", "right_knee"),
    "Ankle": ("left_ankle", "right_ankle"),
}
COLUMNS = tuple(TABLE_GROUPS) + ("Mean",)


def table(values: np.ndarray, joints: np.ndarray, skeleton: Skeleton) -> dict[str, float]:
    """Group per-joint ``values[J]`` (for skeleton joints ``joints[J]``) into the table columns.

    Each column is the mean of its joints that have a value (NaN = no GT for that joint); Head is
    head_top, head_bottom and nose for PoseTrack18 (nose, eyes and ears for COCO-17, only the
    evaluated ones). Mean is the mean over all evaluated joints (poseval's 'Total'), not over columns.
    """
    by_name = {skeleton.joint_names[j]: float(v) for j, v in zip(joints, values)}
    out = {}
    for col, names in TABLE_GROUPS.items():
        vals = [by_name[n] for n in names if n in by_name and not math.isnan(by_name[n])]
        out[col] = float(np.mean(vals)) if vals else float("nan")
    finite = [v for v in by_name.values() if not math.isnan(v)]
    out["Mean"] = float(np.mean(finite)) if finite else float("nan")
    return out


def _num(v, digits: int = 1, width: int = 0) -> str:
    text = "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"
    return f"{text:>{width}}" if width else text


def format_table(result: dict, name: str = "") -> str:
    """Plain-text rendering of an :func:`~stdpose_core.eval.evaluate` result: one row in the paper's
    column order (Head, Shoulder, Elbow, Wrist, Hip, Knee, Ankle, Mean), then the summary numbers and
    what the distances were normalised by."""
    box = result.get("norm") == "box"
    what = {"pck": "PCK@0.5 (box)" if box else "PCKh@0.5"}.get(result.get("metric", ""), "AP (box@0.5)" if box else "AP")
    first = max(14, len(name) + 2, len(what) + 2)
    lines = [f"{'':<{first}}" + "".join(f"{c:>10}" for c in COLUMNS)]
    lines.append(f"{(name or what):<{first}}" + "".join(_num(result["table"].get(c), 1, 10) for c in COLUMNS))
    pck = "PCK (box)" if box else "PCKh"
    lines.append("")
    lines.append(f"mAP {_num(result.get('map'))}   {pck}@0.5 {_num(result.get('pckh05'))}   {pck}@0.2 {_num(result.get('pckh02'))}   "
                 f"mean error {_num(result.get('mean_px'), 2)} px")
    if "oks_ap" in result:
        lines.append(f"COCO OKS AP {_num(result['oks_ap'], 3)}")
    norm = ("person box: 0.125 x box diagonal (GT has no head boxes)" if box
            else "head size (0.6 x head-box diagonal) in videos with head boxes, else person box" if result.get("norm") == "mixed"
            else "head size: 0.6 x head-box diagonal")
    lines.append(f"distances normalised by {norm}; {result.get('frames', 0)} frames, "
                 f"{result.get('gt_people', 0)} GT / {result.get('pred_people', 0)} predicted people")
    lines.append(rule_line(result))
    lines.append("")
    lines += joint_table(result)
    return "\n".join(lines)


def rule_line(result: dict) -> str:
    """Which rule the means follow, and what the other rule gives."""
    missing = result.get("not_labelled") or []
    if result.get("rule") == "labelled-only":
        return ("labelled joints only: joints the GT never labels are left out"
                + (f" ({', '.join(missing)}; poseval's mAP with them as 0: {_num(result.get('map_official'))})" if missing else ""))
    if missing:
        return (f"poseval rule: joints the GT never labels score 0 and count in the means ({', '.join(missing)}); "
                f"labelled joints only: mAP {_num(result.get('map_labelled_only'))} (--labelled-joints-only)")
    return "poseval rule (every evaluated joint is labelled in the GT)"


def joint_table(result: dict) -> list[str]:
    """Per-joint AP and PCK@0.5 lines; joints the GT never labels are marked 'not labelled'."""
    missing = set(result.get("not_labelled") or [])
    ap, pck = result.get("ap") or {}, result.get("pck05") or {}
    if not ap:
        return []
    width = max(len(n) for n in ap) + 2
    box = result.get("norm") == "box"
    lines = [f"{'joint':<{width}}{'AP':>8}{'PCK@0.5 (box)' if box else 'PCKh@0.5':>14}"]
    for name, v in ap.items():
        mark = "   not labelled" + (" (scored 0)" if result.get("rule") != "labelled-only" else " (left out)") if name in missing else ""
        lines.append(f"{name:<{width}}{_num(v, 1, 8)}{_num(pck.get(name), 1, 14)}{mark}")
    return lines
