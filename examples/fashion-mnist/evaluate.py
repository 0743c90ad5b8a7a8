#!/usr/bin/python3
"""Evaluates a train.py checkpoint on the Fashion-MNIST test split read from a directory (an avafs
mount), and writes a report: accuracy, per-class precision and recall, and the confusion matrix.

  evaluate.py --data /data/fashion-mnist --checkpoint /outputs/run1/model.pt --report /outputs/run1/report.json
"""
import argparse
import hashlib
import json
import os
import time

import torch

from common import CLASSES, PngFolder, SmallCnn, device, log


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset root holding test/<label>/*.png")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--report", required=True, help="where to write the JSON report")
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    dev = device()
    with open(a.checkpoint, "rb") as f:
        raw = f.read()
    state = torch.load(a.checkpoint, map_location=dev)
    model = SmallCnn().to(dev)
    model.load_state_dict(state["model"])
    model.eval()
    test = PngFolder(os.path.join(a.data, "test"))
    loader = torch.utils.data.DataLoader(test, batch_size=256, num_workers=a.workers)
    confusion = [[0] * 10 for _ in range(10)]
    start = time.time()
    with torch.no_grad():
        for x, y in loader:
            pred = model(x.to(dev)).argmax(1).cpu()
            for t, p_ in zip(y.tolist(), pred.tolist()):
                confusion[t][p_] += 1
    total = sum(map(sum, confusion))
    correct = sum(confusion[i][i] for i in range(10))
    per_class = {}
    for c in range(10):
        predicted = sum(confusion[t][c] for t in range(10))
        actual = sum(confusion[c])
        per_class[CLASSES[c]] = {"precision": round(confusion[c][c] / predicted, 4) if predicted else 0.0,
                                 "recall": round(confusion[c][c] / actual, 4) if actual else 0.0,
                                 "support": actual}
    report = {"accuracy": round(correct / total, 4), "images": total, "per_class": per_class,
              "confusion_matrix": confusion, "classes": CLASSES,
              "checkpoint": {"path": a.checkpoint, "sha256": hashlib.sha256(raw).hexdigest()},
              "seconds": round(time.time() - start, 2)}
    tmp = a.report + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2)
    os.rename(tmp, a.report)
    log(f"accuracy {100 * report['accuracy']:.2f}% on {total} test images; report in {a.report}")
    for name, m in per_class.items():
        log(f"  {name:<11} precision {m['precision']:.3f}  recall {m['recall']:.3f}")


if __name__ == "__main__":
    main()
