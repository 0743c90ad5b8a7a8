#!/usr/bin/python3
"""Loads Fashion-MNIST (Debian's dataset-fashion-mnist: IDX files) into an object store as PNG files
in class folders, with a manifest — the dataset Ava's main job trains on.

  load_dataset.py --dir /var/lib/ava/stores/datasets              a local-directory store
  load_dataset.py --s3-bucket datasets --endpoint http://127.0.0.1:7480   an S3 bucket (e.g. Ceph RGW)

Layout under PREFIX (default "fashion-mnist/"):
  train/<label>/<index>.png   60,000 images      test/<label>/<index>.png   10,000 images
  manifest.jsonl              one line per image: {"key", "label", "split", "size", "sha256"}

A second run finds the manifest and every object of it with the right size and loads nothing.
Progress goes to stderr as a bar (or a line every few seconds when stderr is not a terminal).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor

SOURCE = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def images(split):
    prefix = "train" if split == "train" else "t10k"
    (n, rows, cols), pixels = read_idx(os.path.join(SOURCE, f"{prefix}-images-idx3-ubyte.gz"))
    (_,), labels = read_idx(os.path.join(SOURCE, f"{prefix}-labels-idx1-ubyte.gz"))
    size = rows * cols
    for i in range(n):
        yield i, labels[i], pixels[i * size:(i + 1) * size], rows, cols


def png(raw, rows, cols):
    from PIL import Image
    buf = io.BytesIO()
    Image.frombytes("L", (cols, rows), raw).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


class Progress:
    def __init__(self, total, what):
        self.total, self.what, self.done, self.bytes = total, what, 0, 0
        self.start = self.last = time.time()
        self.tty = sys.stderr.isatty()

    def add(self, n_bytes):
        self.done += 1
        self.bytes += n_bytes
        now = time.time()
        if self.done == self.total or now - self.last > (0.2 if self.tty else 5):
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            frac = self.done / self.total
            bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
            line = (f"[{bar}] {100 * frac:5.1f}%  {self.done}/{self.total} {self.what}  "
                    f"{self.bytes / 2**20:.1f} MiB  {rate:.0f}/s")
            print(("\r\033[K" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)
            if self.tty and self.done == self.total:
                print(file=sys.stderr)


class DirStore:
    def __init__(self, root):
        self.root = root

    def size(self, key):
        try:
            return os.stat(os.path.join(self.root, key)).st_size
        except FileNotFoundError:
            return None

    def read(self, key):
        with open(os.path.join(self.root, key), "rb") as f:
            return f.read()

    def put(self, key, data):
        path = os.path.join(self.root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)


class S3Store:
    def __init__(self, bucket, endpoint):
        import boto3
        from botocore.config import Config
        self.bucket = bucket
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
                               config=Config(s3={"addressing_style": "path"}, max_pool_connections=32,
                                             retries={"max_attempts": 5}))
        try:
            self.s3.head_bucket(Bucket=bucket)
        except Exception:
            self.s3.create_bucket(Bucket=bucket)

    def size(self, key):
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except Exception:
            return None

    def read(self, key):
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put(self, key, data):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)


def already_loaded(store, prefix):
    """True when the manifest is there and every object it names has its size."""
    if store.size(prefix + "manifest.jsonl") is None:
        return False
    entries = [json.loads(line) for line in store.read(prefix + "manifest.jsonl").splitlines() if line.strip()]
    if len(entries) != 70000:
        return False
    with ThreadPoolExecutor(16) as pool:
        sizes = list(pool.map(lambda e: store.size(prefix + e["key"]) == e["size"], entries))
    return all(sizes)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", help="root directory of a local-directory store")
    p.add_argument("--s3-bucket", help="S3 bucket (created if missing); credentials from AWS_* variables")
    p.add_argument("--endpoint", default=os.environ.get("AVA_S3_ENDPOINT"), help="S3 endpoint URL")
    p.add_argument("--prefix", default="fashion-mnist/", help="key prefix (default fashion-mnist/)")
    p.add_argument("--threads", type=int, default=16, help="parallel uploads (default 16)")
    a = p.parse_args()
    if bool(a.dir) == bool(a.s3_bucket):
        p.error("give exactly one of --dir and --s3-bucket")
    if not os.path.exists(os.path.join(SOURCE, "train-images-idx3-ubyte.gz")):
        sys.exit(f"load_dataset: {SOURCE} is missing; install the Debian package dataset-fashion-mnist")
    prefix = a.prefix if a.prefix.endswith("/") or not a.prefix else a.prefix + "/"
    store = DirStore(a.dir) if a.dir else S3Store(a.s3_bucket, a.endpoint)
    where = a.dir or f"s3://{a.s3_bucket}"
    if already_loaded(store, prefix):
        print(f"Fashion-MNIST is already in {where}/{prefix} (70,000 images and the manifest); nothing to load")
        return 0
    progress = Progress(70000, "images")
    manifest = []

    def put(item):
        split, i, label, raw, rows, cols = item
        data = png(raw, rows, cols)
        key = f"{split}/{label}/{i:05d}.png"
        store.put(prefix + key, data)
        return {"key": key, "label": label, "class": CLASSES[label], "split": split, "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest()}

    def items():
        for split in ("train", "test"):
            for i, label, raw, rows, cols in images(split):
                yield split, i, label, raw, rows, cols

    with ThreadPoolExecutor(a.threads) as pool:
        for entry in pool.map(put, items(), chunksize=64):
            manifest.append(entry)
            progress.add(entry["size"])
    store.put(prefix + "manifest.jsonl", "".join(json.dumps(e) + "\n" for e in manifest).encode())
    print(f"loaded 70,000 images ({progress.bytes / 2**20:.1f} MiB) into {where}/{prefix} in "
          f"{time.time() - progress.start:.1f} s, with manifest.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
