"""``stdpose models``: the trained STDPose models — list (model vs flow), activate, roll back,
remove, score (give a model its gate), export to ONNX."""

from __future__ import annotations

from pathlib import Path

from stdpose_core.cli.common import print_json
from stdpose_core.errors import InputError, StdposeError

#: What ``activate`` accepts instead of a model id: use no model ('auto' then runs flow).
NO_MODEL = "flow"


def register(sub) -> None:
    p = sub.add_parser("models", help="list, activate, roll back, score or export the trained STDPose models",
                       description="The model registry (stdpose-retrain writes it): which models exist, how each "
                                   "scored against optical flow on its validation clips, and which one is active. "
                                   "'auto' propagation uses the active model only if it beats flow there.")
    p.add_argument("--registry", metavar="JSON", help="registry file (default: the user's models folder)")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.required = True
    ls = msub.add_parser("list", help="the registered models, model vs flow side by side")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    act = msub.add_parser("activate", help="make a model the active one ('flow' = none)")
    act.add_argument("id", help=f"model id (see 'stdpose models list'), or '{NO_MODEL}' for none")
    act.add_argument("--force", action="store_true", help="activate a model that loses to flow (or was never "
                                                          "compared); 'auto' still uses flow, method 'stdpose' uses it")
    act.set_defaults(handler=cmd_activate)
    rb = msub.add_parser("rollback", help="re-activate the model that was active before")
    rb.set_defaults(handler=cmd_rollback)
    rm = msub.add_parser("remove", help="forget a model (its files stay)")
    rm.add_argument("id")
    rm.set_defaults(handler=cmd_remove)
    sc = msub.add_parser("score", help="score a model and flow on labelled data (gives an imported model its gate)")
    sc.add_argument("id")
    sc.add_argument("--data", action="append", required=True, metavar="SPEC",
                    help="densely labelled data: a project or ANNOTATIONS.json[:IMAGE_ROOT] (repeatable)")
    sc.add_argument("--every", type=int, default=7, metavar="T", help="keyframe interval (default 7)")
    sc.add_argument("--max", type=int, default=256, help="person-frames scored (default 256)")
    sc.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(handler=cmd_score)
    ex = msub.add_parser("export-onnx", help="export a model to its ONNX pair (runs without torch)")
    ex.add_argument("id", help="model id or a .pt checkpoint")
    ex.add_argument("--out", metavar="PATH.onnx", help="default: next to the checkpoint")
    ex.add_argument("--int8", action="store_true", help="onnxruntime dynamic int8 quantisation (faster on CPUs)")
    ex.set_defaults(handler=cmd_export)


def _registry():
    from stdpose_core.trained import model_registry

    return model_registry


def _row(entry: dict, active: str | None, auto_id: str | None) -> dict:
    from stdpose_core.trained.gate import gate_of

    gate = gate_of(entry)
    return {**entry, "active": entry["id"] == active, "used_by_auto": entry["id"] == auto_id,
            "file_exists": Path(str(entry.get("path", ""))).is_file(),
            "beats_flow": gate.beats_flow if gate else None, "margin": gate.margin if gate else None}


def _num(v, signed: bool = False) -> str:
    return "—" if v is None else (f"{v:+.1f}" if signed else f"{v:.1f}")


def cmd_list(args) -> int:
    from stdpose_core.trained.gate import choose_weights, gate_of

    reg = _registry()
    doc = reg.load_registry(args.registry)
    pick = choose_weights(registry=args.registry)
    auto_id = doc.get("active") if pick.origin == "registry" else None
    rows = [_row(m, doc.get("active"), auto_id) for m in doc["models"]]
    if args.json:
        print_json({"registry": str(reg.registry_path(args.registry)), "active": doc.get("active"),
                    "auto_uses": auto_id, "auto_note": pick.note, "models": rows})
        return 0
    if not rows:
        print(f"no trained models in {reg.registry_path(args.registry)}: propagation ('auto') uses optical flow")
        return 0
    print(f"{'':2}{'id':<40}{'arch':<15}{'model':>7}{'flow':>7}{'+/-':>7}{'T':>4}  note")
    for m in rows:
        gate = gate_of(m)
        a, b = (gate.model.get(gate.metric), gate.flow.get(gate.metric)) if gate else (None, None)
        note = "file missing" if not m["file_exists"] else ("auto uses it" if m["used_by_auto"] else
                                                            "never compared with flow" if gate is None else
                                                            "loses to flow" if not gate.beats_flow else "")
        print(f"{'*' if m['active'] else '':2}{m['id']:<40}{m.get('name', ''):<15}{_num(a):>7}{_num(b):>7}"
              f"{_num(m['margin'], signed=True):>7}{gate.every if gate else '—':>4}  {note}")
    print("(PCK@0.2 on each model's validation targets; flow on the same targets and T; * = active)")
    if auto_id is None:
        print(f"'auto' propagation uses optical flow: {pick.note}")
    return 0


