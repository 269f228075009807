"""Random but smooth motion programs for the generated figures, and the camera path.

Every person walks, runs or stands in its own depth lane (so the occlusion order between two people
is fixed), turns around smoothly at the sides of the scene, and now and then makes a fast gesture
(wave, arm circle, punch, kick, jump...) on top of its gait. All random draws come from the person's
own generator in a fixed order, and the walk is simulated causally, so a shorter clip with the same
seed is exactly the prefix of a longer one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stdpose_core.synth import kinematics as kin

GAITS = ("walk", "run", "stand")


@dataclass(frozen=True)
class PersonMotion:
    """One person's motion over ``F`` frames.

    ``angles``: :data:`~stdpose_core.synth.kinematics.ANGLE_NAMES` -> ``[F]`` radians; ``yaw[F]``;
    ``root[F,3]`` world (x px, floor y px, depth px) under the pelvis; ``scale`` px per body height.
    """

    gait: str
    angles: dict[str, np.ndarray]
    yaw: np.ndarray
    root: np.ndarray
    scale: float
    lane: float


@dataclass(frozen=True)
class Lane:
    """Where a person lives in depth: 0 = nearest (largest, lowest in the frame), 1 = farthest."""

    t: float
    scale: float
    floor_y: float
    depth: float


def make_lanes(num: int, size: tuple[int, int], rng: np.random.Generator) -> list[Lane]:
    """``num`` lanes spread over the floor, in random order (person i gets lane i)."""
    _, h = size
    ts = (np.arange(num) + rng.uniform(0.2, 0.8, num)) / max(num, 1)
    ts = ts[rng.permutation(num)]
    return [Lane(float(t), h * (0.76 - 0.28 * t), h * (0.96 - 0.16 * t), 1000.0 + 4000.0 * t) for t in ts]


def camera_path(num_frames: int, size: tuple[int, int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """World position of the image's top-left pixel per frame, ``[F,2]`` px, and its bound ``[2]``.

    A sum of slow sines: a pan of up to ~12% of the width and a small tilt, at most ~4 px/frame at
    640 px width. The bound (sum of amplitudes) does not depend on ``num_frames``.
    """
    w, h = size
    t = np.arange(num_frames, dtype=float)[:, None]
    amp = np.array([[0.08 * w, 0.015 * h], [0.04 * w, 0.01 * h]]) * rng.uniform(0.5, 1.0, (2, 2))
    omega = rng.uniform(0.02, 0.05, (2, 2))
    phase = rng.uniform(0, 2 * np.pi, (2, 2))
    cam = sum(amp[k] * np.sin(omega[k] * t + phase[k]) for k in range(2))
    return cam, amp.sum(axis=0)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _gesture(kind: str, side: str, tau: np.ndarray, n: int, rng: np.random.Generator):
    """One gesture over its window (``tau`` in [0, 1], ``n`` frames).

    Returns ``(targets, offsets)``: angle name -> ``[n]`` values blended in with an ease-in/out
    envelope, and angle name -> ``[n]`` values added (whole turns that end where they started).
    """
    k = side[0]
    o = "r" if k == "l" else "l"
    frames = tau * (n - 1)
    if kind == "wave":
        w = rng.uniform(0.4, 0.6)
        return {f"sh_flex_{k}": np.full(n, rng.uniform(2.3, 2.9)), f"sh_abd_{k}": np.full(n, 0.35),
                f"elbow_{k}": 0.75 + 0.55 * np.sin(w * frames)}, {}
    if kind == "circle":
        turn = 2 * np.pi * rng.choice([-1.0, 1.0]) * _smoothstep(tau)
        return {f"sh_abd_{k}": np.full(n, 0.2), f"elbow_{k}": np.full(n, 0.1)}, {f"sh_flex_{k}": turn}
    if kind == "punch":
        p = np.sin(np.pi * tau)
        return {f"sh_flex_{k}": np.full(n, rng.uniform(1.3, 1.7)), f"sh_abd_{k}": np.full(n, 0.05),
                f"elbow_{k}": 2.2 * (1 - p) + 0.05}, {}
    if kind == "kick":
        p = np.sin(np.pi * tau)
        return {f"hip_flex_{k}": rng.uniform(1.0, 1.3) * p, f"knee_{k}": 1.5 * np.sin(np.pi * np.clip(1.6 * tau, 0, 1)),
                f"sh_flex_{o}": 0.6 * p, f"sh_abd_{o}": 0.5 * p}, {}
    if kind == "raise":
        return {"sh_flex_l": np.full(n, 2.8), "sh_flex_r": np.full(n, 2.8), "elbow_l": np.full(n, 0.15),
                "elbow_r": np.full(n, 0.15), "sh_abd_l": np.full(n, 0.3), "sh_abd_r": np.full(n, 0.3)}, {}
    if kind == "jump":
        crouch = 0.9 * np.abs(np.cos(np.pi * tau)) ** 6
        return {"knee_l": crouch, "knee_r": crouch, "hip_flex_l": 0.5 * crouch, "hip_flex_r": 0.5 * crouch,
                "sh_flex_l": 2.6 * np.sin(np.pi * tau), "sh_flex_r": 2.6 * np.sin(np.pi * tau)}, {}
    raise ValueError(kind)


GESTURES = ("wave", "circle", "punch", "kick", "raise", "jump")
_DURATION = {"wave": (16, 28), "circle": (30, 42), "punch": (8, 13), "kick": (10, 16), "raise": (18, 32),
             "jump": (12, 18)}


def _apply_gestures(angles: dict[str, np.ndarray], root: np.ndarray, scale: float, gait: str,
                    rng: np.random.Generator) -> None:
    """Overlay randomly scheduled gestures on ``angles`` and ``root`` (in place)."""
    f_total = len(root)
    t = float(rng.uniform(0, 18))
    gap = (25, 55) if gait != "stand" else (4, 22)
    while t < f_total:
        kind = str(rng.choice(GESTURES if gait == "stand" else ("wave", "circle", "punch", "raise")))
        side = str(rng.choice(["left", "right"]))
        dur = int(rng.integers(*_DURATION[kind]))
        start = int(t)
        n = min(start + dur, f_total) - start
        tau = np.arange(dur) / (dur - 1)
        targets, offsets = _gesture(kind, side, tau, dur, rng)
        i = np.arange(dur)
        ramp = max(4, dur // 3)
        w = (_smoothstep(i / ramp) * _smoothstep((dur - 1 - i) / ramp))[:n]
        win = slice(start, start + n)
        for name, g in targets.items():
            angles[name][win] = (1 - w) * angles[name][win] + w * g[:n]
        for name, g in offsets.items():
            angles[name][win] += g[:n]
        if kind == "jump":
            root[win, 1] -= 0.18 * scale * np.sin(np.pi * tau[:n]) ** 1.5
        t = start + dur + float(rng.uniform(*gap))


#: Lever arm (body heights) from each angle's joint to the end of the limb it moves.
_LEVER = {"lean": 0.46, "head_yaw": 0.1, "hip_flex": 0.575, "hip_abd": 0.575, "knee": 0.33,
          "sh_flex": 0.385, "sh_abd": 0.385, "elbow": 0.22}
#: Fastest a single angle may move a limb end, in frame heights per frame (27 px/frame at 360 px).
MAX_LIMB_SPEED = 0.075


def _limit_speed(angles: dict[str, np.ndarray], scale: float, height: int) -> None:
    """Cap every angle's rate so no single joint moves its limb end faster than
    :data:`MAX_LIMB_SPEED` (causal, so clip prefixes stay identical); in place."""
    for name, a in angles.items():
        lever = _LEVER[name.rsplit("_", 1)[0] if name[-2] == "_" else name] * scale
        lim = MAX_LIMB_SPEED * height / lever
        d = np.diff(a)
        if np.abs(d).max(initial=0.0) <= lim:
            continue
        out = a.copy()
        for t in range(1, len(a)):
            step = (a[t] - out[t - 1] + np.pi) % (2 * np.pi) - np.pi
            out[t] = out[t - 1] + min(max(step, -lim), lim)
        angles[name] = out


def _walk_path(f_total: int, x0: float, direction: int, speed: float, off: float, bounds: tuple[float, float],
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate x and yaw: walk along the facing direction, turn around smoothly past ``bounds``.

    Returns ``x[F]`` world px, ``yaw[F]`` radians (unwrapped) and ``moving[F]`` in [0, 1].
    """
    wander_a, wander_w, wander_p = rng.uniform(0.05, 0.25), rng.uniform(0.02, 0.06), rng.uniform(0, 2 * np.pi)
    turn_back = rng.random(64) < 0.4
    turns = 0
    branch = 0.0
    x = np.empty(f_total)
    yaw = np.empty(f_total)
    cur_x = x0
    cur_yaw = direction * (np.pi / 2 - off)
    for t in range(f_total):
        target = direction * (np.pi / 2 - off) + branch + wander_a * np.sin(wander_w * t + wander_p)
        cur_yaw += np.clip(0.12 * (target - cur_yaw), -0.12, 0.12)
        cur_x += speed * np.sin(cur_yaw)
        x[t], yaw[t] = cur_x, cur_yaw
        if (direction > 0 and cur_x > bounds[1]) or (direction < 0 and cur_x < bounds[0]):
            back = bool(turn_back[turns % 64])
            turns += 1
            # Turning through the back (psi passing pi) moves to the next 2*pi branch.
            if direction > 0 and back:
                branch += 2 * np.pi
            elif direction < 0 and not back:
                branch += 2 * np.pi
            direction = -direction
    moving = np.clip(np.abs(np.sin(yaw)) / np.sin(np.pi / 2 - off + 1e-9), 0.0, 1.0)
    return x, yaw, moving


