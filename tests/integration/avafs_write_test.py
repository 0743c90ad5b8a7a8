"""avafs write path through a real FUSE mount, against the test radosgw: POSIX behaviour, and the
faults that must lose nothing — kill -9 while writing, the cloud store down, a full durable tier,
and renames racing uploads.

"The cloud" in these tests is a second radosgw gateway (scripts/ceph-s3.sh start-gateway) over the
same Ceph cluster, so a test can stop it without disturbing anything else that uses the main one.
"""
import errno
import mmap
import os
import random
import signal
import subprocess
import threading
import time
import unittest

import avafs_harness as h

HERE = os.path.dirname(os.path.abspath(__file__))
CEPH = os.path.join(HERE, "..", "..", "scripts", "ceph-s3.sh")
KiB, MiB = 1 << 10, 1 << 20


def gateway(action, name, port=None):
    args = [CEPH, action, name] + ([str(port)] if port else [])
    subprocess.run(args, check=True, capture_output=True, timeout=180)


def content(path, size):
    rnd = random.Random(path)
    return rnd.randbytes(size)


class WriteTestCase(h.AvafsTestCase):
    cloud_port = 7481  # distinct per class so runs in parallel do not collide

    def setUp(self):
        super().setUp()
        self.gw = f"cloud{self.cloud_port}"
        gateway("start-gateway", self.gw, self.cloud_port)
        self.cloud_endpoint = f"http://127.0.0.1:{self.cloud_port}"
        self.client = h.s3()
        self.cloud_bucket = h.new_bucket(self.client, "avafs-cloud")
        self.durable_bucket = h.new_bucket(self.client, "avafs-durable")
        self.addCleanup(lambda: gateway("stop-gateway", self.gw))
        self.addCleanup(lambda: h.delete_bucket(self.client, self.cloud_bucket))
        self.addCleanup(lambda: h.delete_bucket(self.client, self.durable_bucket))

    def config(self, durable="s3", delay="0s", capacity="0", extra=""):
        durable_store = (h.s3_store_yaml(self.durable_bucket) if durable == "s3"
                         else f'{{ uri: "file://{self.tmp}/durable" }}')
        os.makedirs(os.path.join(self.tmp, "durable"), exist_ok=True)
        return f"""
metadata_ttl: 60s
cache: {{ ram_capacity: 64MiB }}
mounts:
  - name: out
    store: {{ uri: "s3://{self.cloud_bucket}", endpoint: "{self.cloud_endpoint}", max_attempts: 2,
             retry_base_delay: 10ms, connect_timeout: 1s, request_timeout: 5s }}
    writable:
      durable: {durable_store}
      state_dir: {self.tmp}/state
      upload_delay: {delay}
      durable_capacity: {capacity}
      durable_high_watermark: 0.8
      durable_low_watermark: 0.5
      upload_threads: 4
{extra}"""

    def cloud_objects(self):
        out = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.cloud_bucket):
            for o in page.get("Contents", []):
                out[o["Key"]] = self.client.get_object(Bucket=self.cloud_bucket, Key=o["Key"])["Body"].read()
        return out

    def flush(self, fs, timeout=120):
        r = subprocess.run([h.AVAFS, "flush", "--timeout", str(timeout), os.path.join(fs.mnt, "out")],
                           capture_output=True, text=True, timeout=timeout + 30)
        self.assertEqual(r.returncode, 0, r.stderr)


