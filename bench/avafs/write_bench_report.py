#!/usr/bin/python3
"""Turns one run of bench/avafs/run_write_bench.sh (OUT/results.jsonl + OUT/run.json) into the table
of absolute numbers and ratios, the issue's target, and OUT/summary.{csv,json} + OUT/table.md.

Every number is the median over the run's rounds; summary.csv also gives min, max and the number of
rounds. Peak RSS is the maximum over rounds and workloads.

Two moments are measured for every file system: until close() returns for every file (avafs:
the data is on its durable tier; local disk: fsync before close, the same promise), and until the
data is listed in the cloud bucket with its full size (avafs: until `avafs flush` returned; s3fs,
rclone: polling). Rates are bytes (or files) over the time from the first write (or mkdir) to that
moment. Ratios are speed relative to the raw multi-stream PUT of the same bytes through S3Store
(1.00 = as fast) and to local disk with fsync.

  /usr/bin/python3 bench/avafs/write_bench_report.py OUT
"""
import csv
import json
import os
import statistics
import sys

SYSTEMS = ["local", "avafs", "avafs_local", "s3fs", "rclone", "raw"]
HEADER = ["", "local disk (fsync)", "avafs (durable: RGW)", "avafs (durable: local dir)", "s3fs", "rclone",
          "raw S3 PUT"]
MOUNTS = ["avafs", "avafs_local", "s3fs", "rclone"]


