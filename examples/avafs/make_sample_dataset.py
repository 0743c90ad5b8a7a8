"""Makes (or verifies) the demo dataset: 2,000 small "images" in 10 class folders plus one 64 MiB
file, in an S3 bucket and a few files in a local directory. Contents are derived from the key, so
the verifier needs no copy of the data.

  make_sample_dataset.py --bucket NAME --local DIR     upload (skipped when already there)
  make_sample_dataset.py --verify MOUNTPOINT           read every file through avafs and check it
"""
import argparse
import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor

CLASSES = [f"class{c}" for c in range(10)]
SMALL_PER_CLASS = 200
BIG_KEY = "shards/shard-000.bin"
BIG_SIZE = 64 << 20


def content(key, size):
    seed = hashlib.sha256(key.encode()).digest()
    reps = size // len(seed) + 1
    return (seed * reps)[:size]


def small_items():
    for c in CLASSES:
        for i in range(SMALL_PER_CLASS):
            key = f"train/{c}/{i:05d}.png"
            yield key, content(key, 2000 + (i * 7919) % 30000)


def upload(bucket, local):
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=os.environ["AVA_S3_ENDPOINT"], region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}, max_pool_connections=32))
    try:
        s3.head_bucket(Bucket=bucket)
        count = s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0)
    except Exception:
        s3.create_bucket(Bucket=bucket)
        count = 0
    items = list(small_items())
    if count < 1000:
        done = 0
        with ThreadPoolExecutor(16) as pool:
            for _ in pool.map(lambda kv: s3.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]), items):
                done += 1
                if done % 200 == 0:
                    print(f"\r  uploaded {done}/{len(items)} files", end="", flush=True)
        s3.put_object(Bucket=bucket, Key=BIG_KEY, Body=content(BIG_KEY, BIG_SIZE))
        print(f"\r  uploaded {len(items)} files and a {BIG_SIZE >> 20} MiB shard to s3://{bucket}")
    else:
        print(f"  s3://{bucket} already holds the dataset")
    for c in CLASSES[:3]:
        path = os.path.join(local, "labels", f"{c}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content(f"labels/{c}.txt", 100))
    print(f"  wrote 3 label files to {local}")


def verify(mnt):
    bad = 0
    n = 0
    total = 0
    for key, data in list(small_items()) + [(BIG_KEY, None)]:
        path = os.path.join(mnt, "ceph", key)
        with open(path, "rb") as f:
            got = f.read()
        expect = data if data is not None else content(BIG_KEY, BIG_SIZE)
        n += 1
        total += len(got)
        if got != expect:
            bad += 1
            print(f"  MISMATCH {path}", file=sys.stderr)
    for c in CLASSES[:3]:
        with open(os.path.join(mnt, "local", "labels", f"{c}.txt"), "rb") as f:
            if f.read() != content(f"labels/{c}.txt", 100):
                bad += 1
        n += 1
    print(f"  read {n} files ({total >> 20} MiB): {n - bad} identical to their source, {bad} different")
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bucket")
    p.add_argument("--local")
    p.add_argument("--verify", metavar="MOUNTPOINT")
    a = p.parse_args()
    if a.verify:
        return verify(a.verify)
    if not (a.bucket and a.local):
        p.error("--bucket and --local, or --verify")
    upload(a.bucket, a.local)
    return 0


if __name__ == "__main__":
    sys.exit(main())
