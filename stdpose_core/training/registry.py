"""Moved to :mod:`stdpose_core.trained.model_registry` (the registry sits below ``propagation`` and
``training`` so the two packages import each other in one direction only). This alias keeps imports
written on parallel branches working; new code imports ``stdpose_core.trained.model_registry``."""

from stdpose_core.trained.model_registry import *  # noqa: F403
from stdpose_core.trained.model_registry import (  # noqa: F401
    FORMAT,
    FORMAT_VERSION,
    add_model,
    get_active,
    list_models,
    load_registry,
    registry_path,
    remove_model,
    rollback,
    save_registry,
    set_active,
)
