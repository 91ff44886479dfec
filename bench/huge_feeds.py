"""Huge-entry-count documents: what one poll's parse costs, in time and memory.

Run: ``.venv/bin/python bench/huge_feeds.py`` (about a minute). Three documents of 15 MiB
(SYNDICATE_FETCH_MAX_BYTES, the largest body a fetch accepts) made of empty entries: an RSS
document of ``<item/>``, an Atom one of ``<entry/>`` and a JSON Feed of ``{}`` items. Each is
parsed in a fresh process, and the process's CPU time and peak resident memory (VmHWM) are
read from the operating system:
  - syndicate: ``parse_feed`` with the default SYNDICATE_SOURCE_MAX_ENTRIES (500), which reads
    at most 4 x 500 entries;
  - baseline, in the same run: the document read whole by the library a reader would use
    alone (feedparser for RSS and Atom, with its default options; json.loads for the JSON
    Feed), keeping nothing else. The ratio is syndicate's figure over the baseline's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SIZE = 15 * 1024 * 1024
LIMIT = 500
WORKER = """
import json, sys, time
path, how, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = open(path, "rb").read()
start = time.process_time()
if how == "syndicate":
    from syndicate.ingest.upstream import parse_feed
    document = parse_feed(body, None, default_language="en", limit=limit)
    kept = len(document.entries)
elif how == "feedparser":
    import feedparser
    kept = len(feedparser.parse(body).entries)
else:
    kept = len(json.loads(body)["items"])
cpu = time.process_time() - start
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over the exec)
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"cpu": cpu, "rss_mb": peak / 1024, "entries": kept}))
"""


def documents(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write the three documents; return kind -> (path, baseline)."""
    rss_head = b"<rss version='2.0'><channel><title>t</title>"
    atom_head = b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><id>x</id>"
    json_head = b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
    made = {
        "rss": (rss_head + b"<item/>" * ((SIZE - 40) // 7) + b"</channel></rss>", "feedparser"),
        "atom": (atom_head + b"<entry/>" * ((SIZE - 80) // 8) + b"</feed>", "feedparser"),
        "json": (json_head + b",".join([b"{}"] * ((SIZE - 80) // 3)) + b"]}", "json"),
    }
    out = {}
    for kind, (body, baseline) in made.items():
        path = folder / f"{kind}.doc"
        path.write_bytes(body)
        out[kind] = (path, baseline)
    return out


def run(path: Path, how: str) -> dict[str, float]:
    """Parse path one way in a fresh process; return its CPU seconds and peak memory."""
    done = subprocess.run([sys.executable, "-c", WORKER, str(path), how, str(LIMIT)], check=True,
                          capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        docs = documents(Path(work))
        print(f"documents of {SIZE / 2**20:.0f} MiB of empty entries; each parse in a fresh "
              "process (peak resident memory of that process, VmHWM)")
        print("| document | entries in it | syndicate: CPU s, peak MB | baseline | "
              "baseline: CPU s, peak MB | ratio CPU, memory |")
        print("|---|---|---|---|---|---|")
        for kind, (path, baseline) in docs.items():
            ours, theirs = run(path, "syndicate"), run(path, baseline)
            body = path.read_bytes()
            count = body.count(b"<item/>") + body.count(b"<entry/>") + body.count(b"{}")
            print(f"| {kind} | {count:,} | {ours['cpu']:.2f} s, {ours['rss_mb']:.0f} MB | "
                  f"{baseline} | {theirs['cpu']:.2f} s, {theirs['rss_mb']:.0f} MB | "
                  f"{ours['cpu'] / theirs['cpu']:.3f}, "
                  f"{ours['rss_mb'] / theirs['rss_mb']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