class PosixTest(WriteTestCase):
    cloud_port = 7482

    def test_files_and_directories_behave_like_posix(self):
        fs = self.mount(self.config(delay="1h") + f"""
  - name: ro
    store: {h.s3_store_yaml(self.cloud_bucket)}
""")
        out = os.path.join(fs.mnt, "out")
        p = os.path.join(out, "run1", "log.txt")
        os.makedirs(os.path.join(out, "run1"))
        with open(p, "w") as f:
            f.write("epoch 1\n")
            f.flush()
            # A second handle sees the bytes before close (read-after-write).
            with open(p) as g:
                self.assertEqual(g.read(), "epoch 1\n")
        with open(p, "a") as f:
            f.write("epoch 2\n")
        with open(p) as f:
            self.assertEqual(f.read(), "epoch 1\nepoch 2\n")
        with open(p, "r+b") as f:  # random write
            f.seek(6)
            f.write(b"X")
        with open(p, "rb") as f:
            self.assertEqual(f.read(), b"epoch X\nepoch 2\n")
        os.truncate(p, 5)
        self.assertEqual(os.stat(p).st_size, 5)
        os.chmod(p, 0o600)
        self.assertEqual(os.stat(p).st_mode & 0o777, 0o600)
        os.utime(p, (1_600_000_000, 1_600_000_000))
        self.assertEqual(int(os.stat(p).st_mtime), 1_600_000_000)
        os.rename(p, os.path.join(out, "run1", "final.txt"))
        self.assertFalse(os.path.exists(p))
        os.rename(os.path.join(out, "run1"), os.path.join(out, "run2"))
        with open(os.path.join(out, "run2", "final.txt")) as f:
            self.assertEqual(f.read(), "epoch")
        with self.assertRaises(OSError) as e:
            os.rmdir(os.path.join(out, "run2"))
        self.assertEqual(e.exception.errno, errno.ENOTEMPTY)
        os.unlink(os.path.join(out, "run2", "final.txt"))
        os.rmdir(os.path.join(out, "run2"))
        self.assertEqual(os.listdir(out), [])
        with self.assertRaises(OSError) as e:
            os.symlink("x", os.path.join(out, "link"))
        self.assertEqual(e.exception.errno, errno.EPERM)
        with open(os.path.join(out, "a"), "w") as f:
            f.write("a")
        with self.assertRaises(OSError) as e:
            os.rename(os.path.join(out, "a"), os.path.join(fs.mnt, "ro", "a"))
        self.assertEqual(e.exception.errno, errno.EXDEV)
        with self.assertRaises(OSError) as e:
            open(os.path.join(fs.mnt, "ro", "new"), "w")
        self.assertEqual(e.exception.errno, errno.EROFS)
        # `mv` across mounts falls back to copy + delete because of EXDEV.
        subprocess.run(["mv", os.path.join(out, "a"), os.path.join(out, "b")], check=True)
        self.assertEqual(os.listdir(out), ["b"])

    def test_readers_see_a_write_only_handles_writes_at_once(self):
        # A write-only handle bypasses the kernel's page cache (direct I/O); readers that cached
        # pages, mapped the file or read up to its old end must still see every write at once.
        fs = self.mount(self.config(delay="1h"))
        p = os.path.join(fs.mnt, "out", "coherence", "log.txt")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        w = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        r = os.open(p, os.O_RDONLY)
        try:
            os.write(w, b"A" * 65536)
            self.assertEqual(os.pread(r, 65536, 0), b"A" * 65536)  # now cached by the kernel
            os.pwrite(w, b"B" * 4096, 4096)
            self.assertEqual(os.pread(r, 8, 4092), b"AAAABBBB")
            os.write(w, b"epoch 2\n")  # appended: a `tail -f` reads past the old end
            self.assertEqual(os.pread(r, 16, 65528), b"AAAAAAAAepoch 2\n")
            m = mmap.mmap(r, 8192, mmap.MAP_SHARED, mmap.PROT_READ)
            self.assertEqual(m[4092:4100], b"AAAABBBB")  # the page is mapped now
            os.pwrite(w, b"C" * 4096, 4096)
            self.assertEqual(m[4092:4100], b"AAAACCCC")  # no read(2) revalidates a mapping
            m.close()
        finally:
            os.close(w)
            os.close(r)
        with open(p, "rb") as f:
            data = f.read()
        self.assertEqual(len(data), 65536 + 8)
        self.assertEqual(data[4090:4100], b"AAAAAACCCC")

    def test_a_reader_opened_before_the_writer_sees_its_writes(self):
        # `tail -f train.log` started before the job appends to the log of an earlier run.
        fs = self.mount(self.config(delay="1h"))
        p = os.path.join(fs.mnt, "out", "follow", "train.log")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"run 1\n")
        r = os.open(p, os.O_RDONLY)
        try:
            self.assertEqual(os.pread(r, 100, 0), b"run 1\n")
            w = os.open(p, os.O_WRONLY | os.O_APPEND)
            os.write(w, b"run 2, epoch 1\n")
            self.assertEqual(os.pread(r, 100, 6), b"run 2, epoch 1\n")
            os.write(w, b"run 2, epoch 2\n")
            os.close(w)
            self.assertEqual(os.pread(r, 100, 0), b"run 1\nrun 2, epoch 1\nrun 2, epoch 2\n")
        finally:
            os.close(r)

    def test_filling_a_directory_does_not_list_it_again_for_every_new_file(self):
        # Each new name is first looked up (missing). A directory this mount just made is known to
        # be empty, so nothing needs asking, and this mount's own creates patch that listing
        # instead of throwing it away.
        fs = self.mount(self.config(durable="s3", delay="1h"), name="fill")
        d = os.path.join(fs.mnt, "out", "results")
        os.makedirs(d)
        asked = lambda: (fs.metric_sum("avafs_backend_requests_total", op="list"),
                         fs.metric_sum("avafs_backend_requests_total", op="head"))
        before = asked()
        for i in range(300):
            with open(os.path.join(d, f"{i:04d}.json"), "wb") as f:
                f.write(b"{}" * (i + 1))
        lists, heads = (after - b for after, b in zip(asked(), before))
        self.assertEqual((lists, heads), (0, 0), "LIST and HEAD requests to create 300 files")
        names = sorted(os.listdir(d))
        self.assertEqual(names, [f"{i:04d}.json" for i in range(300)])
        for i in (0, 150, 299):
            self.assertEqual(os.path.getsize(os.path.join(d, f"{i:04d}.json")), 2 * (i + 1))
            with open(os.path.join(d, f"{i:04d}.json"), "rb") as f:
                self.assertEqual(f.read(), b"{}" * (i + 1))
        os.unlink(os.path.join(d, "0007.json"))
        os.rename(os.path.join(d, "0008.json"), os.path.join(d, "renamed.json"))
        self.assertFalse(os.path.exists(os.path.join(d, "0007.json")))
        self.assertFalse(os.path.exists(os.path.join(d, "0008.json")))
        names = set(os.listdir(d))
        self.assertNotIn("0007.json", names)
        self.assertIn("renamed.json", names)
        self.assertEqual(len(names), 299)


