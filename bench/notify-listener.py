"""Receives sd_notify(3) datagrams on a unix datagram socket.

Node cannot open AF_UNIX SOCK_DGRAM sockets, so the bench runs this listener
and reads its standard output: one JSON line per datagram, stamped with
time.monotonic_ns() (CLOCK_MONOTONIC, the clock process.hrtime.bigint() reads
in Node on Linux). The first line, {"type": "ready"}, says the socket is bound.

Usage: python3 notify-listener.py SOCKET_PATH
"""

import json
import os
import signal
import socket
import sys
import time


def main() -> None:
    path = sys.argv[1]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if os.path.exists(path):
        os.unlink(path)

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    print(json.dumps({"type": "ready", "t": str(time.monotonic_ns())}), flush=True)

    try:
        while True:
            data = sock.recv(65536)
            stamp = time.monotonic_ns()
            text = data.decode("utf-8", "replace")
            print(json.dumps({"type": "message", "t": str(stamp), "text": text}), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
