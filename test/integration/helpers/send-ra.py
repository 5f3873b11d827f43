"""Sends one ICMPv6 router advertisement to all nodes (ff02::1) on an
interface, announcing PREFIX/64 for SLAAC and the sender as default router.

Usage: send-ra.py IFACE PREFIX. The kernel fills in the checksum and the
link-local source address; the hop limit is 255, as RFC 4861 requires.
"""
import ipaddress
import socket
import struct
import sys

ROUTER_ADVERTISEMENT = 134
OPTION_SOURCE_LINK_LAYER = 1
OPTION_PREFIX_INFORMATION = 3
ON_LINK_AND_AUTONOMOUS = 0xC0


def read_mac(iface):
    with open(f"/sys/class/net/{iface}/address") as file:
        return bytes.fromhex(file.read().strip().replace(":", ""))


def build(iface, prefix):
    header = struct.pack(
        "!BBHBBHII",
        ROUTER_ADVERTISEMENT,
        0,  # code
        0,  # checksum, filled in by the kernel
        64,  # current hop limit
        0,  # flags
        1800,  # router lifetime in seconds
        0,  # reachable time
        0,  # retransmission timer
    )
    prefix_option = struct.pack(
        "!BBBBIII16s",
        OPTION_PREFIX_INFORMATION,
        4,  # length in units of 8 bytes
        64,
        ON_LINK_AND_AUTONOMOUS,
        86400,  # valid lifetime
        14400,  # preferred lifetime
        0,  # reserved
        ipaddress.IPv6Address(prefix).packed,
    )
    source_option = struct.pack("!BB6s", OPTION_SOURCE_LINK_LAYER, 1, read_mac(iface))
    return header + prefix_option + source_option


def main():
    iface, prefix = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    sock.sendto(build(iface, prefix), ("ff02::1", 0, 0, socket.if_nametoindex(iface)))


main()
