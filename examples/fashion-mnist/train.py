#!/usr/bin/python3
"""Trains a small CNN on Fashion-MNIST PNGs read from a directory (an avafs mount in Ava's main job)
with a standard DataLoader, and writes the checkpoint atomically.

  train.py --data /data/fashion-mnist --out /outputs/run1 [--epochs 1] [--seed 1]

Every --log-every steps it logs epoch, step, loss, images/s and the fraction of step time spent
waiting for data; at the end of each epoch a summary line. The checkpoint goes to OUT/model.pt via
OUT/model.pt.tmp + fsync + rename, so a job killed mid-epoch never leaves a half-written file under
the final name. Runs on the GPU the agent bound (CUDA_VISIBLE_DEVICES) if there is one, else on the CPU.

--limit N trains on N of the training images, spread evenly over the sorted list (every class is
represented), for quick checks such as bench/train/run_train_bench.sh --quick; without it, all.
"""
import argparse
import hashlib
import json
import os
import random
import time

import torch
from torch import nn

from common import PngFolder, SmallCnn, device, log


def save_atomically(state, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset root holding train/<label>/*.png")
    p.add_argument("--out", required=True, help="directory for model.pt and train.json")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--limit", type=int, default=0, help="train on this many images, spread evenly (0: all)")
    a = p.parse_args()
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = device()
    t0 = time.time()
    train = PngFolder(os.path.join(a.data, "train"))
    if 0 < a.limit < len(train):
        train = torch.utils.data.Subset(train, [i * len(train) // a.limit for i in range(a.limit)])
    log(f"dataset: {len(train)} training images under {a.data}/train (listed in {time.time() - t0:.1f} s); "
        f"device: {dev}{' (CUDA_VISIBLE_DEVICES=' + os.environ['CUDA_VISIBLE_DEVICES'] + ')' if 'CUDA_VISIBLE_DEVICES' in os.environ else ''}")
    g = torch.Generator()
    g.manual_seed(a.seed)
    loader = torch.utils.data.DataLoader(train, batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                                         generator=g, persistent_workers=a.workers > 0)
    model = SmallCnn().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    os.makedirs(a.out, exist_ok=True)
    summary = {"epochs": []}
    for epoch in range(1, a.epochs + 1):
        model.train()
        seen, wait, epoch_start, loss_sum = 0, 0.0, time.time(), 0.0
        window_seen, window_wait, window_start = 0, 0.0, time.time()
        t_ready = time.time()
        for step, (x, y) in enumerate(loader, 1):
            t_got = time.time()
            wait += t_got - t_ready
            window_wait += t_got - t_ready
            x, y = x.to(dev), y.to(dev)
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(y)
            seen += len(y)
            window_seen += len(y)
            t_ready = time.time()
            if step % a.log_every == 0:
                dt = t_ready - window_start
                log(f"epoch {epoch} step {step} loss {loss.item():.4f} images/s {window_seen / dt:.0f} "
                    f"data_wait {100 * window_wait / dt:.1f}%")
                window_seen, window_wait, window_start = 0, 0.0, t_ready
        dt = time.time() - epoch_start
        e = {"epoch": epoch, "images": seen, "seconds": round(dt, 2), "images_per_s": round(seen / dt, 1),
             "data_wait_fraction": round(wait / dt, 4), "mean_loss": round(loss_sum / seen, 4)}
        summary["epochs"].append(e)
        log(f"epoch {epoch} done: {seen} images in {dt:.1f} s, {e['images_per_s']} images/s, "
            f"data wait {100 * e['data_wait_fraction']:.1f}% of the time, mean loss {e['mean_loss']}")
    digest = save_atomically({"model": model.state_dict(), "seed": a.seed, "epochs": a.epochs},
                             os.path.join(a.out, "model.pt"))
    summary["checkpoint"] = {"path": os.path.join(a.out, "model.pt"), "sha256": digest}
    with open(os.path.join(a.out, "train.json"), "w") as f:
        json.dump(summary, f, indent=2)
    log(f"checkpoint {os.path.join(a.out, 'model.pt')} sha256 {digest}")


if __name__ == "__main__":
    main()