def cmd_activate(args) -> int:
    from stdpose_core.trained.gate import activation_warning

    reg = _registry()
    if args.id == NO_MODEL:
        reg.set_active(None, args.registry)
        print("no model is active: propagation ('auto') uses optical flow")
        return 0
    entry = reg.get_model(args.id, args.registry)
    if not Path(str(entry.get("path", ""))).is_file():
        raise InputError(entry.get("path"), f"the checkpoint of {args.id} is missing; not activated")
    warning = activation_warning(entry)
    if warning and not args.force:
        raise StdposeError(f"{warning} Not activated; pass --force to activate it anyway")
    reg.set_active(args.id, args.registry, forced=bool(warning))
    print(f"activated {args.id}" + (f" (forced: {warning})" if warning else "; 'auto' propagation uses it"))
    return 0


def cmd_rollback(args) -> int:
    entry = _registry().rollback(args.registry)
    print(f"active again: {entry['id']}" if entry else "no model is active now: propagation ('auto') uses optical flow")
    return 0


def cmd_remove(args) -> int:
    _registry().remove_model(args.id, args.registry)
    print(f"removed {args.id} from the registry (its files stay)")
    return 0


def _checkpoint_of(ident: str, registry) -> tuple[str, dict | None]:
    """``(checkpoint path, registry entry or None)`` for a model id or a ``.pt`` path."""
    if ident.endswith((".pt", ".pth")):
        return ident, None
    entry = _registry().get_model(ident, registry)
    path = str(entry["path"])
    if not path.endswith((".pt", ".pth")):
        raise InputError(path, "this model is not a torch checkpoint (.pt); export and scoring need one")
    return path, entry


def cmd_score(args) -> int:
    try:
        from stdpose_core.training.validate import score_checkpoint
    except ImportError:
        raise StdposeError("scoring a model needs PyTorch, which this installation lacks") from None
    path, entry = _checkpoint_of(args.id, args.registry)
    v = score_checkpoint(path, args.data, args.every, args.max, args.device)
    if entry is not None:
        _registry().update_model(entry["id"], {"gate": v.gate.to_dict(), "calibration": v.calibration.to_meta()},
                                 args.registry)
    if args.json:
        print_json({"id": entry["id"] if entry else None, "gate": v.gate.to_dict(), "beats_flow": v.gate.beats_flow})
    else:
        print(f"{args.id}: {v.gate.summary()}" + ("; 'auto' may use it" if v.gate.beats_flow else "; 'auto' keeps flow"))
    return 0


def cmd_export(args) -> int:
    try:
        from stdpose_core.model.runtime.export import export_onnx
    except ImportError:
        raise StdposeError("ONNX export needs PyTorch, which this installation lacks") from None
    path, entry = _checkpoint_of(args.id, args.registry)
    out = Path(args.out) if args.out else Path(path).with_suffix(".int8.onnx" if args.int8 else ".onnx")
    # What was measured after training (stdpose models score) travels with the ONNX pair.
    extra = {k: entry[k] for k in ("gate", "calibration") if entry is not None and entry.get(k) is not None}
    files = export_onnx(path, out, quantize=args.int8, extra_meta=extra)
    if entry is not None:
        _registry().update_model(entry["id"], {"onnx_int8" if args.int8 else "onnx": str(files[0].resolve())}, args.registry)
    print("wrote " + " and ".join(str(f) for f in files))
    return 0
