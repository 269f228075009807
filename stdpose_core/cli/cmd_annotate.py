"""The editor's annotation operations from the command line: thin wrappers over :mod:`stdpose_core.ops.annotate`.

Each command opens the project, builds the same edit the window builds for the same gesture, and
applies it through the session (committed to the file). Bad input (an unknown person, joint or
frame; an impossible request) ends in one line and exit 2 before anything is written. Unlike the
window, these commands do not re-propagate automatically: run ``stdpose propagate`` afterwards.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager

from stdpose_core.cli.common import parse_frame_range, print_json
from stdpose_core.errors import StdposeError


def register(sub) -> None:
    def cmd(name: str, help_: str, handler, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=description or help_[0].upper() + help_[1:] + ".")
        p.add_argument("project", help="the .stdpose project file")
        p.set_defaults(handler=handler)
        return p

    p = cmd("move-joint", "place or move one joint of a person on one frame", cmd_move_joint)
    _person_frame(p)
    p.add_argument("--joint", required=True, help="joint name (e.g. left_wrist) or index")
    p.add_argument("--xy", required=True, metavar="X,Y", help="position in pixels (0-based, x right, y down)")
    p.add_argument("--occluded", action="store_true", help="place it as occluded (visibility 1)")

    p = cmd("set-visibility", "set a joint visible, occluded or not labelled", cmd_set_visibility)
    _person_frame(p)
    p.add_argument("--joint", required=True, help="joint name (e.g. left_wrist) or index")
    p.add_argument("--vis", required=True, choices=["0", "1", "2"], help="0 not labelled, 1 occluded, 2 visible")

    p = cmd("add-person", "add a person from a box on one frame", cmd_add_person)
    p.add_argument("--frame", type=int, required=True)
    p.add_argument("--box", required=True, metavar="X1,Y1,X2,Y2", help="the person's box in pixels")

    p = cmd("set-box", "set a person's box on one frame (the pose stays)", cmd_set_box,
            "Set a person's box on one frame; detection and propagation keep a box set this way.")
    _person_frame(p)
    p.add_argument("--box", required=True, metavar="X1,Y1,X2,Y2", help="the box in pixels")

    p = cmd("set-flag", "mark a person out of view (outside) or truncated on frames A:B", cmd_set_flag,
            "Set or clear a person's flag on frames [A, B): 'outside' (not in view: removes the pose and "
            "box there, propagation stops there) or 'truncated' (cut off by the image edge; exported as "
            "the annotation attribute {\"truncated\": true}).")
    p.add_argument("person", type=int, help="person (track) id")
    p.add_argument("--frames", required=True, metavar="A:B", help="frames [A, B), e.g. 10:20")
    p.add_argument("--flag", required=True, choices=["outside", "truncated"])
    p.add_argument("--clear", action="store_true", help="clear the flag instead")

    p = cmd("delete-person", "remove a person from one frame, from a frame on, or everywhere", cmd_delete_person)
    _person_frame(p, frame_required=False)
    p.add_argument("--scope", choices=["frame", "forward", "all"], required=True)

    p = cmd("copy-pose", "copy each person's pose from their previous keyframe to a frame", cmd_copy_pose)
    p.add_argument("--frame", type=int, required=True)
    p.add_argument("--person", type=int, action="append", help="only this person (repeatable; default everyone)")

    p = cmd("accept-prelabels", "accept the detector's poses on a frame as they are (a keyframe)", cmd_accept_prelabels)
    p.add_argument("--frame", type=int, required=True)
    p.add_argument("--person", type=int, action="append", help="only this person (repeatable; default everyone)")

    p = cmd("swap-ids", "swap two people's ids from a frame on (fixes an identity switch)", cmd_swap_ids)
    p.add_argument("a", type=int, help="person id")
    p.add_argument("b", type=int, help="person id")
    p.add_argument("--from", dest="frame", type=int, required=True, help="first frame of the swap")

    p = cmd("merge", "merge person SRC into person DST", cmd_merge,
            "Merge person SRC into person DST (SRC disappears). On frames where both are present the merge "
            "is refused with the frames named, unless --keep says whose poses stay there.")
    p.add_argument("src", type=int)
    p.add_argument("dst", type=int)
    p.add_argument("--keep", choices=["refuse", "target", "source"], default="refuse",
                   help="on frames with both people: refuse (default), keep DST's poses, or SRC's")

    p = cmd("ignore-region", "add, delete, copy or list the ignore regions of a frame", cmd_ignore_region,
            "Ignore regions (PoseTrack ignore_regions) are polygons where nobody is annotated; stdpose eval "
            "drops joints inside the ground truth's regions and exports write them.")
    p.add_argument("--frame", type=int, required=True)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--add", metavar="X,Y,X,Y,...", help="a polygon of at least 3 points, in pixels")
    what.add_argument("--delete", type=int, metavar="I", help="remove region I (0-based, as --list shows)")
    what.add_argument("--copy-to", type=int, metavar="B", help="give frames after FRAME up to B-1 this frame's regions")
    what.add_argument("--list", action="store_true", help="print the frame's regions")
    p.add_argument("--json", action="store_true", help="with --list: JSON")

    p = cmd("mark-reviewed", "mark the people on frames A:B reviewed (or unmark them)", cmd_mark_reviewed)
    p.add_argument("--frames", required=True, metavar="A:B", help="frames [A, B), e.g. 10:20 or 7:8")
    p.add_argument("--person", type=int, action="append", help="only this person (repeatable)")
    p.add_argument("--unmark", action="store_true", help="remove the reviewed mark instead")

    p = cmd("review-queue", "list the joints the review queue shows, riskiest first", cmd_review_queue)
    p.add_argument("--threshold", type=float, default=0.5, help="confidence below this is low (default 0.5)")
    p.add_argument("--frames", metavar="A:B", help="only frames [A, B)")
    p.add_argument("--limit", type=int, help="at most this many items")
    p.add_argument("--json", action="store_true")

    p = cmd("suggest-keyframes", "list weak gaps and the frame to label next in each", cmd_suggest_keyframes)
    p.add_argument("--min-weakness", type=float, default=0.5, help="report gaps at least this weak (0-1, default 0.5)")
    p.add_argument("--json", action="store_true")


def _person_frame(p, frame_required: bool = True) -> None:
    p.add_argument("person", type=int, help="person (track) id, as P<id> in the editor")
    p.add_argument("--frame", type=int, required=frame_required, default=0 if not frame_required else None)


# ---- checks: every bad input becomes one line before the project is touched -------------------
@contextmanager
def _session(path: str):
    from stdpose_core.session import ProjectSession

    with ProjectSession.open(path) as s:
        yield s


def need_person(project, tid: int, where: str) -> None:
    if tid not in project.tracks:
        have = ", ".join(f"P{t}" for t in sorted(project.tracks)) or "nobody"
        raise StdposeError(f"{where}: no person {tid} (the project has {have})")


def need_frame(project, frame: int, where: str) -> None:
    if not 0 <= frame < project.num_frames:
        raise StdposeError(f"{where}: frame {frame} outside the video (0..{project.num_frames - 1})")


def joint_index(project, text: str, where: str) -> int:
    names = project.skeleton.joint_names
    k = int(text) if text.lstrip("-").isdigit() else (names.index(text) if text in names else -1)
    if not 0 <= k < len(names) or k in project.skeleton.unused:
        used = ", ".join(n for i, n in enumerate(names) if i not in project.skeleton.unused)
        raise StdposeError(f"{where}: unknown joint {text!r} (joints: {used})")
    return k


def numbers(text: str, n: int, what: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n:
        raise StdposeError(f"{what} {text!r}: expected {n} numbers separated by commas")
    return values


def _apply(session, build) -> object:
    """Build the edit (a ValueError from the rules becomes one line) and apply it."""
    try:
        edit = build()
    except ValueError as exc:
        raise StdposeError(f"{session.path}: {exc}") from None
    session.apply(edit)
    return edit


def _run_edit(args, build, people=(), frames=()) -> int:
    """Open the project, check ``people`` and ``frames`` exist, apply ``build(project)``, print its label."""
    with _session(args.project) as s:
        p = s.project
        for tid in people:
            need_person(p, tid, args.project)
        for f in frames:
            need_frame(p, f, args.project)
        edit = _apply(s, lambda: build(p))
    print(edit.label)
    return 0


# ---- commands ---------------------------------------------------------------------------------
def cmd_move_joint(args) -> int:
    from stdpose_core.ops.annotate import place_joint

    x, y = numbers(args.xy, 2, "--xy")
    with _session(args.project) as s:
        p = s.project
        need_person(p, args.person, args.project)
        need_frame(p, args.frame, args.project)
        k = joint_index(p, args.joint, args.project)
        if not (0 <= x <= p.video.width - 1 and 0 <= y <= p.video.height - 1):
            raise StdposeError(f"--xy {args.xy}: outside the {p.video.width}x{p.video.height} image")
        edit = _apply(s, lambda: place_joint(p, args.person, args.frame, k, (x, y), 1 if args.occluded else 2))
    print(f"{edit.label}: P{args.person} {p.skeleton.joint_names[k]} on frame {args.frame} at ({x:g}, {y:g})")
    return 0


def cmd_set_visibility(args) -> int:
    from stdpose_core.ops.annotate import set_visibility

    with _session(args.project) as s:
        p = s.project
        need_person(p, args.person, args.project)
        need_frame(p, args.frame, args.project)
        k = joint_index(p, args.joint, args.project)
        _apply(s, lambda: set_visibility(p, args.person, args.frame, k, int(args.vis)))
    names = {0: "not labelled", 1: "occluded", 2: "visible"}
    print(f"P{args.person} {p.skeleton.joint_names[k]} on frame {args.frame}: {names[int(args.vis)]}")
    return 0


def cmd_add_person(args) -> int:
    from stdpose_core.ops.annotate import add_person

    box = numbers(args.box, 4, "--box")
    with _session(args.project) as s:
        p = s.project
        need_frame(p, args.frame, args.project)
        if abs(box[2] - box[0]) < 1 or abs(box[3] - box[1]) < 1:
            raise StdposeError(f"--box {args.box}: the box is empty")
        edit = _apply(s, lambda: add_person(p, args.frame, box))
    print(f"added P{edit.track.track_id} on frame {args.frame}")
    return 0


def cmd_set_box(args) -> int:
    from stdpose_core.ops.annotate import set_box

    box = numbers(args.box, 4, "--box")
    with _session(args.project) as s:
        p = s.project
        need_person(p, args.person, args.project)
        need_frame(p, args.frame, args.project)
        _apply(s, lambda: set_box(p, args.person, args.frame, box))
    b = p.tracks[args.person].bbox[args.frame].tolist()
    print(f"P{args.person} box on frame {args.frame}: {', '.join(f'{v:g}' for v in b)}")
    return 0


def cmd_set_flag(args) -> int:
    from stdpose_core.ops.annotate import set_flag

    with _session(args.project) as s:
        p = s.project
        need_person(p, args.person, args.project)
        start, stop = parse_frame_range(args.frames, p.num_frames)
        edit = _apply(s, lambda: set_flag(p, args.person, start, stop, args.flag, not args.clear))
    print(edit.label)
    return 0


def cmd_delete_person(args) -> int:
    from stdpose_core.ops.annotate import delete_person

    return _run_edit(args, lambda p: delete_person(p, args.person, args.frame, args.scope), [args.person], [args.frame])


def cmd_copy_pose(args) -> int:
    from stdpose_core.ops.annotate import copy_previous_pose

    return _run_edit(args, lambda p: copy_previous_pose(p, args.frame, args.person), args.person or [], [args.frame])


def cmd_accept_prelabels(args) -> int:
    from stdpose_core.ops.annotate import accept_prelabels

    return _run_edit(args, lambda p: accept_prelabels(p, args.frame, args.person), args.person or [], [args.frame])


def cmd_swap_ids(args) -> int:
    from stdpose_core.ops.annotate import swap_ids

    return _run_edit(args, lambda p: swap_ids(p, args.a, args.b, args.frame), [args.a, args.b], [args.frame])


def cmd_merge(args) -> int:
    from stdpose_core.ops.annotate import merge_tracks

    return _run_edit(args, lambda p: merge_tracks(p, args.src, args.dst, args.keep), [args.src, args.dst])


def cmd_ignore_region(args) -> int:
    from stdpose_core.ops import regions

    with _session(args.project) as s:
        p = s.project
        need_frame(p, args.frame, args.project)
        if args.list:
            polys = [poly.tolist() for poly in regions.regions_at(p, args.frame)]
            if args.json:
                print_json({"frame": args.frame, "regions": polys})
            else:
                print(f"frame {args.frame}: {len(polys)} ignore region(s)")
                for i, poly in enumerate(polys):
                    print(f"  {i}: " + " ".join(f"({x:g}, {y:g})" for x, y in poly))
            return 0
        if args.add is not None:
            values = numbers(args.add, len(args.add.split(",")), "--add")
            if len(values) % 2:
                raise StdposeError(f"--add {args.add!r}: expected x,y pairs")
            edit = _apply(s, lambda: regions.add_region(p, args.frame, values))
        elif args.delete is not None:
            edit = _apply(s, lambda: regions.delete_region(p, args.frame, args.delete))
        else:
            edit = _apply(s, lambda: regions.copy_regions(p, args.frame, args.copy_to))
    print(edit.label)
    return 0


def cmd_mark_reviewed(args) -> int:
    from stdpose_core.ops.annotate import mark_reviewed

    with _session(args.project) as s:
        p = s.project
        start, stop = parse_frame_range(args.frames, p.num_frames)
        for tid in args.person or []:
            need_person(p, tid, args.project)
        _apply(s, lambda: mark_reviewed(p, start, stop, not args.unmark, args.person))
    print(f"frames {start}-{stop - 1} {'unmarked' if args.unmark else 'marked reviewed'}")
    return 0


def cmd_review_queue(args) -> int:
    from stdpose_core.review import reason_text, review_queue

    if not 0.0 <= args.threshold <= 1.0:
        raise StdposeError(f"--threshold {args.threshold}: must be between 0 and 1")
    with _session(args.project) as s:
        p = s.project
        frames = parse_frame_range(args.frames, p.num_frames) if args.frames else None
        q = review_queue(p, args.threshold, frames=frames)
    n = len(q) if args.limit is None else min(len(q), max(args.limit, 0))
    names = p.skeleton.joint_names
    items = [{"frame": int(q.frame[i]), "person": int(q.track[i]), "joint": names[int(q.joint[i])],
              "score": round(float(q.score[i]), 4), "risk": round(float(q.risk[i]), 4),
              "reasons": reason_text(int(q.reasons[i])).split(", ")} for i in range(n)]
    if args.json:
        print_json({"threshold": args.threshold, "total": len(q), "frames": len(q.frames), "items": items})
        return 0
    print(f"{len(q)} joints to check on {len(q.frames)} frames (confidence < {args.threshold:.2f} or suspicious)")
    for it in items:
        print(f"  frame {it['frame']:>6}  P{it['person']:<4} {it['joint']:<16} score {it['score']:.2f}  "
              f"risk {it['risk']:.2f}  {', '.join(it['reasons'])}")
    return 0


def cmd_suggest_keyframes(args) -> int:
    from dataclasses import asdict

    from stdpose_core.suggest import suggest_keyframes

    if not 0.0 <= args.min_weakness <= 1.0:
        raise StdposeError(f"--min-weakness {args.min_weakness}: must be between 0 and 1")
    with _session(args.project) as s:
        found = suggest_keyframes(s.project, min_weakness=args.min_weakness)
    if args.json:
        print_json({"suggestions": [asdict(x) for x in found]})
        return 0
    print(f"{len(found)} weak gaps")
    for x in found:
        print(f"  P{x.track_id:<4} frames {x.start}-{x.stop - 1}: label frame {x.frame} ({x.reason}, weakness {x.weakness:.2f})")
    return 0
