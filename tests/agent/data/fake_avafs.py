#!/usr/bin/python3
# A stand-in for `avafs mount -f TABLE MOUNTPOINT` in the agent's tests: it bind-mounts the directory
# named on TABLE's first line at MOUNTPOINT (root only), stays in the foreground, and unmounts on
# SIGTERM like the real daemon. A TABLE whose first line is "fail: MESSAGE" makes it exit 1 with
# MESSAGE on stderr, as avafs does when a store cannot be reached.
import signal
import subprocess
import sys

if len(sys.argv) != 5 or sys.argv[1:3] != ["mount", "-f"]:
    sys.exit("usage: fake_avafs.py mount -f TABLE MOUNTPOINT")
table, mountpoint = sys.argv[3], sys.argv[4]
first = open(table).readline().strip()
if first.startswith("fail:"):
    sys.exit("avafs mount: " + first[5:].strip())
subprocess.run(["mount", "--bind", first, mountpoint], check=True)


def stop(signum, frame):
    subprocess.run(["umount", mountpoint])
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
while True:
    signal.pause()
