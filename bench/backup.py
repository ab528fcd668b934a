#!/usr/bin/env python3
"""Times `rcompose backup` and `restore` against the manual recipe the
compose seeds teach (`docker run --rm --volumes-from CONTAINER -v
$(pwd):/backup busybox tar cf /backup/backup.tar /data`, and `tar xf` back),
on the same volume of about 1 GiB, and compares the archive sizes.

The volume holds a mix: 256 MiB of random bytes (incompressible, like
already-compressed files) and 768 MiB of text rows (like a database dump).
Rounds alternate which tool goes first. Each rcompose run is checked: the
archive verifies, and a restore gives back the same file sums.

Usage: python3 bench/backup.py [--rounds 3] [--markdown FILE] [--json FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUSYBOX = "rcompose-test/busybox:latest"
LOOP = "trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done"


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def timed(args, cwd):
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--rcompose", default=os.path.join(ROOT, "target/release/rcompose"))
    a = ap.parse_args()
    if not os.path.exists(a.rcompose):
        subprocess.run(["cargo", "build", "--release", "--locked"], check=True, cwd=ROOT)
    rc = a.rcompose
    work = tempfile.mkdtemp(prefix="rcompose-bench-backup-")
    project = f"benchbk{os.getpid()}"
    with open(os.path.join(work, "compose.yaml"), "w") as f:
        f.write(f'services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, "{LOOP}"]\n'
                "    volumes: [data:/data]\nvolumes:\n  data: {}\n")
    base = [rc, "-p", project, "--progress", "quiet"]
    app = f"{project}-app-1"
    samples = {k: [] for k in ("rcompose backup", "recipe backup", "rcompose restore", "recipe restore")}
    sizes = {}
    try:
        sh(base + ["up", "-d"], cwd=work)
        sh(["docker", "exec", app, "sh", "-c",
            "dd if=/dev/urandom of=/data/random bs=1M count=256 2>/dev/null; mkdir /data/rows; "
            "for i in 0 1 2 3 4 5 6 7; do awk -v s=$i 'BEGIN{for(j=0;j<2500000;j++) "
            "printf \"row %d,name-%d,2026-12-02,active\\n\", s*2500000+j, j}' > /data/rows/part-$i.csv; done"])
        data = int(sh(["docker", "exec", app, "du", "-sk", "/data"]).split()[0]) * 1024
        want = sh(["docker", "exec", app, "sh", "-c", "cd /data && find . -type f | sort | xargs md5sum"])
        recipe_backup = ["docker", "run", "--rm", "--volumes-from", app, "-v", f"{work}:/backup", BUSYBOX,
                         "tar", "cf", "/backup/recipe.tar", "/data"]
        recipe_restore = ["docker", "run", "--rm", "--volumes-from", app, "-v", f"{work}:/backup", BUSYBOX,
                          "sh", "-c", "rm -rf /data/* && cd / && tar xf /backup/recipe.tar"]
        for r in range(a.rounds):
            order = ["rcompose", "recipe"] if r % 2 == 0 else ["recipe", "rcompose"]
            for tool in order:
                if tool == "rcompose":
                    samples["rcompose backup"].append(timed(base + ["backup", "-o", "b.tar.zst"], work))
                    sizes["rcompose"] = os.path.getsize(os.path.join(work, "b.tar.zst"))
                    sh(base + ["backup", "verify", "b.tar.zst"], cwd=work)
                    samples["rcompose restore"].append(timed(base + ["restore", "--force", "b.tar.zst"], work))
                else:
                    samples["recipe backup"].append(timed(recipe_backup, work))
                    sizes["recipe"] = os.path.getsize(os.path.join(work, "recipe.tar"))
                    samples["recipe restore"].append(timed(recipe_restore, work))
                got = sh(["docker", "exec", app, "sh", "-c", "cd /data && find . -type f | sort | xargs md5sum"])
                if got != want:
                    sys.exit(f"round {r}: {tool}'s restore changed the data")
            print(f"round {r + 1}/{a.rounds}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in samples.items()), file=sys.stderr)
    finally:
        subprocess.run(base + ["down", "-v", "-t", "1"], cwd=work, capture_output=True)
        subprocess.run(["rm", "-rf", work])
    med = {k: statistics.median(v) for k, v in samples.items()}
    mib = data / 2**20
    if mib < 900:
        sys.exit(f"the volume holds only {mib:.0f} MiB: the data generator failed")
    lines = [
        f"Volume: {mib:.0f} MiB (256 MiB random, the rest CSV-like text rows); {a.rounds} rounds, median wall time.",
        "",
        "| step | rcompose | manual recipe (`docker run --volumes-from … tar`) | rcompose / recipe |",
        "|---|---|---|---|",
        f"| backup | {med['rcompose backup']:.2f} s ({mib / med['rcompose backup']:.0f} MiB/s) | {med['recipe backup']:.2f} s | {med['rcompose backup'] / med['recipe backup']:.2f} |",
        f"| restore | {med['rcompose restore']:.2f} s | {med['recipe restore']:.2f} s | {med['rcompose restore'] / med['recipe restore']:.2f} |",
        f"| archive size | {sizes['rcompose'] / 2**20:.0f} MiB (zstd, level 3) | {sizes['recipe'] / 2**20:.0f} MiB (tar) | {sizes['rcompose'] / sizes['recipe']:.2f} |",
        "",
        "rcompose's backup includes stopping and starting the container that writes to the volume and a",
        "SHA-256 of every volume; its restore includes checking them and the swap. The recipe does neither.",
    ]
    text = "\n".join(lines)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"bytes": data, "samples": samples, "sizes": sizes}, f, indent=2)


if __name__ == "__main__":
    main()