def make_person(f_total: int, size: tuple[int, int], lane: Lane, rng: np.random.Generator,
                exits: bool = False) -> PersonMotion:
    """A random person's motion for ``f_total`` frames in ``lane`` (all draws from ``rng``).

    With ``exits``, most walkers and runners turn around only well outside the frame, so they leave
    it entirely and come back (some start outside); otherwise everybody turns inside the frame.
    """
    w, _ = size
    gait = str(rng.choice(GAITS, p=[0.45, 0.25, 0.3]))
    scale = lane.scale * rng.uniform(0.92, 1.05)
    t = np.arange(f_total, dtype=float)
    x0 = rng.uniform(0.1, 0.9) * w
    run = gait == "run"
    amp_hip = rng.uniform(0.45, 0.58) if run else rng.uniform(0.3, 0.45)
    period = rng.uniform(17, 21) if run else rng.uniform(24, 32)
    if gait == "stand":
        facing = 0.0 if rng.random() < 0.7 else np.pi  # mostly towards the camera, sometimes away
        amp, omega, phase0 = rng.uniform(0.3, 0.9), rng.uniform(0.02, 0.06), rng.uniform(0, 6.3)
        yaw = facing + amp * np.sin(omega * t + phase0)
        x = x0 + 0.04 * scale * np.sin(rng.uniform(0.03, 0.08) * t + rng.uniform(0, 6.3))
        moving = np.zeros(f_total)
    else:
        direction = 1 if (x0 < w / 2) == (rng.random() < 0.8) else -1
        speed = (0.9 if run else 1.0) * 4 * 0.5 * np.sin(amp_hip) / period * scale
        bounds = (0.1 * w, 0.9 * w)
        if exits and rng.random() < 0.7:
            bounds = (-0.3 * w - 0.3 * scale, 1.3 * w + 0.3 * scale)
            if rng.random() < 0.4:  # enter from outside the frame
                x0 = bounds[0] if direction > 0 else bounds[1]
        x, yaw, moving = _walk_path(f_total, x0, direction, speed, rng.uniform(0.0, 0.7), bounds, rng)
    # Gait phase advances only while the person moves forward.
    phase = rng.uniform(0, 2 * np.pi) + 2 * np.pi / period * np.cumsum(np.maximum(moving, 0.15))
    m = moving
    ph = {"l": phase, "r": phase + np.pi}
    angles: dict[str, np.ndarray] = {
        "lean": (0.18 if run else 0.04) * m + rng.uniform(-0.02, 0.05),
        "head_yaw": rng.uniform(0.1, 0.5) * np.sin(rng.uniform(0.02, 0.07) * t + rng.uniform(0, 6.3)),
    }
    amp_arm = rng.uniform(0.6, 0.8) if run else rng.uniform(0.25, 0.45)
    elbow0 = rng.uniform(1.3, 1.6) if run else rng.uniform(0.1, 0.35)
    knee_amp = 1.5 if run else 0.95
    abd = rng.uniform(0.08, 0.18)
    for k, p in ph.items():
        angles[f"hip_flex_{k}"] = amp_hip * np.sin(p) * m
        angles[f"hip_abd_{k}"] = np.full(f_total, 0.04)
        angles[f"knee_{k}"] = 0.06 + knee_amp * m * np.maximum(0.0, np.cos(p - 0.3)) ** 2
        angles[f"sh_flex_{k}"] = -amp_arm * np.sin(p) * m + 0.05 + 0.08 * (1 - m) * np.sin(0.05 * t + p)
        angles[f"sh_abd_{k}"] = abd + (0.1 if run else 0.0) + 0.05 * (1 - m)
        angles[f"elbow_{k}"] = elbow0 + 0.3 * m * np.maximum(0.0, -np.sin(p))
    bob = (0.03 if run else 0.012) * scale * np.cos(2 * phase) * m
    root = np.stack([x, lane.floor_y - np.abs(bob), np.full(f_total, lane.depth)], axis=1)
    _apply_gestures(angles, root, scale, gait, rng)
    _limit_speed(angles, scale, size[1])
    return PersonMotion(gait=gait, angles=angles, yaw=yaw, root=root, scale=float(scale), lane=lane.t)


def person_points(motion: PersonMotion) -> dict[str, np.ndarray]:
    """World 3D points ``{name: [F,3]}`` of one person (see :mod:`~stdpose_core.synth.kinematics`)."""
    return kin.to_world(kin.body_points(motion.angles), motion.yaw, motion.root, motion.scale)
