#!/usr/bin/python3
"""Turns one run of bench/avafs/run_read_bench.sh (OUT/results.jsonl + OUT/run.json) into the table
of absolute numbers and ratios, the issue's four targets, and OUT/summary.{csv,json} + OUT/table.md.

Every number in the table is the median over the run's rounds (each round measures everything
once); summary.csv also gives min, max and the number of rounds. Peak RSS is the maximum.

Ratios are "speed relative to local disk" for every row: for rates (MiB/s, files/s, ops/s) the
system's rate over local's, for times (ls -R seconds) local's time over the system's, so 1.0 means
as fast as local disk and 0.5 means half as fast. A failed measurement shows as "failed" with its
error in summary.json.

  /usr/bin/python3 bench/avafs/read_bench_report.py OUT
"""
import csv
import json
import os
import statistics
import sys

SYSTEMS = ["local", "avafs", "s3fs", "rclone"]
PEERS = ["avafs", "s3fs", "rclone"]

# (label, workload, phase, metric, unit, higher is better, local phase to compare with)
ROWS = [
    ("seq read {big}, cold", "seq", "cold", "mib_per_s", "MiB/s", True, "cold"),
    ("seq read {big}, warm", "seq", "warm", "mib_per_s", "MiB/s", True, "warm"),
    ("seq read {big}, after avafs warm", "seq", "after_avafs_warm", "mib_per_s", "MiB/s", True, "cold"),
    ("{small} files, cold", "small", "cold", "files_per_s", "files/s", True, "cold"),
    ("{small} files, warm", "small", "warm", "files_per_s", "files/s", True, "warm"),
    ("{small} files, after avafs warm", "small", "after_avafs_warm", "files_per_s", "files/s", True, "cold"),
    ("ls -R {tiny} objects, cold", "ls", "cold", "seconds", "s", False, "cold"),
    ("ls -R {tiny} objects, warm", "ls", "warm", "seconds", "s", False, "warm"),
    ("ls -R {tiny} objects, after avafs warm --metadata-only", "ls", "after_avafs_warm", "seconds", "s", False, "cold"),
    ("random 4 KiB preads, cold", "rand4k", "cold", "ops_per_s", "ops/s", True, "cold"),
    ("random 4 KiB preads, warm", "rand4k", "warm", "ops_per_s", "ops/s", True, "warm"),
    ("random 4 KiB preads, after avafs warm", "rand4k", "after_avafs_warm", "ops_per_s", "ops/s", True, "cold"),
    ("random 1 MiB preads, cold", "rand1m", "cold", "mib_per_s", "MiB/s", True, "cold"),
    ("random 1 MiB preads, warm", "rand1m", "warm", "mib_per_s", "MiB/s", True, "warm"),
    ("random 1 MiB preads, after avafs warm", "rand1m", "after_avafs_warm", "mib_per_s", "MiB/s", True, "cold"),
]


