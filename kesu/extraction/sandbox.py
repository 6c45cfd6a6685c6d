"""Run the engine on one stored document in a child process with CPU-time and memory limits.

The child (``python -m kesu.extraction.engine.job``) imports no Django, sets ``RLIMIT_CPU`` and ``RLIMIT_AS`` on
itself before reading the file, and answers with JSON. Whatever a file does to the readers or the engine, the worker
that called it survives and records why the document failed: over the CPU time (the kernel sends SIGXCPU), over the
memory (MemoryError, or killed), over the wall-clock allowance (killed here), or refused by the engine's own checks.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from kesu.core.exceptions import ApplicationError
from kesu.core.uploads import MB

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the kesu package


def cpu_seconds() -> int:
    return getattr(settings, "KESU_EXTRACTION_CPU_SECONDS", 60)


def memory_bytes() -> int:
    return getattr(settings, "KESU_EXTRACTION_MEMORY_MB", 1024) * MB


def max_chars() -> int:
    return getattr(settings, "KESU_EXTRACTION_MAX_CHARS", 2_000_000)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    # One BLAS thread: the de-duplication's numpy needs no more, and each idle thread reserves address space.
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return env


def run_engine(request: dict) -> dict:
    """The engine's answer for ``request`` (see ``engine.job``), or an ApplicationError with the Chinese reason."""
    from . import intake

    cpu = cpu_seconds()
    request = {**request, "limits": {"cpu_seconds": cpu, "memory_bytes": memory_bytes(), "max_chars": max_chars(),
                                     "max_lines": intake.max_lines()}}
    try:
        done = subprocess.run([sys.executable, "-m", "kesu.extraction.engine.job"],
                              input=json.dumps(request, ensure_ascii=False).encode(), capture_output=True,
                              env=_env(), timeout=cpu * 3 + 30, check=False)
    except subprocess.TimeoutExpired:
        raise ApplicationError(f"处理时间超过 {cpu * 3 + 30} 秒的上限，已停止。") from None
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and not done.stdout:
        raise ApplicationError(f"处理超过 {cpu} 秒 CPU 时间的上限，已停止；文件可能过大或结构异常，请拆分后重试。")
    try:
        answer = json.loads(done.stdout or b"null")
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        if "MemoryError" in tail or "Cannot allocate memory" in tail:
            answer = {"error": "memory"}
        else:
            raise RuntimeError(f"extraction child exited with {done.returncode}: {tail}")
    if answer.get("error") == "memory":
        raise ApplicationError(f"处理所需内存超过 {memory_bytes() // MB} MB 的上限，已停止；请拆分文件后重试。")
    if answer.get("error"):
        raise ApplicationError(answer["error"])
    return answer
