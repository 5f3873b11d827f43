"""Independent rtnetlink listener for the benchmarks.

Usage: ip netns exec NS python3 bench/listener.py [GROUP,...]

It runs inside the namespace under test as its own process and prints one
JSON line per link, address or route message. Each line is stamped with
time.monotonic_ns() right after the message is read from the socket. That is
CLOCK_MONOTONIC, the clock process.hrtime.bigint() reads in Node on Linux.
SIGUSR2 requests a fresh dump and SIGTERM ends it.

It speaks rtnetlink through Python's own AF_NETLINK sockets rather than the
npm `netlink` package that the daemon uses, so that it shares no code with
the program it measures, and because that package's native binding (0.3.0)
aborts the process when epoll reports an error on the socket after a receive
buffer overflow.
"""

import errno
import json
import os
import signal
import socket
import struct
import sys
import time

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
SO_RCVBUFFORCE = 33

# Receive buffer forced on the event socket (root may exceed rmem_max), so
# that the listener itself rarely overflows during a storm.
RECEIVE_BUFFER_BYTES = 64 * 1024 * 1024

GROUPS = {
    "LINK": 1,
    "IPV4_IFADDR": 5,
    "IPV4_ROUTE": 7,
    "IPV6_IFADDR": 9,
    "IPV6_ROUTE": 11,
}

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300

MESSAGE_TYPES = {
    16: "NEWLINK",
    17: "DELLINK",
    20: "NEWADDR",
    21: "DELADDR",
    24: "NEWROUTE",
    25: "DELROUTE",
}
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE = 18, 22, 26

IFLA_IFNAME, IFLA_LINK, IFLA_PROMISCUITY = 3, 5, 30
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_TABLE = 1, 4, 15
IFF_UP, IFF_LOWER_UP = 0x1, 0x10000

NLMSGHDR = struct.Struct("=IHHII")
IFINFOMSG = struct.Struct("=BxHiII")
IFADDRMSG = struct.Struct("=BBBBi")
RTMSG = struct.Struct("=BBBBBBBBI")
RTATTR = struct.Struct("=HH")


def align(length):
    return (length + 3) & ~3


def attributes(data, offset):
    """Returns {type: bytes} for the rtattrs in data from offset on."""
    found = {}
    while offset + RTATTR.size <= len(data):
        length, kind = RTATTR.unpack_from(data, offset)
        if length < RTATTR.size:
            break
        found[kind & 0x3FFF] = data[offset + RTATTR.size : offset + length]
        offset += align(length)
    return found


def u32(value):
    return struct.unpack("=I", value)[0] if value and len(value) == 4 else None


def ip_text(value, family):
    if value is None:
        return "0.0.0.0" if family == socket.AF_INET else "::"
    return socket.inet_ntop(family, value)


def describe_link(body):
    family, kind, index, flags, change = IFINFOMSG.unpack_from(body)
    attrs = attributes(body, IFINFOMSG.size)
    name = attrs.get(IFLA_IFNAME, b"").split(b"\0")[0].decode()
    return {
        "index": index,
        "name": name,
        "up": bool(flags & IFF_UP),
        "lowerUp": bool(flags & IFF_LOWER_UP),
        "promiscuity": u32(attrs.get(IFLA_PROMISCUITY)),
        "link": u32(attrs.get(IFLA_LINK)),
    }


def describe_address(body):
    family, prefix_length, flags, scope, index = IFADDRMSG.unpack_from(body)
    attrs = attributes(body, IFADDRMSG.size)
    address = attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS))
    return {
        "index": index,
        "family": 4 if family == socket.AF_INET else 6,
        "address": ip_text(address, family),
        "prefixLength": prefix_length,
    }


def describe_route(body):
    family, dst_len, _src_len, _tos, table, protocol, _scope, _kind, _flags = RTMSG.unpack_from(body)
    attrs = attributes(body, RTMSG.size)
    return {
        "family": 4 if family == socket.AF_INET else 6,
        "destination": ip_text(attrs.get(RTA_DST), family),
        "prefixLength": dst_len,
        "table": u32(attrs.get(RTA_TABLE)) or table,
        "oif": u32(attrs.get(RTA_OIF)),
        "protocol": protocol,
    }


DESCRIBERS = {16: describe_link, 17: describe_link, 20: describe_address,
              21: describe_address, 24: describe_route, 25: describe_route}


def messages(data):
    """Yields (type, body) for each netlink message in one datagram."""
    offset = 0
    while offset + NLMSGHDR.size <= len(data):
        length, kind, _flags, _seq, _pid = NLMSGHDR.unpack_from(data, offset)
        if length < NLMSGHDR.size:
            break
        yield kind, data[offset + NLMSGHDR.size : offset + length]
        offset += align(length)


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")


def emit_messages(data, stamp, dump=False):
    """Prints every link, address and route message; returns True at NLMSG_DONE."""
    for kind, body in messages(data):
        if kind == NLMSG_DONE:
            return True
        if kind == NLMSG_ERROR:
            code = struct.unpack_from("=i", body)[0]
            emit({"t": str(stamp), "type": "ERROR", "error": os.strerror(-code)})
            return True
        name = MESSAGE_TYPES.get(kind)
        if name is None:
            continue
        try:
            fields = DESCRIBERS[kind](body)
        except (struct.error, ValueError, UnicodeDecodeError) as error:
            emit({"t": str(stamp), "type": "UNPARSEABLE", "rtmType": kind, "error": str(error)})
            continue
        record = {"t": str(stamp), "type": name}
        if dump:
            record["dump"] = True
        record.update(fields)
        emit(record)
    return False


class Dumper:
    """Dumps links, addresses and routes over its own request socket."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.sequence = 0

    def request(self, kind, body):
        self.sequence += 1
        header = NLMSGHDR.pack(NLMSGHDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, self.sequence, 0)
        self.sock.send(header + body)
        while True:
            data = self.sock.recv(1 << 20)
            if emit_messages(data, time.monotonic_ns(), dump=True):
                return

    def dump(self):
        emit({"t": str(time.monotonic_ns()), "type": "DUMP_START"})
        self.request(RTM_GETLINK, IFINFOMSG.pack(0, 0, 0, 0, 0))
        self.request(RTM_GETADDR, IFADDRMSG.pack(0, 0, 0, 0, 0))
        self.request(RTM_GETROUTE, RTMSG.pack(0, 0, 0, 0, 0, 0, 0, 0, 0))
        emit({"t": str(time.monotonic_ns()), "type": "DUMP_END"})
        sys.stdout.flush()


def open_event_socket(groups):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER_BYTES)
    sock.bind((0, 0))
    for group in groups:
        sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, GROUPS[group])
    return sock


def main():
    groups = sys.argv[1].split(",") if len(sys.argv) > 1 else list(GROUPS)
    events = open_event_socket(groups)
    dumper = Dumper()
    signal.signal(signal.SIGUSR2, lambda *_: dumper.dump())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    dumper.dump()
    emit({"t": str(time.monotonic_ns()), "type": "READY"})
    sys.stdout.flush()

    buffer = bytearray(1 << 20)
    while True:
        try:
            size = events.recv_into(buffer)
        except OSError as error:
            if error.errno != errno.ENOBUFS:
                raise
            emit({"t": str(time.monotonic_ns()), "type": "ENOBUFS"})
            dumper.dump()
            continue
        stamp = time.monotonic_ns()
        emit_messages(bytes(buffer[:size]), stamp)
        sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
