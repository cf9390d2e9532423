"""Host-side listeners for the socket escape tests.

Listens on a unix socket file (argv[1]), an abstract unix socket (argv[2]) and a TCP port on
127.0.0.1; prints {"port": N} once ready, then one line per connection it accepts ("file",
"abstract", "tcp"). Runs until killed.
"""
import json
import select
import socket
import sys

listeners = {}
for kind, family, address in [("file", socket.AF_UNIX, sys.argv[1]), ("abstract", socket.AF_UNIX, "\0" + sys.argv[2]),
                              ("tcp", socket.AF_INET, ("127.0.0.1", 0))]:
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(address)
    s.listen(8)
    listeners[s] = kind
tcp = next(s for s, k in listeners.items() if k == "tcp")
print(json.dumps({"port": tcp.getsockname()[1]}), flush=True)
while True:
    ready, _, _ = select.select(list(listeners), [], [])
    for s in ready:
        conn, _ = s.accept()
        print(listeners[s], flush=True)
        conn.close()
