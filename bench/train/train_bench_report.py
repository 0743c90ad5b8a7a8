#!/usr/bin/python3
"""Turns one run of bench/train/run_train_bench.sh (OUT/results.jsonl + OUT/run.json) into the table
of images/s and data-wait fractions per configuration and epoch, the issue's targets, and
OUT/summary.{csv,json} + OUT/table.md.

Each cell is the median over every pass of that configuration (local disk runs twice per round by
default); summary.csv also has min, max and the number of passes. Ratios are images/s over local
disk's images/s in the same epoch: epoch 1 against epoch 1 (both start with the page cache dropped
and start their DataLoader workers), epoch 2 against epoch 2 (both read what the first epoch left
in the caches). "mean loss" is train.py's mean training loss of the epoch: with the same seed the
same images arrive in the same order, so equal losses say every configuration read the same data.

  /usr/bin/python3 bench/train/train_bench_report.py OUT
"""
import csv
import json
import os
import statistics
import sys

# (config, epoch, label, local epoch compared, target or None)
ROWS = [
    ("local", 1, "local disk, epoch 1 (page cache dropped)", None, None),
    ("local", 2, "local disk, epoch 2 (page cache)", None, None),
    ("avafs", 1, "avafs cold from RGW (epoch 1)", 1, 0.8),
    ("avafs_warm", 1, "avafs after `avafs warm` (epoch 1, page cache dropped)", 1, 0.97),
    ("avafs", 2, "avafs second epoch (cache hit)", 2, 0.97),
    ("s3fs", 1, "s3fs, epoch 1 (cold)", 1, None),
    ("s3fs", 2, "s3fs, epoch 2 (its disk cache)", 2, None),
    ("rclone", 1, "rclone --vfs-cache-mode full, epoch 1 (cold)", 1, None),
    ("rclone", 2, "rclone, epoch 2 (its disk cache)", 2, None),
]
NAMES = {"local": "local disk", "avafs": "avafs", "avafs_warm": "avafs (warmed)", "s3fs": "s3fs", "rclone": "rclone"}


