"""Generated test clips: moving articulated figures rendered with exact PoseTrack18 ground truth.

``generate_clip(persons, frames, size=(W, H), seed)`` renders a clip in memory; ``make_scene`` +
``ground_truth`` + ``iter_frames`` do the same frame by frame for long clips; ``write_clip`` /
``write_scene_job`` save ``OUT/frames/000000.jpg...`` (or ``OUT/clip.mp4``) and ``OUT/gt.json``.
"""

from stdpose_core.synth.clip import SynthClip, generate_clip, iter_frames
from stdpose_core.synth.groundtruth import frame_name, ground_truth
from stdpose_core.synth.scene import Scene, make_scene
from stdpose_core.synth.writer import write_clip, write_scene_job

__all__ = ["Scene", "SynthClip", "frame_name", "generate_clip", "ground_truth", "iter_frames", "make_scene",
           "write_clip", "write_scene_job"]
