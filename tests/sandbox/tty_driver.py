"""Gives a command a real terminal as its controlling tty, then reports what was typed into it.

argv: COMMAND... Runs COMMAND in a new session whose controlling terminal is the slave of a fresh
pty (stdin, stdout and stderr on it), drains the master while it runs, and afterwards reads the
slave's input queue: bytes there were pushed by TIOCSTI (nobody typed on the master). Prints
{"status": wait status, "injected": text} on its own stdout.
"""
import fcntl
import json
import os
import select
import sys
import termios
import tty

master, slave = os.openpty()
tty.setraw(slave)  # no echo, no line buffering: every injected byte is readable at once
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.execvp(sys.argv[1], sys.argv[1:])

status = None
while status is None:
    ready, _, _ = select.select([master], [], [], 0.05)
    if ready:
        try:
            os.read(master, 65536)
        except OSError:
            pass
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st

os.set_blocking(slave, False)
injected = b""
try:
    while True:
        chunk = os.read(slave, 4096)
        if not chunk:
            break
        injected += chunk
except BlockingIOError:
    pass
print(json.dumps({"status": status, "injected": injected.decode(errors="replace")}))
