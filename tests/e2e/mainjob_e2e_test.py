"""Ava's main job, end to end, as the README's first command runs it (scripts/demo.sh): Fashion-MNIST
loaded into a local store, avad + one agent, a one-epoch training job and an evaluation job reading
the PNGs through avafs, the checkpoint on the writable mount's durable tier.

It checks what a user would: the evaluation report (accuracy ≥ 80 %, a confusion matrix over the
10,000 test images), the checkpoint on the durable tier byte-identical to what the job wrote (and
uploaded to the cloud store), every image read through avafs, and that a second load finds the
dataset and loads nothing. Training that is killed mid-epoch leaves no checkpoint under the final
name. Needs python3-torch and dataset-fashion-mnist (scripts/install-deps.sh --main-job).
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import e2e_harness as h

SOURCE = os.environ.get("AVA_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BINARY = os.environ.get("AVA_BINARY_DIR", "")
EXAMPLES = os.path.join(SOURCE, "examples", "fashion-mnist")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def torch_available():
    return subprocess.run(["/usr/bin/python3", "-c", "import torch, torchvision, PIL"],
                          capture_output=True).returncode == 0


class MainJobTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [b for b in ("avad", "ava", "ava-agent", "avafs") if not os.path.exists(os.path.join(BINARY, "bin", b))]
        if missing:
            raise unittest.SkipTest(f"binaries not built in AVA_BINARY_DIR={BINARY!r}: {', '.join(missing)}")
        if not os.path.exists("/dev/fuse"):
            raise unittest.SkipTest("no /dev/fuse: the main job reads its dataset through avafs")
        if not torch_available() or not os.path.exists("/usr/share/datasets/fashion-mnist"):
            raise unittest.SkipTest("PyTorch or Fashion-MNIST missing (scripts/install-deps.sh --main-job)")
        cls.dir = tempfile.mkdtemp(prefix="ava-mainjob-")
        cls.summary_path = os.path.join(cls.dir, "summary.json")
        env = dict(os.environ, AVA_DEMO_DIR=os.path.join(cls.dir, "demo"), AVA_BUILD_DIR=BINARY,
                   AVA_DEMO_PORT=str(h.free_port()))
        cls.demo = subprocess.run([os.path.join(SOURCE, "scripts", "demo.sh"), "--summary", cls.summary_path],
                                 capture_output=True, text=True, env=env, timeout=1500)
        cls.output = cls.demo.stdout + cls.demo.stderr
        cls.summary = json.load(open(cls.summary_path)) if os.path.exists(cls.summary_path) else None

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "dir"):
            shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.demo.returncode, 0, self.output[-6000:])
        self.assertIsNotNone(self.summary)

    def test_report_has_accuracy_and_a_full_confusion_matrix(self):
        job = self.summary["eval_job"]
        self.assertEqual(job["state"], "succeeded")
        report = job["report"]
        self.assertGreaterEqual(report["accuracy"], 0.80)
        self.assertEqual(sum(map(sum, report["confusion_matrix"])), 10000)
        self.assertEqual(len(report["per_class"]), 10)
        for m in report["per_class"].values():
            self.assertGreaterEqual(m["precision"], 0.0)
            self.assertLessEqual(m["recall"], 1.0)
        self.assertIn("accuracy", self.output)  # printed by `ava job show`
        self.assertEqual(self.summary["train_job"]["state"], "succeeded")

    def test_checkpoint_is_on_the_durable_tier_as_the_job_wrote_it(self):
        with open(self.summary["train_summary"]) as f:
            written = json.load(f)["checkpoint"]["sha256"]
        self.assertEqual(sha256(self.summary["durable_checkpoint"]), written)
        self.assertEqual(sha256(self.summary["cloud_checkpoint"]), written)  # uploaded (demo flushes)
        self.assertEqual(self.summary["eval_job"]["report"]["checkpoint"]["sha256"], written)

    def test_every_image_was_read_through_avafs(self):
        with open(self.summary["dataset_manifest"]) as f:
            manifest = [json.loads(line) for line in f if line.strip()]
        train_bytes = sum(e["size"] for e in manifest if e["split"] == "train")
        all_bytes = sum(e["size"] for e in manifest)
        stats = self.summary["avafs_stats"]
        opens = stats["fuse"]["requests"]["open"]
        self.assertGreaterEqual(opens, 70000, "60,000 training and 10,000 test images are opened through avafs")
        self.assertGreaterEqual(stats["read"]["bytes_returned"], all_bytes)
        cache = stats["cache"]
        served_blocks = cache["ram"]["hits"] + cache["ssd"]["hits"] + stats["read"]["fetch_requests"]
        self.assertGreaterEqual(served_blocks, 70000)
        self.assertGreater(train_bytes, 0)

    def test_a_second_load_finds_the_dataset(self):
        r = subprocess.run(["/usr/bin/python3", os.path.join(EXAMPLES, "load_dataset.py"), "--dir",
                            os.path.join(self.dir, "demo", "stores", "datasets")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already", r.stdout)

    def test_training_killed_mid_epoch_leaves_no_checkpoint(self):
        data = os.path.join(self.dir, "demo", "stores", "datasets", "fashion-mnist")
        out = os.path.join(self.dir, "killed")
        p = subprocess.Popen(["/usr/bin/python3", "train.py", "--data", data, "--out", out, "--log-every", "20"],
                             cwd=EXAMPLES, stdout=subprocess.PIPE, text=True)
        for line in p.stdout:
            if line.startswith("epoch 1 step"):
                break
        p.send_signal(signal.SIGKILL)
        p.wait()
        self.assertFalse(os.path.exists(os.path.join(out, "model.pt")))


if __name__ == "__main__":
    unittest.main()