def load(out):
    results, errors, rss = {}, {}, {}
    with open(os.path.join(out, "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            key = (r["system"], r["workload"], r["phase"])
            if "error" in r:
                errors.setdefault(key, []).append(f"round {r.get('round')}: {r['error']}")
            elif r["system"] == "machine":
                continue
            elif r["phase"] == "rss":
                rss[r["system"]] = max(rss.get(r["system"], 0), r["peak_rss_bytes"])
            else:
                results.setdefault(key, []).append(r)
    with open(os.path.join(out, "run.json")) as f:
        run = json.load(f)
    return results, errors, rss, run


def main():
    out = sys.argv[1]
    results, errors, rss, run = load(out)
    csv_rows = []

    def values(system, workload, phase, metric):
        return [r[metric] for r in results.get((system, workload, phase), []) if metric in r]

    def median(system, workload, phase, metric):
        v = values(system, workload, phase, metric)
        return statistics.median(v) if v else None

    def amount(workload):
        """Bytes (big) or files (small) written, from any successful pass."""
        for s in SYSTEMS:
            for r in results.get((s, workload, "close"), []):
                return r["bytes"] if workload == "big" else r["files"]
        return None

    def rate(system, workload, moment):
        """MiB/s (big) or files/s (small) until `moment` (close | in_cloud), median over rounds."""
        n = amount(workload)
        if system == "raw":
            moment = "close"  # a PUT that returned is in the bucket
        secs = values(system, workload, moment, "seconds")
        if not secs or not n:
            return None, []
        per_round = [(n / (1 << 20) if workload == "big" else n) / s for s in secs]
        return statistics.median(per_round), per_round

    def failed(system, workload, phases):
        return any((system, workload, p) in errors for p in phases)

    unit = {"big": "MiB/s", "small": "files/s"}

    def fmt_rate(v, u):
        return "—" if v is None else (f"{v:,.0f} {u}" if v >= 100 else f"{v:.1f} {u}")

    big_bytes = amount("big")
    small_files = amount("small")
    names = {"big": (f"{big_bytes / (1 << 30):g} GiB" if big_bytes and big_bytes >= (1 << 30)
                     else f"{(big_bytes or 0) / (1 << 20):,.0f} MiB") + " file",
             "small": f"{small_files or 0:,} × {run['small_size']} files"}
    table = []
    for workload in ("big", "small"):
        if amount(workload) is None and not any(k[1] == workload for k in errors):
            continue
        u = unit[workload]
        for moment, label in (("close", "until close() returns"), ("in_cloud", "until in the cloud bucket")):
            row = [f"{names[workload]}, {label}"]
            got = {}
            for s in SYSTEMS:
                if moment == "in_cloud" and s == "local":
                    row.append("—")
                    continue
                v, per_round = rate(s, workload, moment)
                got[s] = v
                phases = ["close"] if s == "raw" else (["close"] if moment == "close" else ["close", "in_cloud", "flush"])
                mark = "*" if v is not None and failed(s, workload, phases) else ""
                row.append("failed" if v is None and failed(s, workload, phases) else fmt_rate(v, u) + mark)
                csv_rows.append({"workload": workload, "moment": moment, "system": s, "unit": u,
                                 "median": v, "min": min(per_round) if per_round else None,
                                 "max": max(per_round) if per_round else None, "n": len(per_round)})
            table.append(row)
            raw = got.get("raw")
            table.append(["  ÷ raw S3 PUT"] + [f"{got[s] / raw:.2f}" if got.get(s) and raw else "—" for s in SYSTEMS])
            if moment == "close":
                loc = got.get("local")
                table.append(["  ÷ local disk (fsync)"] +
                             [f"{got[s] / loc:.2f}" if got.get(s) and loc else "—" for s in SYSTEMS])
        v, per_round = rate("local", workload, "close_nofsync")
        if v is not None:
            table.append([f"{names[workload]}, local disk without fsync", fmt_rate(v, u)] + [""] * 5)
            csv_rows.append({"workload": workload, "moment": "close_nofsync", "system": "local", "unit": u,
                             "median": v, "min": min(per_round), "max": max(per_round), "n": len(per_round)})
        if workload == "big":
            row = ["  of which: time in close() (s)"]
            for s in SYSTEMS:
                c = median(s, "big", "close", "commit_ms_mean") if s != "raw" else None
                row.append("—" if c is None else f"{c / 1000:.2f} s")
            table.append(row)
        else:
            row = ["  commit per file (fsync+close), p50 / p99"]
            for s in SYSTEMS:
                p50 = median(s, "small", "close", "commit_ms_p50") if s != "raw" else None
                p99 = median(s, "small", "close", "commit_ms_p99") if s != "raw" else None
                row.append("—" if p50 is None else f"{p50:.1f} / {p99:.1f} ms")
            table.append(row)
        row = ["  `avafs flush` alone (s)", "—"]
        for s in SYSTEMS[1:]:
            f = median(s, workload, "flush", "seconds")
            row.append("—" if f is None else f"{f:.2f} s")
        table.append(row)
    row = ["peak RSS of the daemon (VmHWM, max)", "—"]
    for s in SYSTEMS[1:]:
        row.append(f"{rss[s] / (1 << 20):,.0f} MiB" if s in rss else "—")
        if s in rss:
            csv_rows.append({"workload": "all", "moment": "peak_rss", "system": s, "unit": "B", "median": None,
                             "min": None, "max": rss[s], "n": None})
    row[-1] = "—"
    table.append(row)

    widths = [max(len(str(r[i])) for r in table + [HEADER]) for i in range(len(HEADER))]
    print("\n".join("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                              for i, (c, w) in enumerate(zip(r, widths))) for r in [HEADER] + table))
    print(f"\nmedians of {run['rounds']} round(s). Rates count from the first mkdir/write to the moment named. "
          f"Big file: write(2) of {run['write_size']}; small files: {run['writers']} parallel writers. "
          f"Raw S3 PUT: S3Store, the big file as a multipart upload with {run['raw_streams']} parts of "
          f"{run['raw_part']} in flight, the small files as {run['raw_streams']} parallel PUTs. avafs: "
          f"upload_delay {run['avafs_upload_delay']} (nothing uploads before 'avafs flush'), upload_threads "
          f"{run['avafs_upload_threads']}, upload_part_size {run['raw_part']}."
          + (" *: some rounds failed (below)." if errors else ""))

    targets = []
    for system in ("avafs", "avafs_local"):
        for workload in ("big", "small"):
            v, _ = rate(system, workload, "close")
            raw, _ = rate("raw", workload, "close")
            name = f"{system} {names[workload]}: write-through (until close) ≥ 0.8× raw multi-stream PUT"
            if v is None or raw is None:
                targets.append({"target": name, "status": "NOT MEASURED", "value": None, "goal": 0.8})
            else:
                targets.append({"target": name, "status": "MET" if v / raw >= 0.8 else "MISSED",
                                "value": round(v / raw, 3), "goal": 0.8,
                                "detail": f"{fmt_rate(v, unit[workload])} vs {fmt_rate(raw, unit[workload])}"})
    print("\ntargets (the issue's is the avafs column: durable tier on the same radosgw):")
    for t in targets:
        print(f"  {t['status']:12} {t['target']}: {t['value']} {('(' + t['detail'] + ')') if 'detail' in t else ''}")
    if errors:
        print("\nfailed measurements:")
        for (s, w, p), es in sorted(errors.items()):
            for e in es:
                print(f"  {s} {w} {p}: {e}")
    print(f"\nload when the script started (others only): {run['uptime_at_start'].strip()}\n"
          f"load before the measurements (incl. this benchmark's Ceph): {run['uptime_before'].strip()}\n"
          f"load after:  {run['uptime_after'].strip()}")

    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["workload", "moment", "system", "unit", "median", "min", "max", "n"])
        w.writeheader()
        w.writerows(r for r in csv_rows if r["n"] != 0)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"run": run, "header": HEADER, "table": table, "targets": targets, "peak_rss_bytes": rss,
                   "errors": {" ".join(k): v for k, v in errors.items()}}, f, indent=1, ensure_ascii=False)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER) + "\n")
        for r in table:
            f.write("| " + " | ".join(str(c) for c in r) + " |\n")
    print(f"\nwritten: {out}/summary.csv, summary.json, table.md, results.jsonl")


if __name__ == "__main__":
    main()
