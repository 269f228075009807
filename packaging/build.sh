#!/usr/bin/env bash
# Builds the one-folder desktop app into dist/stdpose-annotator (Linux, CPU runtime).
#   bash packaging/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
PY=.venv/bin/python
$PY -m pip install -q "pyinstaller>=6.5"
# Stage the default detector weights and their ONNX export (made here, with torch, so the build needs none).
rm -rf packaging/build/weights && mkdir -p packaging/build/weights/onnx
$PY - <<'PY'
import shutil
from pathlib import Path
from stdpose_core.detection.weights import resolve_detector_weights
from stdpose_core.detection.onnx_detector import export_onnx
stage = Path("packaging/build/weights")
pt = resolve_detector_weights()
shutil.copyfile(pt, stage / pt.name)
onnx = export_onnx(pt, 640)
shutil.copyfile(onnx, stage / "onnx" / onnx.name)
print("staged", pt.name, onnx.name)
PY
$PY -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/stdpose.spec
cp resources/stdpose-annotator.desktop dist/stdpose-annotator/
du -sh dist/stdpose-annotator
