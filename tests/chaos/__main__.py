"""``make chaos``: every case at full length on private servers; prints the table, writes CHAOS.md.

Options: ``--rows N`` (default 100,000), ``--short`` (the CI sizes), ``--out PATH``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tests.chaos.cases import CaseResult, ChaosRig, Sizes
from tests.chaos.test_chaos import SHORT
from tests.private_services import private_postgres, private_rabbitmq

HEAD = (
    "| case | records | distinct events | duplicate copies | dead letters (got/bad lines) "
    "| lost | recovered without restart | reconciled (files) | s | notes |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--short", action="store_true", help="the CI sizes")
    parser.add_argument("--out", type=Path, default=Path("CHAOS.md"))
    args = parser.parse_args()
    sizes = SHORT if args.short else Sizes(args.rows, 997, 10.0, 60.0, files=6)
    results: list[CaseResult] = []
    print(HEAD, flush=True)
    with (
        private_postgres() as pg,
        private_rabbitmq() as rmq,
        tempfile.TemporaryDirectory(prefix="crossdock-chaos-") as root,
    ):
        rig = ChaosRig(pg, rmq, Path(root))
        small = Sizes(
            max(sizes.rows // 5, 1_000),
            sizes.bad_every,
            0,
            None,
            files=sizes.files,
            chunk=sizes.chunk,
        )
        runs = [
            lambda: rig.sigkill(sizes),
            lambda: rig.outage("broker", sizes.short_outage, sizes),
            lambda: rig.outage("database", sizes.short_outage, sizes),
        ]
        if sizes.long_outage:
            long = sizes.long_outage
            runs += [
                lambda: rig.outage("broker", long, sizes),
                lambda: rig.outage("database", long, sizes),
            ]
        runs += [lambda: rig.full_disk(sizes), lambda: rig.many_hubs(small)]
        for run in runs:
            result = run()
            results.append(result)
            print(result.row(), flush=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    load = os.getloadavg()
    lines = [
        "# Chaos suite (issue 16)",
        "",
        f"`make chaos` on {platform.node()} ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}; "
        f"load average {load[0]:.1f} at the end (other helpers' suites share the machine).",
        f"Files: {sizes.rows:,} rows, a bad quantity every {sizes.bad_every} rows (many-hubs: "
        f"{sizes.files} files of {small.rows:,} rows). Servers: a private PostgreSQL 15 "
        "(initdb + pg_ctl in a temp folder) and a private RabbitMQ node (a second node, "
        "its own port and files), both stopped and started by the suite "
        "(`tests/private_services.py`); the shared servers are never touched. The RabbitMQ "
        "node has a config file of its own (the machine's rabbitmq.conf pins the listener to "
        "5672: a second node without one dies with eaddrinuse), so no TCP proxy was needed.",
        "An independent queue bound before each run counts what reached the bus through "
        "`hub.dedup.claim_events`. lost = events of the file's good lines never seen; "
        "duplicate copies = deliveries of an id already seen.",
        "",
        HEAD,
        *(r.row() for r in results),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if all(r.lost == 0 and r.balanced for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
