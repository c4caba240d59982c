"""The machine line every benchmark prints: cores, CPU model, RAM, load at start."""

from __future__ import annotations

import os
import re
import subprocess


def machine_line() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = re.search(r"Model name:\s*(.+)", lscpu)
        model = model.group(1).strip() if model else "unknown CPU"
    except OSError:
        model = "unknown CPU"
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    bf16 = "avx512_bf16" if "avx512_bf16" in flags else "no avx512_bf16"
    amx = ", amx" if "amx_bf16" in flags else ", no AMX"
    mem = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    load = os.getloadavg()[0]
    return (f"machine: nproc {os.cpu_count()}, CPU {model} ({bf16}{amx}), RAM {mem:.1f} GiB, "
            f"load average at start {load:.1f}")
