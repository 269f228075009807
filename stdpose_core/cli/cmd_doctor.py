"""``stdpose doctor``: what is installed, which devices and weights were found, what is missing."""

from __future__ import annotations

from stdpose_core.cli.common import print_json


def register(sub) -> None:
    p = sub.add_parser("doctor", help="report versions, devices, weights and what is missing",
                       description="Check the installation: versions, GPU/CPU devices, onnxruntime providers, "
                                   "where weights were found, cache folders, and what is missing.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args) -> int:
    from stdpose_core.doctor import run_checks

    checks = run_checks()
    if args.json:
        print_json([c.__dict__ for c in checks])
        return 0
    width = max(len(c.topic) for c in checks) + 2
    for c in checks:
        print(f"{'  ' if c.ok else '! '}{c.topic:<{width}}{c.value}")
    missing = [c for c in checks if not c.ok]
    if missing:
        print("\nWhat is missing:")
        for c in missing:
            print(f"  - {c.topic}: {c.hint}")
    else:
        print("\nEverything needed was found.")
    return 0
