"""Editing commands: command objects with an ``ask`` (dialog) and a ``do`` (push the edit) half
(:mod:`.commands`) over the core's edit builders (:mod:`stdpose_core.ops.annotate`)."""
