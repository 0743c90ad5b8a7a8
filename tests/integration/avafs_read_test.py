"""avafs read path through a real FUSE mount over the test radosgw (and a local directory).

What a user would check by hand: byte-identical files (cmp), random reads, ls/find of a big tree,
the tiers staying under capacity, a restarted daemon serving from its SSD tier without GETs, a
corrupted SSD block re-fetched rather than served, and clear errors for bad mount tables,
unreachable endpoints and rejected credentials.
"""
import glob
import os
import random
import subprocess
import threading
import time
import unittest

import avafs_harness as h

MiB = 1 << 20


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class ReadPathTest(h.AvafsTestCase):
    """One bucket with small, empty, large and oddly named objects and a 10,000-object tree."""

    @classmethod
    def setUpClass(cls):
        if h.skip_reason():
            return
        cls.client = h.s3()
        cls.bucket = h.new_bucket(cls.client)
        rnd = random.Random(1)
        cls.files = {
            "small.txt": b"hello, avafs\n",
            "empty": b"",
            "large.bin": rnd.randbytes(23 * MiB + 12345),
            "dir with spaces/数据 1.txt": "ünïcödé\n".encode(),
        }
        items = list(cls.files.items())
        items += [(f"tree/d{d:03d}/f{i:03d}.png", b"x" * (d + i)) for d in range(100) for i in range(100)]
        items += [(f"wide/{i:05d}", b"w") for i in range(6000)]
        h.put_many(cls.client, cls.bucket, items)

    @classmethod
    def tearDownClass(cls):
        if h.skip_reason():
            return
        h.delete_bucket(cls.client, cls.bucket)

    def setUp(self):
        super().setUp()
        self.scratch = os.path.join(self.tmp, "scratch")
        write(os.path.join(self.scratch, "notes/readme.md"), b"local file\n")
        self.fs = self.mount(f"""
metadata_ttl: 60s
cache:
  ram_capacity: 64MiB
  ssd_dir: {self.tmp}/ssd
  ssd_capacity: 128MiB
mounts:
  - name: ceph
    store: {h.s3_store_yaml(self.bucket)}
  - name: scratch
    store: {{ uri: "file://{self.scratch}" }}
""")
        self.root = self.fs.mnt

    def test_mounts_appear_side_by_side(self):
        self.assertEqual(sorted(os.listdir(self.root)), ["ceph", "scratch"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.root, "ceph"))),
                         ["dir with spaces", "empty", "large.bin", "small.txt", "tree", "wide"])
        with open(os.path.join(self.root, "scratch/notes/readme.md"), "rb") as f:
            self.assertEqual(f.read(), b"local file\n")

    def test_files_are_byte_identical_with_cmp(self):
        for key, data in self.files.items():
            local = os.path.join(self.tmp, "expect", key.replace("/", "_"))
            write(local, data)
            mounted = os.path.join(self.root, "ceph", key)
            self.assertEqual(os.stat(mounted).st_size, len(data), key)
            r = subprocess.run(["cmp", local, mounted], capture_output=True)
            self.assertEqual(r.returncode, 0, f"{key}: {r.stdout.decode()} {r.stderr.decode()}")

    def test_thousand_random_ranged_reads(self):
        data = self.files["large.bin"]
        rnd = random.Random(2)
        fd = os.open(os.path.join(self.root, "ceph/large.bin"), os.O_RDONLY)
        try:
            for _ in range(1000):
                off = rnd.randrange(len(data) + 10)
                n = rnd.choice([1, 17, 4096, 65536, 1 << 20, 3 << 20])
                self.assertEqual(os.pread(fd, n, off), data[off:off + n], f"offset {off} length {n}")
        finally:
            os.close(fd)

    def test_ls_and_find_of_ten_thousand_objects(self):
        tree = os.path.join(self.root, "ceph/tree")
        self.assertEqual(len(os.listdir(tree)), 100)
        out = subprocess.run(["find", tree, "-type", "f"], capture_output=True, check=True).stdout.decode()
        files = out.split()
        self.assertEqual(len(files), 10000)
        self.assertIn(os.path.join(tree, "d042/f007.png"), files)
        self.assertEqual(os.stat(os.path.join(tree, "d042/f007.png")).st_size, 49)
        ls = subprocess.run(["ls", "-lR", tree], capture_output=True, check=True).stdout.decode()
        self.assertEqual(ls.count(".png"), 10000)

    def test_a_wide_directory_lists_every_name(self):
        # The kernel reads big directories with READDIRPLUS and then plain READDIR; every entry
        # must carry an inode number, or readdir(3) drops it as deleted.
        wide = os.path.join(self.root, "ceph/wide")
        self.assertEqual(len(os.listdir(wide)), 6000)
        self.assertEqual(len(os.listdir(wide)), 6000)  # again, from the kernel's cache
        out = subprocess.run(["ls", "-f", wide], capture_output=True, check=True, text=True).stdout.split()
        self.assertEqual(len([n for n in out if n not in (".", "..")]), 6000)

    def test_missing_names_and_writes_fail_cleanly(self):
        with self.assertRaises(FileNotFoundError):
            os.stat(os.path.join(self.root, "ceph/no-such-file"))
        with self.assertRaises(OSError) as e:
            open(os.path.join(self.root, "ceph/small.txt"), "wb")
        self.assertEqual(e.exception.errno, 30)  # EROFS
        with self.assertRaises(OSError):
            open(os.path.join(self.root, "ceph/new-file"), "wb")

    def test_warm_then_stats(self):
        tree = os.path.join(self.root, "ceph/tree")
        r = subprocess.run([h.AVAFS, "warm", tree], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warmed 10000 files", r.stdout)
        gets = self.fs.metric_sum("avafs_backend_requests_total", op="get")
        for d in range(0, 100, 7):
            with open(os.path.join(tree, f"d{d:03d}/f001.png"), "rb") as f:
                self.assertEqual(f.read(), b"x" * (d + 1))
        self.assertEqual(self.fs.metric_sum("avafs_backend_requests_total", op="get"), gets,
                         "warmed files were fetched again")
        again = subprocess.run([h.AVAFS, "warm", "-q", tree], capture_output=True, text=True)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("fetched 0 B from the stores", again.stdout)
        meta = subprocess.run([h.AVAFS, "warm", "--metadata-only", os.path.join(self.root, "ceph")],
                              capture_output=True, text=True)
        self.assertEqual(meta.returncode, 0, meta.stderr)
        stats = subprocess.run([h.AVAFS, "stats", self.root], capture_output=True, text=True)
        self.assertEqual(stats.returncode, 0, stats.stderr)
        self.assertIn("ram", stats.stdout)
        self.assertIn("backend requests", stats.stdout)

    def test_reopened_files_are_served_by_the_kernel_and_a_changed_object_is_read_anew(self):
        # A read-only tree lets the kernel open files without asking avafs (zero-message open) and
        # keep their pages; a new ETag found when the name is revalidated must drop those pages.
        key = "changing.txt"
        h.put_many(self.client, self.bucket, [(key, b"version one\n")])
        fs = self.mount(f"""
metadata_ttl: 1s
cache: {{ ram_capacity: 16MiB }}
mounts:
  - name: ceph
    store: {h.s3_store_yaml(self.bucket)}
""", name="short-ttl")
        path = os.path.join(fs.mnt, "ceph", key)
        for _ in range(20):
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"version one\n")
        self.assertLessEqual(fs.metric_sum("avafs_fuse_op_seconds_count", op="open"), 1,
                             "every open reached the daemon")
        self.assertLessEqual(fs.metric_sum("avafs_fuse_op_seconds_count", op="read"), 1,
                             "the kernel did not keep the file's pages")
        # Same size, written within the same second: only the ETag tells the versions apart.
        h.put_many(self.client, self.bucket, [(key, b"version two\n")])
        time.sleep(2.5)  # past the 1 s metadata TTL (and the kernel's attribute timeout)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"version two\n")
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def test_warm_list_file(self):
        listing = os.path.join(self.tmp, "list.txt")
        with open(listing, "w") as f:
            f.write("# two files and a directory\n")
            f.write(os.path.join(self.root, "ceph/small.txt") + "\n\n")
            f.write(os.path.join(self.root, "ceph/large.bin") + "\n")
            f.write(os.path.join(self.root, "ceph/tree/d001") + "\n")
        r = subprocess.run([h.AVAFS, "warm", "--list", listing], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warmed 102 files", r.stdout)

    def test_warm_outside_a_mount_is_refused(self):
        r = subprocess.run([h.AVAFS, "warm", self.tmp], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not inside an avafs mount", r.stderr)


class TierTest(h.AvafsTestCase):
    """Small tiers (RAM 4 MiB, SSD 8 MiB, 1 MiB blocks) over 24 MiB of data."""

    @classmethod
    def setUpClass(cls):
        if h.skip_reason():
            return
        cls.client = h.s3()
        cls.bucket = h.new_bucket(cls.client)
        rnd = random.Random(3)
        cls.files = {f"f{i}.bin": rnd.randbytes(4 * MiB) for i in range(6)}
        h.put_many(cls.client, cls.bucket, cls.files.items())

    @classmethod
    def tearDownClass(cls):
        if h.skip_reason():
            return
        h.delete_bucket(cls.client, cls.bucket)

    def config(self, ram="4MiB", ssd="8MiB"):
        return f"""
metadata_ttl: indefinite
read: {{ block_size: 1MiB, max_request: 2MiB, fetch_buffers: 8MiB, max_readahead: 4MiB }}
cache:
  ram_capacity: {ram}
  ssd_dir: {self.tmp}/ssd
  ssd_capacity: {ssd}
mounts:
  - name: b
    store: {h.s3_store_yaml(self.bucket)}
"""

    def read(self, fs, name):
        with open(os.path.join(fs.mnt, "b", name), "rb") as f:
            return f.read()

    def test_tiers_stay_under_capacity_while_reading_three_times_their_size(self):
        fs = self.mount(self.config())
        peaks = {"ram": 0.0, "ssd": 0.0}
        done = threading.Event()

        def sample():
            while not done.is_set():
                for tier in peaks:
                    peaks[tier] = max(peaks[tier], fs.metric_sum("avafs_cache_used_bytes", tier=tier))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            for name, data in self.files.items():
                self.assertEqual(self.read(fs, name), data, name)
        finally:
            done.set()
            sampler.join()
        s = fs.stats()["cache"]
        self.assertLessEqual(peaks["ram"], 4 * MiB)
        self.assertLessEqual(peaks["ssd"], 8 * MiB)
        self.assertLessEqual(s["ram"]["used_bytes"], 4 * MiB)
        self.assertLessEqual(s["ssd"]["used_bytes"], 8 * MiB)
        self.assertGreater(s["ram"]["evictions"], 0)
        self.assertGreater(s["ssd"]["evictions"], 0)

    def restart_serves_from_ssd(self, unclean):
        fs = self.mount(self.config(ram="16MiB", ssd="32MiB"), name="first")
        for name in ("f0.bin", "f1.bin"):
            self.assertEqual(self.read(fs, name), self.files[name])
        self.assertGreater(fs.metric_sum("avafs_backend_requests_total", op="get"), 0)
        # Wait until the SSD writer has every block of both files (8 blocks).
        deadline = time.time() + 20
        while fs.stats()["cache"]["ssd"]["blocks"] < 8 and time.time() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(fs.stats()["cache"]["ssd"]["blocks"], 8)
        if unclean:
            fs.kill()
        else:
            fs.stop()
        again = self.mount(self.config(ram="16MiB", ssd="32MiB"), name="second")
        for name in ("f0.bin", "f1.bin"):
            self.assertEqual(self.read(again, name), self.files[name])
        self.assertEqual(again.metric_sum("avafs_backend_requests_total", op="get"), 0,
                         "a restarted avafs fetched data its SSD tier had")
        self.assertGreater(again.stats()["cache"]["ssd"]["hits"], 0)

    def test_restart_after_unmount_reads_with_zero_gets(self):
        self.restart_serves_from_ssd(unclean=False)

    def test_restart_after_kill_9_reads_with_zero_gets(self):
        self.restart_serves_from_ssd(unclean=True)

    def test_corrupted_ssd_block_is_detected_and_fetched_again(self):
        fs = self.mount(self.config(ram="16MiB", ssd="32MiB"), name="first")
        self.assertEqual(self.read(fs, "f2.bin"), self.files["f2.bin"])
        deadline = time.time() + 20
        while fs.stats()["cache"]["ssd"]["blocks"] < 4 and time.time() < deadline:
            time.sleep(0.05)
        fs.stop()
        blocks = sorted(glob.glob(os.path.join(self.tmp, "ssd", "**", "*.blk"), recursive=True))
        self.assertEqual(len(blocks), 4)
        victim = blocks[0]
        with open(victim, "r+b") as f:
            f.seek(-100, os.SEEK_END)
            byte = f.read(1)
            f.seek(-100, os.SEEK_END)
            f.write(bytes([byte[0] ^ 0xFF]))
        again = self.mount(self.config(ram="16MiB", ssd="32MiB"), name="second")
        self.assertEqual(self.read(again, "f2.bin"), self.files["f2.bin"])
        # Concurrent kernel reads may both verify the bad block before it is dropped: at least once.
        self.assertGreaterEqual(again.metric_sum("avafs_cache_corrupt_blocks_total"), 1)
        self.assertEqual(again.metric_sum("avafs_backend_requests_total", op="get"), 1,
                         "exactly the corrupted block is fetched again")

    def test_cache_directory_is_private(self):
        self.mount(self.config())
        self.assertEqual(os.stat(os.path.join(self.tmp, "ssd")).st_mode & 0o777, 0o700)


class MountErrorsTest(h.AvafsTestCase):
    """The mount fails at once, on the terminal, with the reason."""

    def run_mount(self, config_text):
        d = os.path.join(self.tmp, "m")
        os.makedirs(os.path.join(d, "mnt"), exist_ok=True)
        cfg = os.path.join(d, "mounts.yaml")
        with open(cfg, "w") as f:
            f.write(config_text)
        r = subprocess.run([h.AVAFS, "mount", "-f", cfg, os.path.join(d, "mnt")],
                           capture_output=True, text=True, timeout=60)
        return cfg, r

    def test_malformed_mount_table_names_file_and_line(self):
        cfg, r = self.run_mount("mounts:\n  - name: a\n    store: { uri: 's3://bucket', endpont: 'http://h' }\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn(cfg + ":3:", r.stderr)
        self.assertIn("endpont", r.stderr)

    def test_unreachable_endpoint_fails_the_mount(self):
        _, r = self.run_mount("mounts:\n  - name: a\n    store: { uri: 's3://no-such-bucket', endpoint: 'http://127.0.0.1:9' }\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("127.0.0.1:9", r.stderr)

    def test_bad_credentials_fail_the_mount(self):
        client = h.s3()
        bucket = h.new_bucket(client)
        try:
            _, r = self.run_mount(f"""mounts:
  - name: a
    store: {{ uri: "s3://{bucket}", endpoint: "{h.ENDPOINT}", access_key: "AKIAWRONG", secret_key: "nope" }}
""")
            self.assertEqual(r.returncode, 1)
            self.assertRegex(r.stderr.lower(), "credential|accessdenied|signature|invalidaccesskeyid")
        finally:
            h.delete_bucket(client, bucket)


if __name__ == "__main__":
    unittest.main()
