#!/usr/bin/env python3
"""Answers ICMP echo requests for one address after a per-source delay with uniform jitter.

Written for the ping lab: this kernel has no netem, so the "internet" namespace turns kernel echo
replies off (net.ipv4.icmp_echo_ignore_all=1) and this responder answers instead. Usage:
  icmp-responder.py TARGET_IP JITTER_MS SOURCE_IP=DELAY_MS [SOURCE_IP=DELAY_MS ...]
Prints "ready" once listening. Only the standard library; stops on SIGTERM.
"""
import heapq, random, select, socket, struct, sys, time

def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

def main() -> None:
    target, jitter_ms = sys.argv[1], float(sys.argv[2])
    delays = {src: float(ms) / 1000 for src, ms in (a.split("=") for a in sys.argv[3:])}
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.bind((target, 0))  # replies leave from the target address; only its requests arrive
    print("ready", flush=True)
    pending = []  # (due, seq, reply bytes, destination)
    n = 0
    while True:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else 1.0
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            packet, (src, _) = sock.recvfrom(65535)
            ihl = (packet[0] & 0x0F) * 4
            dst = socket.inet_ntoa(packet[16:20])
            icmp = packet[ihl:]
            if len(icmp) >= 8 and icmp[0] == 8 and dst == target and src in delays:
                body = b"\0\0\0\0" + icmp[4:]
                reply = bytes([0, 0]) + struct.pack("!H", checksum(b"\0\0" + body[2:])) + icmp[4:]
                due = time.monotonic() + max(0.0, delays[src] + random.uniform(-jitter_ms, jitter_ms) / 1000)
                n += 1
                heapq.heappush(pending, (due, n, reply, src))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, reply, dst = heapq.heappop(pending)
            sock.sendto(reply, (dst, 0))

if __name__ == "__main__":
    main()
