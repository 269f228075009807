"""The timeline dock: per-track state strips over the whole video, ruler, scrubbing, playback."""
