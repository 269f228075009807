"""Package list only (everything else is in pyproject.toml).

pyproject's declarative ``packages.find`` cannot map a folder to another package name, and the
repository's ``models/`` folder (configs and shipped weights) must install as ``stdpose_models`` so an
installed wheel finds them (``stdpose_core.paths.package_models_dir``).
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["stdpose_core*", "app*"]) + ["stdpose_models"],
    package_dir={"stdpose_models": "models"},
)
