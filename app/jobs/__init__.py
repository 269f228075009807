"""Background jobs of the editor (issue 8): detect, propagate, automatic re-propagation, export.

The window builds a :class:`~app.jobs.controller.LoopJobs` (``window.jobs``): the Jobs menu, toolbar
buttons and the status-bar progress. The jobs themselves are the core's (:mod:`stdpose_core.ops.jobs`).
"""
