"""Editing commands: pure edit builders (:mod:`.edits`), navigation queries (:mod:`.navigation`)
and command objects with an ``ask`` (dialog) and a ``do`` (push the edit) half (:mod:`.commands`)."""
