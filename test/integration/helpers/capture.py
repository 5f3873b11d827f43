"""Captures ARP packets and ICMPv6 neighbour advertisements on one interface
with an AF_PACKET socket and prints each as one JSON object per line.

Usage: capture.py IFACE. Prints "LISTENING" once the socket is bound.
"""
import ipaddress
import json
import socket
import struct
import sys

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
IPPROTO_ICMPV6 = 58
NEIGHBOUR_ADVERTISEMENT = 136


def mac(data):
    return ":".join(f"{byte:02x}" for byte in data)


def decode_arp(source, payload):
    if len(payload) < 28:
        return None
    operation = struct.unpack("!H", payload[6:8])[0]
    return {
        "kind": "arp",
        "source": source,
        "operation": operation,
        "senderMac": mac(payload[8:14]),
        "senderIp": socket.inet_ntoa(payload[14:18]),
        "targetMac": mac(payload[18:24]),
        "targetIp": socket.inet_ntoa(payload[24:28]),
    }


def decode_advertisement(source, payload):
    # IPv6 header (40 bytes) without extension headers, then ICMPv6.
    if len(payload) < 64 or payload[6] != IPPROTO_ICMPV6:
        return None
    icmp = payload[40:]
    if icmp[0] != NEIGHBOUR_ADVERTISEMENT:
        return None
    flags = icmp[4]
    return {
        "kind": "na",
        "source": source,
        "sourceIp": str(ipaddress.IPv6Address(payload[8:24])),
        "destinationIp": str(ipaddress.IPv6Address(payload[24:40])),
        "hopLimit": payload[7],
        "router": bool(flags & 0x80),
        "solicited": bool(flags & 0x40),
        "override": bool(flags & 0x20),
        "target": str(ipaddress.IPv6Address(icmp[8:24])),
    }


def main():
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((sys.argv[1], 0))
    print(json.dumps("LISTENING"), flush=True)
    while True:
        frame = sock.recv(65535)
        if len(frame) < 14:
            continue
        source = mac(frame[6:12])
        ethertype = struct.unpack("!H", frame[12:14])[0]
        packet = None
        if ethertype == ETH_P_ARP:
            packet = decode_arp(source, frame[14:])
        elif ethertype == ETH_P_IPV6:
            packet = decode_advertisement(source, frame[14:])
        if packet is not None:
            print(json.dumps(packet), flush=True)


main()
