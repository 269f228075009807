"""The repository's ``models/`` folder, installed as the data package ``stdpose_models``.

It holds the registered model configs (``*.yaml``) and the weights that ship with the app
(``weights/``). No code lives here; find the folder with
:func:`stdpose_core.paths.package_models_dir`, which works in a source checkout, an installed wheel
and the desktop build alike.
"""