def load(out):
    results = {}  # (system, workload, phase) -> [result of each round]
    errors = {}
    raw = {}  # workload -> [result of each run]
    rss = {}
    page_cache = {}
    with open(os.path.join(out, "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            key = (r["system"], r["workload"], r["phase"])
            if "error" in r:
                errors.setdefault(key, []).append(f"round {r.get('round')}: {r['error']}")
                continue
            if r["system"] == "machine":
                continue
            if r["system"] == "raw_s3":
                raw.setdefault(r["workload"], []).append(r)
            elif r["phase"] == "rss":
                rss[r["system"]] = max(rss.get(r["system"], 0), r["peak_rss_bytes"])
            elif r["phase"] == "page_cache":
                page_cache[r["system"]] = r["resident_bytes"]
            else:
                results.setdefault(key, []).append(r)
    with open(os.path.join(out, "run.json")) as f:
        run = json.load(f)
    return results, errors, raw, rss, page_cache, run


def human_count(n):
    return f"{n:,}"


def fmt_value(v, unit):
    if v is None:
        return "—"
    if unit == "s":
        return f"{v:.2f} s"
    if v >= 100:
        return f"{v:,.0f} {unit}"
    return f"{v:.1f} {unit}"


def main():
    out = sys.argv[1]
    results, errors, raw, rss, page_cache, run = load(out)
    def first(key, metric):
        return next((r[metric] for r in results.get(key, []) if metric in r), None)

    big = first(("local", "seq", "cold"), "bytes") or next((r["bytes"] for r in raw.get("seq", []) if "bytes" in r), 0)
    small = first(("local", "small", "cold"), "files")
    tiny = first(("local", "ls", "cold"), "entries")
    names = {"big": f"{big / (1 << 20):,.0f} MiB" if big < (1 << 30) else f"{big / (1 << 30):g} GiB",
             "small": human_count(small) if small else "small", "tiny": human_count(tiny) if tiny else "tiny"}

    def values(system, workload, phase, metric):
        return [r[metric] for r in results.get((system, workload, phase), []) if metric in r]

    def value(system, workload, phase, metric):
        v = values(system, workload, phase, metric)
        return statistics.median(v) if v else None

    def cell(system, workload, phase, metric, unit):
        v = value(system, workload, phase, metric)
        if v is None and (system, workload, phase) in errors:
            return "failed"
        # "*": some rounds failed (their errors are listed below the table)
        return fmt_value(v, unit) + ("*" if v is not None and (system, workload, phase) in errors else "")

    def ratio(system, workload, phase, metric, higher, local_phase):
        v = value(system, workload, phase, metric)
        base = value("local", workload, local_phase, metric)
        if not v or not base:
            return None
        return v / base if higher else base / v

    def raw_median(workload, metric):
        values = [r[metric] for r in raw.get(workload, []) if metric in r]
        return statistics.median(values) if values else None

    raw_seq = raw_median("seq", "mib_per_s")

    table = []  # rows of strings
    csv_rows = []
    for label, workload, phase, metric, unit, higher, local_phase in ROWS:
        if not any((s, workload, phase) in results or (s, workload, phase) in errors for s in SYSTEMS):
            continue
        row = [label.format(**names)]
        for s in SYSTEMS:
            row.append(cell(s, workload, phase, metric, unit))
            v = values(s, workload, phase, metric)
            csv_rows.append({"workload": workload, "phase": phase, "system": s, "metric": metric, "unit": unit,
                             "median": value(s, workload, phase, metric), "min": min(v) if v else None,
                             "max": max(v) if v else None, "n": len(v),
                             "ratio_vs_local": ratio(s, workload, phase, metric, higher, local_phase),
                             "local_phase_compared": local_phase})
        for s in PEERS:
            r = ratio(s, workload, phase, metric, higher, local_phase)
            row.append(f"{r:.2f}" + ("" if local_phase == phase else "ᶜ") if r is not None else "—")
        table.append(row)
    # Raw S3 baselines: value in the label, each mount's cold result over it in the ratio columns.
    raw_rows = [
        ("seq", "mib_per_s", True, "MiB/s",
         f"raw S3 GET of the file, {run['raw_streams']} streams × {run['raw_part']}"),
        ("small", "files_per_s", True, "files/s", f"raw S3 GET of each small file, {run['readers']} threads"),
        ("ls", "seconds", False, "s", "raw S3 flat LIST of tree/"),
    ]
    for workload, metric, higher, unit, label in raw_rows:
        base = raw_median(workload, metric)
        if base is None:
            continue
        row = [f"{label}: {fmt_value(base, unit)}; cold ÷ raw", "", "", "", ""]
        for s in PEERS:
            v = value(s, workload, "cold", metric)
            row.append((f"{v / base:.2f}ʳ" if higher else f"{base / v:.2f}ʳ") if v else "—")
        table.append(row)
        v = [r[metric] for r in raw.get(workload, []) if metric in r]
        csv_rows.append({"workload": workload, "phase": "raw", "system": "raw_s3", "metric": metric, "unit": unit,
                         "median": base, "min": min(v), "max": max(v), "n": len(v), "ratio_vs_local": None,
                         "local_phase_compared": ""})
    row = ["peak RSS of the daemon (VmHWM, max over its mounts)", "—"]
    for s in PEERS:
        row.append(f"{rss[s] / (1 << 20):,.0f} MiB" if s in rss else "—")
        csv_rows.append({"workload": "all", "phase": "peak_rss", "system": s, "metric": "peak_rss_bytes",
                         "unit": "B", "median": None, "min": None, "max": rss.get(s), "n": None,
                         "ratio_vs_local": None, "local_phase_compared": ""})
    row += ["", "", ""]
    table.append(row)
    if page_cache:
        row = [f"{names['big']} file's pages still cached after close + reopen"]
        for s in SYSTEMS:
            row.append("—" if s not in page_cache else ("yes" if page_cache[s] > big / 2 else "no") +
                       f" ({page_cache[s] / (1 << 20):,.0f} MiB)")
        row += ["", "", ""]
        table.append(row)

    header = ["", "local disk", "avafs", "s3fs", "rclone", "avafs/local", "s3fs/local", "rclone/local"]
    widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [header] + table]
    print("\n".join(lines))
    print(f"\nmedians of {run.get('rounds', 1)} round(s); ratios: speed relative to local disk (1.00 = as fast). ᶜ: after avafs warm the page cache was dropped, "
          "so the ratio is against local disk cold. ʳ: the mount's cold result relative to the raw S3 baseline (speed, 1.00 = as fast as S3Store alone).")

    # The four targets.
    ram = run["avafs_ram_capacity"]
    fb = run["avafs_fetch_buffers"]
    bound = parse_bytes(ram) + parse_bytes(fb)
    targets = []

    def target(name, got, goal, detail):
        if got is None:
            targets.append({"target": name, "status": "NOT MEASURED", "value": None, "goal": goal, "detail": detail})
        else:
            targets.append({"target": name, "status": "MET" if got >= goal else "MISSED", "value": round(got, 3),
                            "goal": goal, "detail": detail})

    target("warm sequential read ≥ 0.9× local disk", ratio("avafs", "seq", "warm", "mib_per_s", True, "warm"), 0.9,
           "avafs warm MiB/s over local-disk warm MiB/s")
    v = value("avafs", "seq", "cold", "mib_per_s")
    target("cold sequential read ≥ 0.9× multi-stream raw S3 GET", v / raw_seq if v and raw_seq else None, 0.9,
           f"avafs cold MiB/s over the median raw GET ({run['raw_streams']} streams)")
    target("warm small files ≥ 0.7× local disk", ratio("avafs", "small", "warm", "files_per_s", True, "warm"), 0.7,
           "avafs warm files/s over local-disk warm files/s")
    if "avafs" in rss:
        targets.append({"target": "avafs memory within the configured bound",
                        "status": "MET" if rss["avafs"] <= bound else "MISSED",
                        "value": rss["avafs"], "goal": bound,
                        "detail": f"peak RSS {rss['avafs'] / (1 << 20):,.0f} MiB vs cache.ram_capacity {ram} + "
                                  f"read.fetch_buffers {fb} = {bound / (1 << 20):,.0f} MiB"})
    print("\ntargets:")
    for t in targets:
        shown = t["detail"] if t["target"].startswith("avafs memory") else f"{t['value']} (goal {t['goal']}; {t['detail']})"
        print(f"  {t['status']:12} {t['target']}: {shown}")
    warmups = []
    for workload, what, amount in (("seq", f"the {names['big']} file", big / (1 << 20)),
                                   ("small", f"the {names['small']} small files", small),
                                   ("ls", f"the metadata of {names['tiny']} objects", None)):
        sec = value("avafs", workload, "warmup", "seconds")
        if sec:
            rate = ""
            if amount:
                rate = f" ({amount / sec:,.0f} {'MiB/s' if workload == 'seq' else 'files/s'})"
            warmups.append(f"{what}: {sec:.2f} s{rate}")
    if warmups:
        print("\navafs warm itself (median): " + "; ".join(warmups))
    if errors:
        print("\nfailed measurements:")
        for (s, w, p), es in sorted(errors.items()):
            for e in es:
                print(f"  {s} {w} {p}: {e}")
    if "uptime_at_start" in run:
        print(f"\nload when the script started (others only): {run['uptime_at_start'].strip()}")
    print(f"load before the measurements (incl. this benchmark's Ceph): {run['uptime_before'].strip()}\n"
          f"load after:  {run['uptime_after'].strip()}")
    if not run.get("page_cache_dropped", True):
        print("WARNING: the page cache could not be dropped (not root): 'cold' rows kept it.")

    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()))
        w.writeheader()
        w.writerows(r for r in csv_rows if r["n"] != 0)  # n == 0: a phase this system does not have
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"run": run, "header": header, "table": table, "targets": targets,
                   "raw_s3": raw, "peak_rss_bytes": rss, "page_cache_resident_bytes": page_cache,
                   "errors": {" ".join(k): v for k, v in errors.items()}}, f, indent=1, ensure_ascii=False)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
        for r in table:
            f.write("| " + " | ".join(str(c) for c in r) + " |\n")
    print(f"\nwritten: {out}/summary.csv, summary.json, table.md, results.jsonl")


def parse_bytes(text):
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
    for suffix, mult in units.items():
        if text.endswith(suffix):
            return int(float(text[:-len(suffix)]) * mult)
    return int(text)


if __name__ == "__main__":
    main()
