"""Benchmark the engine: extraction throughput and de-duplication of a large collection.

Run: ``python -m kesu.bench.extraction [--corpus DIR] [--docs 10000] [--chars 3000]``

* extraction: MB of text per second on one core, over generated report text (sentences
  built from templates here) and, with ``--corpus``, over real ``*.txt`` files;
* de-duplication: ``--docs`` generated documents of ``--chars`` characters each, with a
  known number of planted near-copies (year changed, a sentence edited), timed end to end
  and checked for recall of the planted pairs.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

SUBJECTS = ["农村实用技术培训", "科普讲座", "青少年科技竞赛", "科普宣传资料", "科普志愿者", "科普示范村",
            "全国科普日活动", "老年人数字技能培训", "科普大篷车巡展", "社区科普大学", "科技下乡", "科普基地"]
VERBS = ["举办", "开展", "组织", "发放", "建成", "培训", "接待", "评选"]
UNITS = ["期", "场", "次", "人次", "人", "名", "份", "个", "所", "万元", "余人", "多场"]
FILLER = ["按照年度工作安排", "在各级领导的关心支持下", "围绕中心服务大局", "坚持需求导向",
          "结合本地实际", "充分发挥科协组织优势", "进一步提升公民科学素质", "切实做到常态化开展"]


def generated_text(n_chars: int, rng: random.Random) -> str:
    parts: list[str] = []
    size = 0
    while size < n_chars:
        s = (f"{rng.choice(FILLER)},{rng.choice(VERBS)}{rng.choice(SUBJECTS)}{rng.randint(2, 9999)}"
             f"{rng.choice(UNITS)},{rng.choice(FILLER)}。")
        if rng.random() < 0.2:
            when = f"{rng.randint(2005, 2024)}年{rng.randint(1, 12)}月"
            s += f"{when},{rng.choice(SUBJECTS)}达到{rng.randint(1, 99)}.{rng.randint(0, 99)}%。"
        if rng.random() < 0.1:
            s += "\n" + rng.choice("一二三四五六") + "、" + rng.choice(SUBJECTS) + "\n"
        parts.append(s)
        size += len(s)
    return "".join(parts)[:n_chars]


def bench_extraction(texts: list[str], label: str) -> dict:
    from kesu.extraction.engine.facts import extract

    chars = sum(len(t) for t in texts)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    extract("预热:举办培训12期。")  # load tables outside the timing
    # CPU time of this process: the figure is per core and does not depend on what else
    # the machine runs; wall time is reported alongside.
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for t in texts:
        n += len(extract(t))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"set": label, "docs": len(texts), "chars": chars, "mb": round(nbytes / 1e6, 3),
            "wall_s": round(dt, 2), "cpu_s": round(cpu, 2), "mb_per_cpu_s": round(nbytes / 1e6 / cpu, 3),
            "chars_per_cpu_s": round(chars / cpu), "facts": n}


def bench_dedup(n_docs: int, n_chars: int, planted: int, rng: random.Random) -> dict:
    from kesu.extraction.engine.dedup import find_near_duplicates

    docs = {f"d{i}": generated_text(n_chars, rng) for i in range(n_docs)}
    pairs_expected = set()
    for k in range(planted):
        src = f"d{(k * 7) % n_docs}"
        text = docs[src].replace("年", "年度", 1)
        cut = rng.randrange(100, n_chars - 200)
        text = text[:cut] + "本段内容根据今年情况作了修改。" + text[cut + 15:]
        docs[f"copy{k}"] = text
        pairs_expected.add(frozenset((src, f"copy{k}")))
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = find_near_duplicates(docs, threshold=0.8, with_differences=False)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    found = {frozenset((p.a, p.b)) for p in pairs}
    return {"docs": len(docs), "chars_per_doc": n_chars, "wall_s": round(dt, 2), "cpu_s": round(cpu, 2),
            "pairs": len(pairs),
            "planted": planted, "planted_found": len(found & pairs_expected),
            "spurious": len(found - pairs_expected)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="folder with texts/*.txt (or *.txt) to time extraction on real text")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--chars", type=int, default=3_000)
    ap.add_argument("--planted", type=int, default=50)
    ap.add_argument("--extract-mb", type=float, default=3.0, help="MB of generated text for the extraction run")
    args = ap.parse_args(argv)
    rng = random.Random(1)
    gen = [generated_text(3000, rng) for _ in range(int(args.extract_mb * 1e6 / 9000) + 1)]
    print(bench_extraction(gen, "generated 3k-char reports"))
    print(bench_extraction(["".join(gen)], "the same text as one page"))
    if args.corpus:
        root = Path(args.corpus)
        files = sorted((root / "texts").glob("*.txt")) or sorted(root.glob("*.txt"))
        texts = [f.read_text(encoding="utf-8") for f in files]
        print(bench_extraction(texts * 20, f"real texts x20 ({len(files)} files)"))
    print(bench_dedup(args.docs, args.chars, args.planted, rng))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def report_text(n_bytes: int, rng: random.Random, region_name: str = "渠县") -> str:
    """A generated report of about ``n_bytes`` UTF-8 bytes: a title naming region and year, numbered sections."""
    title = f"{region_name}2024年全民科学素质工作总结\n"
    body = generated_text(n_bytes // 3, rng)
    return title + body


def bench_split_lines(counts=(1000, 4000, 16000)) -> list[dict]:
    """Splitting and cleaning pages of many short identical lines (the shape that used to be quadratic)."""
    from kesu.extraction.engine import clean_text, split_documents, split_sections

    out = []
    for n in counts:
        text = "\n".join("短行" for _ in range(n))
        c0 = time.process_time()
        split_documents(text)
        split_sections(text)
        clean_text(text)
        out.append({"lines": n, "cpu_s": round(time.process_time() - c0, 4)})
    return out


def bench_upload_end_to_end(region, n_bytes: int = 100_000, runs: int = 3) -> dict:
    """Upload → (worker: read, clean, split, extract, map in the limited child process) → review page, wall time.

    Runs the worker's task inline (the immediate backend) so that the time is the work, not the queue's polling
    interval; the page is fetched through Django's test client as an office user of ``region``.
    """
    from django.test import Client, override_settings

    from kesu.accounts.models import Role, User
    from kesu.extraction import services

    user = User.objects.filter(username="bench_extract").first() or User.objects.create_user(
        username="bench_extract", password=None, role=Role.OFFICE, region=region)
    client = Client()
    client.force_login(user)
    rng = random.Random(7)
    samples, facts = [], 0
    from django.conf import settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
                           ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for k in range(runs + 1):
            data = report_text(n_bytes, rng, region.name).encode()
            started = time.perf_counter()
            document = services.document_upload(actor=user, region=region, name=f"bench-{k}.txt", data=data).created[0]
            response = client.get(f"/extraction/{document.pk}/")
            elapsed = time.perf_counter() - started
            assert response.status_code == 200 and document.status == "done", document.error
            facts = document.facts.count()
            services.document_delete(actor=user, document=document)
            if k:  # the first run warms imports and caches
                samples.append(elapsed)
    return {"bytes": n_bytes, "runs": runs, "facts": facts, "wall_s": sorted(samples)}