def main():
    out = sys.argv[1]
    epochs, errors, listing, rss, warmup, loads, cpu = {}, {}, {}, {}, [], {}, {}
    with open(os.path.join(out, "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            c, p = r["config"], r["phase"]
            if "error" in r:
                errors.setdefault((c, p), []).append(f"round {r['round']}: {r['error']}")
            elif p == "epoch":
                epochs.setdefault((c, r["epoch"]), []).append(r)
            elif p == "listing":
                listing.setdefault(c, []).append(r["seconds"])
            elif p == "rss":
                rss[c] = max(rss.get(c, 0), r["peak_rss_bytes"])
            elif p == "warmup":
                warmup.append(r["seconds"])
            elif p == "load":
                loads.setdefault(c, []).append(r["load1"])
            elif p == "cpu":
                cpu.setdefault(c, []).append(r)
    with open(os.path.join(out, "run.json")) as f:
        run = json.load(f)

    def med(config, epoch, field):
        v = [r[field] for r in epochs.get((config, epoch), [])]
        return statistics.median(v) if v else None

    header = ["configuration", "images/s", "data wait", "mean loss", "÷ local disk (same epoch)", "target"]
    table, csv_rows, targets = [], [], []
    for config, epoch, label, local_epoch, goal in ROWS:
        rs = epochs.get((config, epoch), [])
        if not rs and (config, "epoch") not in errors:
            continue
        ips = med(config, epoch, "images_per_s")
        wait = med(config, epoch, "data_wait_fraction")
        loss = med(config, epoch, "mean_loss")
        ratio = None
        if local_epoch is not None and ips is not None and med("local", local_epoch, "images_per_s"):
            ratio = ips / med("local", local_epoch, "images_per_s")
        spread = ""
        if len(rs) > 1:
            lo, hi = min(r["images_per_s"] for r in rs), max(r["images_per_s"] for r in rs)
            spread = f" ({lo:,.0f}–{hi:,.0f}, {len(rs)} passes)"
        status = ""
        if goal is not None:
            status = "NOT MEASURED" if ratio is None else ("MET" if ratio >= goal else "MISSED")
            status_cell = f"≥ {goal:.2f}: {status}"
            targets.append({"target": f"{label} ≥ {goal}× local disk images/s", "status": status,
                            "value": None if ratio is None else round(ratio, 3), "goal": goal})
        else:
            status_cell = ""
        table.append([label,
                      "failed" if ips is None else f"{ips:,.0f}{spread}",
                      "—" if wait is None else f"{100 * wait:.1f} %",
                      "—" if loss is None else f"{loss:.4f}",
                      "—" if ratio is None else f"{ratio:.2f}",
                      status_cell])
        csv_rows.append({"config": config, "epoch": epoch, "images_per_s_median": ips,
                         "images_per_s_min": min((r["images_per_s"] for r in rs), default=None),
                         "images_per_s_max": max((r["images_per_s"] for r in rs), default=None),
                         "data_wait_fraction_median": wait, "mean_loss": loss, "passes": len(rs),
                         "ratio_vs_local_same_epoch": ratio})

    widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
    print("\n".join("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in
                              enumerate(zip(r, widths))) for r in [header] + table))
    images = next((r["images"] for rs in epochs.values() for r in rs), None)
    print(f"\n{images:,} images per epoch" if images else "\nno epoch finished", end="")
    print(f"; train.py --seed {run['seed']} --workers {run['workers']} --threads {run['threads']} "
          f"--batch-size {run['batch_size']}{' --limit ' + str(run['limit']) if run['limit'] else ''}; "
          f"device: {run['gpu']}; torch {run['torch']}. Medians over {run['rounds']} round(s).")
    losses = {}
    for (c, e), rs in epochs.items():
        for r in rs:
            losses.setdefault(e, set()).add(r["mean_loss"])
    for e in sorted(losses):
        same = len(losses[e]) == 1
        print(f"epoch {e}: mean loss {'identical in every pass' if same else 'differs between passes: ' + str(sorted(losses[e]))}")

    extra = []
    for c in ("local", "avafs", "avafs_warm", "s3fs", "rclone"):
        if c in listing:
            extra.append(f"{NAMES[c]} {statistics.median(listing[c]):.1f} s")
    if extra:
        print("listing the dataset (train.py, before epoch 1; median): " + ", ".join(extra))
    if warmup:
        print(f"`avafs warm` of train/ took {statistics.median(warmup):.1f} s (median)")
    if rss:
        print("peak RSS of the daemon: " + ", ".join(f"{NAMES[c]} {v / (1 << 20):,.0f} MiB" for c, v in rss.items()))
    if cpu:
        print("CPU time while train.py ran (all its epochs; median over passes): " + "; ".join(
            f"{NAMES[c]}: Ceph {statistics.median(r['storage_s'] for r in rs):.0f} s, "
            f"mount daemon {statistics.median(r['daemon_s'] for r in rs):.0f} s, machine busy "
            f"{statistics.median(r['machine_busy_s'] for r in rs):.0f} s of "
            f"{statistics.median(r['wall_s'] * r['cpus'] for r in rs):.0f} s available"
            for c, rs in cpu.items()))
    print("load average (1 min) when each configuration started: " +
          "; ".join(f"{NAMES[c]} {', '.join(f'{x:.1f}' for x in v)}" for c, v in loads.items()))

    print("\ntargets:")
    for t in targets:
        print(f"  {t['status']:12} {t['target']}: {t['value']}")
    if errors:
        print("\nfailed:")
        for (c, p), es in sorted(errors.items()):
            for e in es:
                print(f"  {c} {p}: {e}")
    print(f"\nload when the script started (others only): {run['uptime_at_start'].strip()}\n"
          f"load before the first training (incl. this benchmark's Ceph): {run['uptime_before'].strip()}\n"
          f"load after:  {run['uptime_after'].strip()}")
    if not run.get("page_cache_dropped", True):
        print("WARNING: the page cache could not be dropped (not root): epoch 1 kept it.")

    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()) if csv_rows else ["config"])
        w.writeheader()
        w.writerows(csv_rows)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"run": run, "header": header, "table": table, "targets": targets,
                   "listing_seconds": listing, "avafs_warm_seconds": warmup, "peak_rss_bytes": rss,
                   "load1_at_start": loads, "errors": {" ".join(k): v for k, v in errors.items()}},
                  f, indent=1, ensure_ascii=False)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
        for r in table:
            f.write("| " + " | ".join(str(c) for c in r) + " |\n")
    print(f"\nwritten: {out}/summary.csv, summary.json, table.md, results.jsonl")


if __name__ == "__main__":
    main()
