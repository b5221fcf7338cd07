"""`sila orgs import` speed: each seed policy (and our test policies) imported, against baselines
measured in the same run: loading the imported pack (what every `sila` start does per
association) and the `sila orgs list` process (the command line's own start-up cost).

Reports; never asserts. The import must stay well under 5 seconds per policy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.importer.pack_writer import import_policy  # noqa: E402
from bot.packs import load_pack  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
SLUGS = {"000": "taheel", "001": "amass", "002": "ilm-alhajj", "003": "rida", "004": "ratel"}
SILA = str(Path(sys.executable).parent / "sila")


def timed(fn, n: int = 3) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> int:
    policies = [(p, SLUGS[p.name[:3]]) for p in sorted(SEEDS.glob("*.txt"))] if SEEDS.is_dir() else []
    policies.append((ROOT / "tests" / "data" / "policies" / "namaa.md", "namaa"))
    with tempfile.TemporaryDirectory() as tmp:
        orgs = Path(tmp)
        print(f"{'policy':<28}{'import s':>10}{'load s':>10}{'ratio':>8}")
        for path, slug in policies:
            t_import = timed(lambda p=path, s=slug: import_policy(p, s, orgs, force=True))
            t_load = timed(lambda s=slug: load_pack(orgs / s))
            print(f"{path.name:<28}{t_import:>10.3f}{t_load:>10.3f}{t_import / t_load:>8.1f}")
        path, slug = policies[0]
        t_cli = timed(lambda: subprocess.run([SILA, "orgs", "import", str(path), "--slug", slug, "--force",
                                              "--orgs-dir", str(orgs)], check=True, capture_output=True))
        t_list = timed(lambda: subprocess.run([SILA, "orgs", "list"], check=True, capture_output=True,
                                              env={"SILA_ORGS_DIR": str(orgs), "PATH": "/usr/bin:/bin"}))
        print(f"\n`sila orgs import {path.name}` process: {t_cli:.2f} s; `sila orgs list` process (baseline): "
              f"{t_list:.2f} s; ratio {t_cli / t_list:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
