"""Write reference outputs of PyTorch's CPU ``torch.randn`` stream for the Java TorchCompatibleNoise tests.

Each case seeds a generator, makes one or more consecutive ``torch.randn(n, dtype=torch.float32)`` calls on
it and stores the concatenated outputs as one float32 ``.npy`` file. ``index.json`` lists the cases with the
call sizes, the seed (as a decimal string, since seeds go up to 2**64 - 1), whether the explicit
``torch.Generator`` or the default generator (``torch.manual_seed``) was used, and the CPU kernel
(``torch.backends.cpu.get_cpu_capability()``) that produced them: the float Box-Muller kernel differs in the
last bits between the AVX2 and the portable ("DEFAULT") builds, so fixtures are written for both.

Usage: python gen_noise_fixtures.py --out sdk/src/test/resources/noise
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SEEDS: tuple[int, ...] = (0, 1, 42, 2**32 + 5, 2**63 - 25)
SMALL_SIZES: tuple[int, ...] = (1, 3, 15, 16, 17, 100)
# Sequences exercise the Box-Muller cache of the n < 16 path and the re-drawn tail of the n >= 16 path.
SMALL_SEQUENCES: tuple[tuple[int, ...], ...] = (
    (3, 3, 3),
    (1, 17, 1, 2),
    (15, 16, 17, 100),
    (100, 3, 20, 5, 33),
)
# 16384 = 1x1x128x128 and 81920 = 5x1x128x128: the initial and per-step noise of a diffusion run.
LARGE_CASES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (0, (16384, 16384, 16384)),
    (42, (81920, 81920)),
    (2**63 - 25, (3, 16384, 81920)),
)
DEFAULT_GENERATOR_CASES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (1234, (5, 16384, 7)),
    (42, (81920,)),
    (2**64 - 7, (17, 5, 3)),
)
# The portable kernel is checked on a smaller grid: it is the fallback, not the common case.
PORTABLE_CASES: tuple[tuple[int, tuple[int, ...]], ...] = (
    (42, (81920,)),
    (0, (3, 17, 100, 16384)),
)


@dataclass(frozen=True)
class Case:
    seed: int
    calls: tuple[int, ...]
    default_generator: bool = False


def cases_for(capability: str) -> list[Case]:
    if capability == "DEFAULT":
        return [Case(seed, calls) for seed, calls in PORTABLE_CASES]
    cases = [Case(seed, (n,)) for seed in SEEDS for n in SMALL_SIZES]
    cases += [Case(seed, calls) for seed in SEEDS for calls in SMALL_SEQUENCES]
    cases += [Case(seed, calls) for seed, calls in LARGE_CASES]
    cases += [Case(seed, calls, default_generator=True) for seed, calls in DEFAULT_GENERATOR_CASES]
    return cases


def run_case(case: Case):
    import numpy as np
    import torch

    if case.default_generator:
        torch.manual_seed(case.seed)
        outputs = [torch.randn(n, dtype=torch.float32) for n in case.calls]
    else:
        generator = torch.Generator().manual_seed(case.seed)
        outputs = [torch.randn(n, generator=generator, dtype=torch.float32) for n in case.calls]
    return np.concatenate([o.numpy() for o in outputs]).astype("<f4")


def write_cases(out: Path) -> list[dict]:
    """Runs in a process whose torch kernel was chosen by ATEN_CPU_CAPABILITY before import."""
    import numpy as np
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    entries = []
    for case in cases_for(capability):
        kind = "default" if case.default_generator else "explicit"
        name = f"{capability.lower()}_{kind}_s{case.seed}_" + "-".join(map(str, case.calls))
        np.save(out / f"{name}.npy", run_case(case))
        entries.append({
            "name": name,
            "file": f"{name}.npy",
            "seed": str(case.seed),
            "generator": kind,
            "calls": list(case.calls),
            "cpu_capability": capability,
            "torch_version": torch.__version__,
        })
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for index.json and the .npy files")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    if args.worker:
        json.dump(write_cases(args.out), sys.stdout)
        return

    entries: list[dict] = []
    # One worker per kernel: the machine's own (AVX2 on x86 with AVX2) and the portable one.
    for capability in (None, "default"):
        env = dict(os.environ)
        if capability is not None:
            env["ATEN_CPU_CAPABILITY"] = capability
        result = subprocess.run(
            [sys.executable, __file__, "--out", str(args.out), "--worker"],
            env=env, check=True, capture_output=True, text=True)
        entries += json.loads(result.stdout)

    index = {
        "description": "torch.randn(n, dtype=float32) outputs on CPU; calls are consecutive on one generator",
        "regenerate": "python conformance/python/gen_noise_fixtures.py --out sdk/src/test/resources/noise",
        "cases": entries,
    }
    (args.out / "index.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