class KillTest(WriteTestCase):
    cloud_port = 7483

    def test_kill_9_while_writing_a_thousand_files_loses_nothing_that_was_closed(self):
        fs = self.mount(self.config(durable="s3", delay="2s"))
        out = os.path.join(fs.mnt, "out")
        done_log = os.path.join(self.tmp, "closed.txt")
        sizes = [0, 1, 100, 4 * KiB, 100 * KiB, 1 * MiB, 3 * MiB + 17]
        writer = subprocess.Popen(["/usr/bin/python3", "-c", f"""
import os, random, sys
sizes = {sizes}
log = open({done_log!r}, "w")
for i in range(1000):
    path = "d%02d/f%04d" % (i % 20, i)
    full = os.path.join({out!r}, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    data = random.Random(path).randbytes(sizes[i % len(sizes)])
    with open(full, "wb") as f:
        f.write(data)
    log.write(path + " " + str(len(data)) + "\\n")
    log.flush()
"""], stderr=subprocess.DEVNULL)
        # Let it get well into the run, then kill the daemon without warning.
        deadline = time.time() + 120
        while time.time() < deadline:
            with open(done_log) if os.path.exists(done_log) else open(os.devnull) as f:
                if len(f.readlines()) >= 300:
                    break
            time.sleep(0.05)
        fs.kill()
        writer.wait(60)
        with open(done_log) as f:
            closed = [line.split() for line in f if line.strip()]
        self.assertGreaterEqual(len(closed), 300)
        self.assertLess(len(closed), 1000, "the daemon was killed too late to test anything")
        # Every file whose close returned is complete on the durable tier...
        for path, size in closed:
            body = self.client.get_object(Bucket=self.durable_bucket, Key=path)["Body"].read()
            self.assertEqual(body, content(path, int(size)), path)
        # ...and, after a restart, every one of them reaches the cloud store.
        again = self.mount(self.config(durable="s3", delay="2s"), name="again")
        self.flush(again)
        cloud = self.cloud_objects()
        for path, size in closed:
            self.assertIn(path, cloud)
            self.assertEqual(cloud[path], content(path, int(size)), path)
        for key in cloud:
            self.assertTrue(key.endswith("/") or key in {p for p, _ in closed} or key.startswith("d"), key)


