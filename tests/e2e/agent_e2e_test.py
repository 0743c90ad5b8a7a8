"""End to end: avad (SQLite) and two ava-agents with declared inventories on this machine — n1 with
2 × T4, n2 with 4 × V100 — driven through the REST API and the ava CLI as a user would. Each test
starts its own cluster (e2e_harness.Cluster) and checks what a user or operator would notice:
states, events, logs, reports, the GPUs a job sees, queueing, preemption, quotas, datasets, and
what happens when an agent is killed or stops answering.
"""

import json
import os
import signal
import subprocess
import time
import unittest

from e2e_harness import AVA, AVAFS, ApiError, Cluster, alive, fuse_usable, require_binaries, wait_for


def types(events):
    return [t for t, _ in events]


def message_of(events, type_):
    return " | ".join(m for t, m in events if t == type_)


def read_pid(path):
    def ready():
        try:
            with open(path) as f:
                text = f.read()
            return int(text) if text.endswith("\n") else None
        except (OSError, ValueError):
            return None
    return wait_for("pid file " + path, ready)


class JobsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binaries("avad", "ava-agent")

    def test_job_runs_on_its_gpus_and_its_report_is_kept(self):
        with Cluster() as c:
            outputs = c.path("outputs")
            job = c.submit({
                "name": "two-gpus",
                "command": "echo CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES; echo AVA_JOB_ID=$AVA_JOB_ID; "
                           "echo '{\"accuracy\": 0.85}' > %s/report.json" % outputs,
                "workdir": outputs,
                "resources": {"gpus": 2, "gpu_model": "T4"},
                "report": outputs + "/report.json",
            })
            self.assertEqual(job["state"], "queued")
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "succeeded", c.events(job["id"]))
            self.assertEqual(done["nodes"], ["n1"])
            self.assertEqual(done["exit_code"], 0)
            self.assertEqual(done["report"], {"accuracy": 0.85})
            logs = c.logs(job["id"])
            self.assertIn("CUDA_VISIBLE_DEVICES=0,1\n", logs)  # n1 has exactly these two
            self.assertIn("AVA_JOB_ID=%d\n" % job["id"], logs)
            t = types(c.events(job["id"]))
            for a, b in (("job.scheduled", "job.running"), ("job.running", "job.succeeded")):
                self.assertLess(t.index(a), t.index(b), t)

    def test_a_job_sees_exactly_the_gpus_it_was_placed_on(self):
        with Cluster() as c:
            job = c.submit({"command": "echo visible=$CUDA_VISIBLE_DEVICES order=$CUDA_DEVICE_ORDER",
                            "resources": {"gpus": 1, "gpu_model": "V100"}})
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "succeeded", c.events(job["id"]))
            gpus = done["placement"][0]["gpus"]
            self.assertEqual(len(gpus), 1)
            self.assertIn("visible=%d order=PCI_BUS_ID\n" % gpus[0], c.logs(job["id"]))

    def test_a_failing_job_is_failed_with_its_exit_code_and_output(self):
        with Cluster() as c:
            job = c.submit({"command": "echo step 1; echo 'CUDA out of memory' >&2; exit 3",
                            "resources": {"gpus": 1}})
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "failed")
            self.assertEqual(done["exit_code"], 3)
            self.assertIn("exit code 3", message_of(c.events(job["id"]), "job.failed"))
            logs = c.logs(job["id"])
            self.assertIn("step 1\n", logs)
            self.assertIn("CUDA out of memory\n", logs)

    def test_cancel_kills_the_whole_process_group(self):
        with Cluster() as c:
            bg, main = c.path("bg.pid"), c.path("main.pid")
            job = c.submit({"command": "sleep 1000 & echo $! > %s; echo $$ > %s; wait" % (bg, main),
                            "resources": {"gpus": 1}})
            c.wait_state(job["id"], "running")
            bg_pid, main_pid = read_pid(bg), read_pid(main)
            c.api("POST", "/v1/jobs/%d/cancel" % job["id"])
            self.assertEqual(c.wait_state(job["id"], "cancelled", "failed", "lost")["state"], "cancelled")
            wait_for("the job's processes to be killed", lambda: not alive(bg_pid) and not alive(main_pid))
            self.assertIn("job.cancelled", types(c.events(job["id"])))

    def test_max_runtime_stops_the_job(self):
        with Cluster() as c:
            job = c.submit({"command": "echo started; sleep 1000", "max_runtime": "2s", "resources": {"gpus": 1}})
            done = c.wait_state(job["id"], "succeeded", "failed", "cancelled", "lost")
            self.assertEqual(done["state"], "failed", c.events(job["id"]))
            self.assertIn("max_runtime", message_of(c.events(job["id"]), "job.failed"))

    def test_jobs_wait_in_the_queue_while_the_gpus_are_busy(self):
        with Cluster() as c:
            first = c.submit({"command": "sleep 1000", "resources": {"gpus": 2, "gpu_model": "T4"}})
            c.wait_state(first["id"], "running")
            second = c.submit({"command": "echo second ran", "resources": {"gpus": 2, "gpu_model": "T4"}})
            queue = wait_for("the second job in the queue",
                             lambda: [q for q in c.api("GET", "/v1/queue")["items"] if q["id"] == second["id"]])
            self.assertTrue(queue[0]["reason"], queue)
            time.sleep(1)  # several scheduling passes: it must still wait
            self.assertEqual(c.job(second["id"])["state"], "queued")
            c.api("POST", "/v1/jobs/%d/cancel" % first["id"])
            self.assertEqual(c.wait_state(second["id"], "succeeded", "failed", "lost")["state"], "succeeded")
            self.assertIn("second ran\n", c.logs(second["id"]))

    def test_a_higher_priority_job_preempts_a_lower_one(self):
        with Cluster() as c:
            pid_file = c.path("low.pid")
            low = c.submit({"name": "low", "command": "echo $$ > %s; exec sleep 1000" % pid_file, "priority": 0,
                            "resources": {"gpus": 2, "gpu_model": "T4"}})
            c.wait_state(low["id"], "running")
            low_pid = read_pid(pid_file)
            high = c.submit({"name": "high", "command": "echo high ran", "priority": 10,
                             "resources": {"gpus": 2, "gpu_model": "T4"}}, token=c.bob)
            self.assertEqual(c.wait_state(high["id"], "succeeded", "failed", "lost", token=c.bob)["state"],
                             "succeeded")
            self.assertFalse(alive(low_pid), "the preempted job's process still runs")
            events = c.events(low["id"])
            self.assertIn("job.preempted", types(events))
            self.assertIn(str(high["id"]), message_of(events, "job.preempted"))
            # Requeued (avad's default), it runs again once the GPUs are free.
            wait_for("the preempted job to run again",
                     lambda: types(c.events(low["id"])).count("job.running") >= 2)

    def test_quotas_refuse_what_can_never_fit_and_hold_back_the_rest(self):
        with Cluster() as c:
            c.api("PUT", "/v1/quotas", {"scope": "user", "name": "alice", "gpu_model": "*", "max_gpus": 1},
                  token=c.admin)
            status, answer = c.api("POST", "/v1/jobs", {"command": "true", "resources": {"gpus": 2}}, ok=False)
            self.assertIn(status, (400, 409, 429), answer)
            self.assertIn("quota", str(answer).lower())
            running = c.submit({"command": "sleep 1000", "resources": {"gpus": 1}})
            c.wait_state(running["id"], "running")
            held = c.submit({"command": "true", "resources": {"gpus": 1}})
            queued = wait_for("the held job in the queue",
                              lambda: [q for q in c.api("GET", "/v1/queue")["items"] if q["id"] == held["id"]])
            self.assertIn("quota", queued[0]["reason"].lower(), queued)
            time.sleep(1)
            self.assertEqual(c.job(held["id"])["state"], "queued")
            c.api("POST", "/v1/jobs/%d/cancel" % running["id"])
            self.assertEqual(c.wait_state(held["id"], "succeeded", "failed", "lost")["state"], "succeeded")


class DatasetsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binaries("avad", "ava-agent")

    def test_a_missing_dataset_fails_at_start_and_frees_the_gpus(self):
        with Cluster() as c:
            job = c.submit({"command": "ls /data", "resources": {"gpus": 2, "gpu_model": "T4"},
                            "mounts": [{"path": "/data", "source": "dataset/imagenet"}]})
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "failed")
            why = message_of(c.events(job["id"]), "job.failed")
            self.assertIn("mount source 'dataset/imagenet' does not exist", why)
            self.assertIn("does not exist", c.logs(job["id"]))
            # Its GPUs came back: a job needing all of n1 runs.
            after = c.submit({"command": "true", "resources": {"gpus": 2, "gpu_model": "T4"}})
            self.assertEqual(c.wait_state(after["id"], "succeeded", "failed", "lost")["state"], "succeeded")

    def test_a_dataset_is_visible_at_its_mount_path(self):
        with Cluster() as c:
            job = c.submit({"command": "cat /data/labels.txt; ls $AVA_MOUNT_DATA", "resources": {"gpus": 1},
                            "mounts": [{"path": "/data", "source": "dataset/mnist", "readonly": True}]})
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "succeeded", (c.events(job["id"]), c.logs(job["id"])))
            self.assertEqual(c.logs(job["id"]), "7 2 1 0 4\nlabels.txt\n")

    def test_a_dataset_bind_mounted_at_its_exact_path(self):
        if os.geteuid() != 0:
            self.skipTest("namespace mounts need root")
        with Cluster(nodes=("n1",), mount_mode="namespace") as c:
            path = c.path("jobview", "data")  # stands for /data, without touching the host's /
            job = c.submit({"command": "cat %s/labels.txt; touch %s/new 2>/dev/null && echo writable || echo read-only"
                                       % (path, path),
                            "resources": {"gpus": 1},
                            "mounts": [{"path": path, "source": "dataset/mnist", "readonly": True}]})
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "succeeded", (c.events(job["id"]), c.logs(job["id"])))
            self.assertEqual(c.logs(job["id"]), "7 2 1 0 4\nread-only\n")
            self.assertEqual(os.listdir(path), [])  # the bind mount was the job's alone

    def test_datasets_through_a_real_avafs_daemon(self):
        require_binaries("avad", "ava-agent", "avafs")
        if not fuse_usable():
            self.skipTest("needs /dev/fuse, fusermount3 and root to mount avafs")
        with Cluster(nodes=("n1",), avafs=True) as c:
            ok = c.submit({"command": "cat /data/labels.txt", "resources": {"gpus": 1},
                           "mounts": [{"path": "/data", "source": "dataset/mnist"}]})
            missing = c.submit({"command": "true", "resources": {"gpus": 1},
                                "mounts": [{"path": "/data", "source": "dataset/cifar"}]})
            self.assertEqual(c.wait_state(ok["id"], "succeeded", "failed", "lost")["state"], "succeeded",
                             (c.events(ok["id"]), c.logs(ok["id"])))
            self.assertEqual(c.logs(ok["id"]), "7 2 1 0 4\n")
            self.assertEqual(c.wait_state(missing["id"], "succeeded", "failed", "lost")["state"], "failed")
            self.assertIn("does not exist", message_of(c.events(missing["id"]), "job.failed"))
            # The daemon dies: the agent notices, clears the dead mount and starts another.
            record = c.path("agent-n1", "avafs", "daemon.json")
            with open(record) as f:
                first = json.load(f)
            os.kill(first["pid"], signal.SIGKILL)

            def restarted():
                try:
                    with open(record) as f:
                        r = json.load(f)
                except (OSError, ValueError):
                    return None
                return r if r["pid"] != first["pid"] and alive(r["pid"], r["start"]) else None
            wait_for("the agent to restart avafs", restarted)
            again = c.submit({"command": "cat /data/labels.txt", "resources": {"gpus": 1},
                              "mounts": [{"path": "/data", "source": "dataset/mnist"}]})
            self.assertEqual(c.wait_state(again["id"], "succeeded", "failed", "lost")["state"], "succeeded",
                             (c.events(again["id"]), c.logs(again["id"])))
            self.assertEqual(c.logs(again["id"]), "7 2 1 0 4\n")
            self.assertIn("restarting it", c.read("agent-n1.log"))


class AgentFailuresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binaries("avad", "ava-agent")

    def test_a_killed_agent_restarted_reattaches_to_its_job(self):
        with Cluster() as c:
            go = c.path("go")
            job = c.submit({"command": "echo before; while [ ! -e %s ]; do sleep 0.1; done; echo after; exit 0" % go,
                            "resources": {"gpus": 2, "gpu_model": "T4"}})
            c.wait_state(job["id"], "running")
            wait_for("the first output", lambda: "before" in c.logs(job["id"]))
            c.stop_agent("n1", signal.SIGKILL)
            with open(go, "w"):
                pass  # the job finishes while its agent is away
            time.sleep(1)
            c.start_agent("n1")
            done = c.wait_state(job["id"], "succeeded", "failed", "lost")
            self.assertEqual(done["state"], "succeeded", c.events(job["id"]))
            self.assertEqual(c.logs(job["id"]), "before\nafter\n")  # nothing lost, nothing twice
            self.assertNotIn("job.lost", types(c.events(job["id"])))
            self.assertIn("re-attached job %d" % job["id"], c.read("agent-n1.log"))

    def test_a_restarted_agent_keeps_a_running_job_running(self):
        with Cluster() as c:
            pid_file = c.path("job.pid")
            job = c.submit({"command": "echo $$ > %s; exec sleep 1000" % pid_file,
                            "resources": {"gpus": 1, "gpu_model": "V100"}})
            c.wait_state(job["id"], "running")
            pid = read_pid(pid_file)
            c.stop_agent("n2", signal.SIGKILL)
            self.assertTrue(alive(pid), "the job died with its agent")
            c.start_agent("n2")
            time.sleep(2)  # several heartbeats of the new agent
            self.assertEqual(c.job(job["id"])["state"], "running")
            c.api("POST", "/v1/jobs/%d/cancel" % job["id"])
            wait_for("the re-attached job to be killed", lambda: not alive(pid))

    def test_an_agent_that_stops_heartbeating_has_its_jobs_lost(self):
        with Cluster(node_timeout="3s") as c:
            pid_file = c.path("job.pid")
            job = c.submit({"command": "echo $$ > %s; exec sleep 1000" % pid_file,
                            "resources": {"gpus": 2, "gpu_model": "T4"}})
            c.wait_state(job["id"], "running")
            pid = read_pid(pid_file)
            agent = c.procs["agent-n1"]
            agent.send_signal(signal.SIGSTOP)  # alive but silent
            try:
                lost = c.wait_state(job["id"], "lost", "failed", "succeeded")
                self.assertEqual(lost["state"], "lost")
                self.assertIn("n1", message_of(c.events(job["id"]), "job.lost"))
                self.assertEqual(c.api("GET", "/v1/nodes/n1")["state"], "down")
            finally:
                agent.send_signal(signal.SIGCONT)
            # Back, the agent still lists the job; avad no longer has it there and has it killed.
            c.wait_node("n1", "up")
            wait_for("the lost job's process to be killed", lambda: not alive(pid))


class CliTest(unittest.TestCase):
    def test_submit_follows_the_output_and_exits_with_the_jobs_status(self):
        require_binaries("avad", "ava-agent", "ava")
        with Cluster(nodes=("n1",)) as c:
            spec = c.path("job.yaml")
            with open(spec, "w") as f:
                f.write("name: cli\ncommand: \"echo from the job; exit 3\"\nresources: {gpus: 1}\n")
            env = dict(os.environ, AVA_SERVER=c.url, AVA_TOKEN=c.alice, AVA_CONFIG=c.path("cli.yaml"))
            run = subprocess.run([AVA, "job", "submit", spec], capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(run.returncode, 3, run.stdout + run.stderr)
            self.assertIn("from the job", run.stdout)


if __name__ == "__main__":
    unittest.main()
