"""Helpers for avafs integration tests: S3 buckets on the test radosgw, avafs daemons started and
stopped by PID, metrics read from a mount's control endpoint.

Environment (scripts/test.sh sets it): AVA_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AVAFS_BIN (the avafs binary).
"""
import json
import os
import random
import shutil
import signal
import string
import subprocess
import tempfile
import time
import unittest
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ENDPOINT = os.environ.get("AVA_S3_ENDPOINT", "")
AVAFS = os.environ.get("AVAFS_BIN", "")


def skip_reason():
    """Why the FUSE integration tests cannot run here, or None."""
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine: FUSE mount tests skipped"
    if not (shutil.which("fusermount3") or os.geteuid() == 0):
        return "no fusermount3 and not root: cannot mount"
    if not ENDPOINT:
        return "AVA_S3_ENDPOINT is not set (run through scripts/test.sh, which starts radosgw)"
    if not AVAFS or not os.access(AVAFS, os.X_OK):
        return "AVAFS_BIN does not name the avafs binary"
    return None


def s3():
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5},
                                      max_pool_connections=32))


def new_bucket(client, prefix="avafs-it"):
    name = prefix + "-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
    client.create_bucket(Bucket=name)
    return name


def delete_bucket(client, bucket):
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        for i in range(0, len(keys), 1000):
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys[i:i + 1000]})
    client.delete_bucket(Bucket=bucket)


def put_many(client, bucket, items, workers=16):
    """items: iterable of (key, bytes)."""
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda kv: client.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]), items))


class Avafs:
    """One avafs daemon in the foreground, owned by its PID."""

    def __init__(self, workdir, config_text, extra_args=()):
        self.workdir = workdir
        self.mnt = os.path.join(workdir, "mnt")
        os.makedirs(self.mnt, exist_ok=True)
        self.config = os.path.join(workdir, "mounts.yaml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.log = os.path.join(workdir, "avafs.log")
        self.extra_args = list(extra_args)
        self.proc = None

    def start(self, timeout=30):
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [AVAFS, "mount", "-f", "--log-file", self.log, *self.extra_args, self.config, self.mnt],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise RuntimeError(f"avafs exited with {self.proc.returncode}: {err.decode()} {self.read_log()}")
            if os.path.ismount(self.mnt):
                try:
                    os.getxattr(self.mnt, "user.avafs.control")
                    return self
                except OSError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("avafs did not mount in time: " + self.read_log())

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def control(self):
        return os.getxattr(self.mnt, "user.avafs.control").decode()

    def metrics(self):
        """Prometheus text → {series: value}."""
        text = urllib.request.urlopen(f"http://{self.control()}/metrics", timeout=10).read().decode()
        out = {}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            series, _, value = line.rpartition(" ")
            out[series] = float(value)
        return out

    def stats(self):
        return json.loads(urllib.request.urlopen(f"http://{self.control()}/stats", timeout=10).read())

    def metric_sum(self, name, **labels):
        total = 0.0
        for series, value in self.metrics().items():
            base = series.split("{", 1)[0]
            if base != name:
                continue
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                total += value
        return total

    def stop(self, timeout=20):
        """Unmounts (the daemon then saves its cache index and exits)."""
        if self.proc is None:
            return
        if os.path.ismount(self.mnt):
            subprocess.run(["fusermount3", "-u", self.mnt] if shutil.which("fusermount3") else ["umount", self.mnt],
                           check=False)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def kill(self):
        """kill -9, then clear the dead mount."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None
        if os.path.ismount(self.mnt) or os.path.exists(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt] if shutil.which("fusermount3")
                           else ["umount", "-l", self.mnt], check=False, stderr=subprocess.DEVNULL)


def s3_store_yaml(bucket, extra=""):
    return f"""{{ uri: "s3://{bucket}", endpoint: "{ENDPOINT}"{extra} }}"""


class AvafsTestCase(unittest.TestCase):
    """Skips when FUSE or S3 is missing; gives each test a temporary directory and cleans up daemons."""

    def setUp(self):
        reason = skip_reason()
        if reason:
            self.skipTest(reason)
        self.tmp = tempfile.mkdtemp(prefix="avafs-it-")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mount(self, config_text, name="a", extra_args=()):
        d = Avafs(os.path.join(self.tmp, name), config_text, extra_args)
        self.daemons.append(d)
        return d.start()
