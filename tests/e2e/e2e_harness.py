"""A throw-away Ava cluster on one machine for end-to-end tests: avad on SQLite and several
ava-agents with declared inventories, each in its own process and state directory, all stopped by
PID when the test ends. Jobs are submitted through avad's REST API (docs/api.md) as a user would.

Binaries are taken from $AVAD_BIN / $AVA_BIN / $AVA_AGENT_BIN / $AVAFS_BIN, else from
$AVA_BINARY_DIR/bin, else from the newest <source>/build*/bin that has them. A test that needs a
binary that is not built is skipped with the reason, never passed.
"""

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

SOURCE_DIR = os.environ.get("AVA_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

# Generous safety limits for waits: they stop a hung test; they are not performance assertions.
WAIT = float(os.environ.get("AVA_E2E_WAIT", "60"))


def find_binary(name, env_var):
    """The path of a built binary, or None."""
    if os.environ.get(env_var):
        path = os.environ[env_var]
        return path if os.access(path, os.X_OK) else None
    candidates = []
    if os.environ.get("AVA_BINARY_DIR"):
        candidates.append(os.path.join(os.environ["AVA_BINARY_DIR"], "bin", name))
    found = [p for p in glob.glob(os.path.join(SOURCE_DIR, "build*", "bin", name)) if os.access(p, os.X_OK)]
    candidates += sorted(found, key=os.path.getmtime, reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return None


AVAD = find_binary("avad", "AVAD_BIN")
AVA = find_binary("ava", "AVA_BIN")
AGENT = find_binary("ava-agent", "AVA_AGENT_BIN")
AVAFS = find_binary("avafs", "AVAFS_BIN")


def require_binaries(*names):
    """Skips the calling test class/test unless every named binary is built."""
    missing = [n for n, p in (("avad", AVAD), ("ava", AVA), ("ava-agent", AGENT), ("avafs", AVAFS))
               if n in names and p is None]
    if missing:
        raise unittest.SkipTest(
            "end-to-end test needs %s, not built in $AVA_BINARY_DIR/bin or %s/build*/bin; build the "
            "target(s) or point %s at them" % (", ".join(missing), SOURCE_DIR,
                                             ", ".join("$%s_BIN" % m.upper().replace("-", "_") for m in missing)))


def fuse_usable():
    return os.path.exists("/dev/fuse") and shutil.which("fusermount3") is not None and os.geteuid() == 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout=WAIT, interval=0.05):
    """Polls predicate() until it returns a truthy value, which is returned; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def process_start_time(pid):
    """Field 22 of /proc/PID/stat, or None when the process is gone (or a zombie)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def alive(pid, start=None):
    t = process_start_time(pid)
    return t is not None and (start is None or t == start)


INVENTORY = """\
nodes:
  - name: n1
    cpu: 8
    memory: 32GiB
    gpu: {model: T4, memory: 16GiB, count: 2}
  - name: n2
    cpu: 16
    memory: 64GiB
    gpu: {model: V100, memory: 32GiB}
    sockets:
      - {cpu: 8, pcie_switches: [[0, 1]]}
      - {cpu: 8, pcie_switches: [[2, 3]]}
    nvlink: [[0, 1, 2], [2, 3, 2]]
"""


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %d: %s" % (status, body))
        self.status = status
        self.body = body


class Cluster:
    """avad + agents. Use as a context manager; everything it started is stopped by PID on exit."""

    def __init__(self, nodes=("n1", "n2"), node_timeout="30s", heartbeat="200ms", avafs=False,
                 mount_mode="symlink"):
        require_binaries("avad", "ava-agent")
        self.dir = tempfile.mkdtemp(prefix="ava-e2e-")
        self.nodes = list(nodes)
        self.node_timeout = node_timeout
        self.heartbeat = heartbeat
        self.use_avafs = avafs
        self.mount_mode = mount_mode
        self.procs = {}  # name -> Popen
        self.log_files = []  # open log files of the processes
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.inventory = os.path.join(self.dir, "inventory.yaml")
        with open(self.inventory, "w") as f:
            f.write(INVENTORY)
        # The dataset tree: a local directory, served through avafs when asked (else used as is).
        self.datasets = os.path.join(self.dir, "datasets")
        os.makedirs(os.path.join(self.datasets, "mnist"))
        with open(os.path.join(self.datasets, "mnist", "labels.txt"), "w") as f:
            f.write("7 2 1 0 4\n")

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start_avad()
            for n in self.nodes:
                self.start_agent(n)
            for n in self.nodes:
                self.wait_node(n, "up")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _db_args(self):
        """--db for avad: SQLite in the state directory by default; with AVA_E2E_DB=postgres a fresh
        database on the server AVA_PG_URL names (scripts/test.sh starts one)."""
        if os.environ.get("AVA_E2E_DB", "sqlite") != "postgres":
            return []
        server = os.environ.get("AVA_PG_URL")
        if not server:
            raise unittest.SkipTest("AVA_E2E_DB=postgres needs AVA_PG_URL (scripts/postgres.sh start; eval env)")
        name = "e2e_%d_%d" % (os.getpid(), self.port)  # not "ava_…": that reads as a token
        subprocess.run(["psql", server, "-q", "-c", "CREATE DATABASE %s" % name], check=True, capture_output=True)
        base = server.rsplit("/", 1)[0] if "://" in server else server
        return ["--db", "%s/%s" % (base, name)]

    def start_avad(self):
        state = os.path.join(self.dir, "avad")
        db = self._db_args()
        self.db = db
        out = subprocess.run([AVAD, "init", "--state-dir", state] + db, capture_output=True, text=True, check=True)
        self.admin = re.search(r"ava_[A-Za-z0-9_-]+", out.stdout).group(0)
        log = self._log("avad.log")
        self.procs["avad"] = subprocess.Popen(
            [AVAD, "serve", "--state-dir", state] + db + ["--listen", "127.0.0.1:%d" % self.port, "--node-timeout",
             self.node_timeout, "--heartbeat-interval", self.heartbeat, "--schedule-interval", "200ms",
             "--log-level", "debug"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("avad to answer", self._healthy)
        self.alice = self.api("POST", "/v1/users", {"name": "alice"}, token=self.admin)["token"]
        self.bob = self.api("POST", "/v1/users", {"name": "bob"}, token=self.admin)["token"]

    def _log(self, name):
        f = open(os.path.join(self.dir, name), "a")
        self.log_files.append(f)
        return f

    def _healthy(self):
        if self.procs["avad"].poll() is not None:
            raise AssertionError("avad exited: " + self.read("avad.log"))
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def agent_state(self, node):
        return os.path.join(self.dir, "agent-" + node)

    def start_agent(self, node):
        state = self.agent_state(node)
        os.makedirs(state, exist_ok=True)
        token_file = os.path.join(self.dir, node + ".token")
        if not os.path.exists(token_file):
            token = subprocess.run([AVAD, "node-token", node, "--state-dir", os.path.join(self.dir, "avad")] + self.db,
                                   capture_output=True, text=True, check=True).stdout.strip()
            with open(token_file, "w") as f:
                f.write(token + "\n")
        config = {
            "server": self.url,
            "token_file": token_file,
            "node": node,
            "address": "127.0.0.1",
            "inventory": self.inventory,
            "state_dir": state,
            "kill_grace": "1s",
            "mount_mode": self.mount_mode,
            "log_level": "debug",
        }
        if self.use_avafs:
            mount_point = os.path.join(self.dir, "tree-" + node)
            config["avafs"] = {
                "binary": AVAFS,
                "mount_point": mount_point,
                "health_interval": "1s",
                "table": {
                    "metadata_ttl": "minimal",
                    "cache": {"ram_capacity": "64MiB", "ssd_dir": os.path.join(state, "cache"),
                              "ssd_capacity": "256MiB"},
                    "mounts": [{"name": "dataset", "store": {"uri": "file://" + self.datasets}}],
                },
            }
        else:
            # No daemon: the tree is a plain directory laid out like the avafs mount would be.
            tree = os.path.join(self.dir, "tree")
            if not os.path.exists(tree):
                os.makedirs(tree)
                os.symlink(self.datasets, os.path.join(tree, "dataset"))
            config["avafs"] = {"mount_point": tree}
        config_path = os.path.join(self.dir, node + ".yaml")
        with open(config_path, "w") as f:
            json.dump(config, f)  # JSON is YAML
        log = self._log("agent-%s.log" % node)
        self.procs["agent-" + node] = subprocess.Popen([AGENT, "--config", config_path], stdout=log,
                                                       stderr=subprocess.STDOUT, start_new_session=True)

    def stop_agent(self, node, sig=signal.SIGKILL):
        p = self.procs.pop("agent-" + node)
        p.send_signal(sig)
        p.wait(timeout=WAIT)

    def close(self):
        for name, p in list(self.procs.items()):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs.clear()
        for f in self.log_files:
            f.close()
        self.log_files.clear()
        # Jobs outlive their agents by design; stop whatever a test left running, by recorded identity.
        for record in glob.glob(os.path.join(self.dir, "agent-*", "jobs", "*", "supervisor.json")):
            try:
                with open(record) as f:
                    r = json.load(f)
            except (OSError, ValueError):
                continue
            for pid, start in ((r["job_pid"], r["job_start"]), (r["supervisor_pid"], r["supervisor_start"])):
                if pid > 0 and alive(pid, start):
                    try:
                        os.killpg(pid, signal.SIGKILL) if pid == r["job_pid"] else os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
        for daemon in glob.glob(os.path.join(self.dir, "agent-*", "avafs", "daemon.json")):
            try:
                with open(daemon) as f:
                    r = json.load(f)
                if alive(r["pid"], r["start"]):
                    os.kill(r["pid"], signal.SIGTERM)
                    wait_for("avafs to stop", lambda: not alive(r["pid"], r["start"]), timeout=15)
            except (OSError, ValueError, AssertionError):
                pass
        for mp in glob.glob(os.path.join(self.dir, "tree-*")):
            subprocess.run(["fusermount3", "-u", "-z", mp], capture_output=True)
        if os.environ.get("AVA_E2E_KEEP"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- REST --------------------------------------------------------------------------------

    def api(self, method, path, body=None, token=None, ok=True, raw=False):
        """JSON call; returns the decoded answer (the text with raw=True). With ok=False returns
        (status, answer) instead of raising on an error status."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + (token or self.alice))
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        answer = text if raw or not text.strip().startswith(("{", "[")) else json.loads(text)
        if not ok:
            return status, answer
        if status >= 300:
            raise ApiError(status, text)
        return answer

    def submit(self, spec, token=None):
        return self.api("POST", "/v1/jobs", spec, token=token)

    def job(self, job_id, token=None):
        return self.api("GET", "/v1/jobs/%d" % job_id, token=token)

    def wait_state(self, job_id, *states, token=None, timeout=WAIT):
        def check():
            j = self.job(job_id, token=token)
            return j if j["state"] in states else None
        try:
            return wait_for("job %d to be %s" % (job_id, "|".join(states)), check, timeout=timeout)
        except AssertionError as e:
            raise AssertionError("%s; it is %s; events: %s" % (e, self.job(job_id, token)["state"],
                                                                self.events(job_id, token))) from None

    def events(self, job_id, token=None):
        return [(e["type"], e["message"]) for e in
                self.api("GET", "/v1/jobs/%d/events" % job_id, token=token)["items"]]

    def logs(self, job_id, token=None):
        return self.api("GET", "/v1/jobs/%d/logs" % job_id, token=token, raw=True)

    def wait_node(self, node, state, timeout=WAIT):
        def check():
            status, answer = self.api("GET", "/v1/nodes/" + node, ok=False)
            return status == 200 and answer["state"] == state  # 404 until its agent registers
        try:
            return wait_for("node %s to be %s" % (node, state), check, timeout=timeout)
        except AssertionError as e:
            raise AssertionError("%s; agent log:\n%s" % (e, self.read("agent-%s.log" % node)[-3000:])) from None

    def read(self, name):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except OSError:
            return ""

    def path(self, *parts):
        return os.path.join(self.dir, *parts)