class CloudDownTest(WriteTestCase):
    cloud_port = 7484

    def test_writes_go_on_while_the_cloud_is_down_and_everything_arrives_once(self):
        fs = self.mount(self.config(durable="local", delay="0s"))
        out = os.path.join(fs.mnt, "out")
        expect = {}

        def write(path, size):
            data = content(path, size)
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            expect[path] = data

        for i in range(100):
            write(f"before/{i:03d}", 1000 + i)
        gateway("stop-gateway", self.gw)
        for i in range(100):
            write(f"during/{i:03d}", 2000 + i)
        # Per-path order: created, renamed, renamed again, one deleted — while the cloud is down.
        write("seq/x", 10)
        os.rename(os.path.join(out, "seq/x"), os.path.join(out, "seq/y"))
        expect["seq/y"] = expect.pop("seq/x")
        write("seq/gone", 10)
        os.unlink(os.path.join(out, "seq/gone"))
        del expect["seq/gone"]
        time.sleep(1)
        stats = fs.stats()["writeback"]["out"]
        self.assertGreater(stats["queue_length"], 0)
        self.assertGreater(stats["upload_errors"], 0)
        for path, data in expect.items():  # readers are unaffected
            with open(os.path.join(out, path), "rb") as f:
                self.assertEqual(f.read(), data)
        gateway("start-gateway", self.gw, self.cloud_port)
        self.flush(fs)
        cloud = self.cloud_objects()
        files = {k: v for k, v in cloud.items() if not k.endswith("/")}
        self.assertEqual(set(files), set(expect), "missing or extra objects in the cloud")
        for path, data in expect.items():
            self.assertEqual(files[path], data, path)
        self.assertEqual(fs.stats()["writeback"]["out"]["queue_length"], 0)


class FullDurableTest(WriteTestCase):
    cloud_port = 7485

    def test_full_durable_tier_gives_enospc_then_recovers_when_uploads_free_space(self):
        fs = self.mount(self.config(durable="local", delay="0s", capacity="8MiB"))
        out = os.path.join(fs.mnt, "out")
        gateway("stop-gateway", self.gw)  # nothing can be uploaded, so nothing can be evicted
        written = []
        failed = None
        for i in range(20):
            path = os.path.join(out, f"f{i}")
            try:
                with open(path, "wb") as f:
                    f.write(content(path, 1 * MiB))
                written.append(path)
            except OSError as e:
                failed = e
                break
        self.assertIsNotNone(failed, "the durable tier never filled up")
        self.assertEqual(failed.errno, errno.ENOSPC)
        self.assertGreaterEqual(len(written), 5)
        gateway("start-gateway", self.gw, self.cloud_port)
        self.flush(fs)
        path = os.path.join(out, "after")
        deadline = time.time() + 30
        while True:
            try:
                with open(path, "wb") as f:
                    f.write(content(path, 2 * MiB))
                break
            except OSError as e:
                if e.errno != errno.ENOSPC or time.time() > deadline:
                    raise
                time.sleep(0.2)
        for p in written:
            with open(p, "rb") as f:
                self.assertEqual(f.read(), content(p, 1 * MiB))


class RaceTest(WriteTestCase):
    cloud_port = 7486

    def test_concurrent_writers_and_renames_racing_uploads(self):
        fs = self.mount(self.config(durable="s3", delay="0s"))
        out = os.path.join(fs.mnt, "out")
        os.makedirs(os.path.join(out, "final"))
        errors = []

        def worker(w):
            try:
                for i in range(40):
                    tmp = os.path.join(out, f"tmp-{w}-{i}")
                    final = os.path.join(out, "final", f"ckpt-{w}-{i}")
                    with open(tmp, "wb") as f:
                        f.write(content(final, 50 * KiB + i))
                    os.rename(tmp, final)  # the upload of tmp may be running right now
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.flush(fs)
        cloud = self.cloud_objects()
        files = {k for k in cloud if not k.endswith("/")}
        want = {f"final/ckpt-{w}-{i}" for w in range(6) for i in range(40)}
        self.assertEqual(files, want, "orphans or missing objects in the cloud")
        for key in want:
            self.assertEqual(cloud[key], content(os.path.join(out, key), 50 * KiB + int(key.rsplit("-", 1)[1])))


if __name__ == "__main__":
    unittest.main()
