"""A newcomer's first minutes (issue 13, item 10): how long `opennrm --help` takes, how soon `opennrm demo`
prints its first line, when its cases are loaded and when it is done, each as a separate process the way a
newcomer runs them, beside the start-up of Python itself (`python -c pass`) measured in the same run. Each
figure comes as wall-clock and as CPU seconds: on a shared, busy machine the wall clock mostly measures the
other processes, the CPU time what OpenNRM itself costs.

Prints JSON. Seconds are medians over a few runs (the demo: one run per fresh data directory); the demo uses
the production password hashing. Goals: `--help` under 0.5 s, the first demo line within 1 s, 200 cases
loaded within 5 s of the start."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 5
DEMO_ROUNDS = 2
PYTHON = sys.executable


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENNRM_")}
    env.update(extra)
    return env


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _seconds(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run (CPU time says what a busy machine's wall clock hides)."""
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _cpu() - cpu


def _median(argv: list[str]) -> tuple[float, float]:
    runs = [_seconds(argv, _env()) for _ in range(ROUNDS)]
    return round(statistics.median(r[0] for r in runs), 3), round(statistics.median(r[1] for r in runs), 3)


def _process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (Linux /proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _demo(cases: int) -> dict[str, float]:
    """One `opennrm demo --no-serve` in a fresh data directory: seconds to its first line, to the line that
    says the cases are loaded, and to its end."""
    home = Path(tempfile.mkdtemp(prefix="opennrm-bench-demo-"))
    started, cpu = time.perf_counter(), _cpu()
    process = subprocess.Popen(
        [PYTHON, "-m", "opennrm", "demo", "--no-serve", "--cases", str(cases)],
        env=_env(OPENNRM_HOME=str(home), PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = loaded = None
    first_cpu = loaded_cpu = 0.0
    for line in process.stdout:
        now = time.perf_counter() - started
        if first is None:
            first, first_cpu = now, _process_cpu(process.pid)
        if loaded is None and "cases loaded" in line:
            loaded, loaded_cpu = now, _process_cpu(process.pid)
    if process.wait() != 0 or first is None or loaded is None:
        raise SystemExit(f"opennrm demo failed (exit {process.returncode})")
    done = time.perf_counter() - started
    return {
        "first_line_s": first,
        "first_line_cpu_s": first_cpu,
        "cases_loaded_s": loaded,
        "cases_loaded_cpu_s": loaded_cpu,
        "done_s": done,
        "done_cpu_s": _cpu() - cpu,
    }


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    baseline, baseline_cpu = _median([PYTHON, "-c", "pass"])
    help_s, help_cpu = _median([PYTHON, "-m", "opennrm", "--help"])
    runs = [_demo(cases) for _ in range(DEMO_ROUNDS)]
    demo = {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
    json.dump(
        {
            "baseline_python_start_s": baseline,
            "baseline_python_start_cpu_s": baseline_cpu,
            "help_s": help_s,
            "help_cpu_s": help_cpu,
            "help_over_baseline_s": round(help_s - baseline, 3),
            "demo_cases": cases,
            "demo_first_line_s": demo["first_line_s"],
            "demo_first_line_cpu_s": demo["first_line_cpu_s"],
            "demo_cases_loaded_s": demo["cases_loaded_s"],
            "demo_cases_loaded_cpu_s": demo["cases_loaded_cpu_s"],
            "demo_done_s": demo["done_s"],
            "demo_done_cpu_s": demo["done_cpu_s"],
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        sys.stdout,
        indent=2,
    )
    print()


if __name__ == "__main__":
    main()
