import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './sh';

/** An ARP packet as capture.py prints it. */
export interface ArpPacket {
  kind: 'arp';
  /** Ethernet source address. */
  source: string;
  /** 1 request, 2 reply. */
  operation: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** An ICMPv6 neighbour advertisement as capture.py prints it. */
export interface NeighbourAdvertisement {
  kind: 'na';
  source: string;
  sourceIp: string;
  destinationIp: string;
  hopLimit: number;
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: string;
}

export type CapturedPacket = ArpPacket | NeighbourAdvertisement;

/**
 * ARP packets and neighbour advertisements seen on one interface of a
 * namespace, captured by a python3 AF_PACKET socket (no tcpdump needed).
 */
export class PacketCapture {
  readonly packets: CapturedPacket[] = [];
  private readonly child: ChildProcess;
  private listening = false;

  private constructor(namespace: string, iface: string) {
    const script = join(__dirname, 'capture.py');
    this.child = spawn('ip', ['netns', 'exec', namespace, 'python3', script, iface], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const value = JSON.parse(line) as CapturedPacket | 'LISTENING';
      if (value === 'LISTENING') this.listening = true;
      else this.packets.push(value);
    });
  }

  static async start(namespace: string, iface: string): Promise<PacketCapture> {
    const capture = new PacketCapture(namespace, iface);
    await waitFor(`packet capture on ${iface} in ${namespace}`, () => capture.listening);
    return capture;
  }

  arp(): ArpPacket[] {
    return this.packets.filter((packet): packet is ArpPacket => packet.kind === 'arp');
  }

  advertisements(): NeighbourAdvertisement[] {
    return this.packets.filter((packet): packet is NeighbourAdvertisement => packet.kind === 'na');
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
