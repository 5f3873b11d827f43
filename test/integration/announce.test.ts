// Stable MAC and announcements: without `mac:` the shim's MAC is derived
// from /etc/machine-id and the shim name, and every (re)created shim
// announces its addresses with gratuitous ARP and unsolicited neighbour
// advertisements.
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { Test } from 'tap';
import { PacketCapture } from './helpers/capture';
import { createTopology, startDaemon } from './helpers/harness';
import { addressesIn, execIn, ipIn, linkIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import type { Topology } from './helpers/topology';

const PREFIX = 'mann';
const SHIM = 'mann-shim';
const OTHER = 'mann-two';
const ADDRESS = '192.168.124.190';
const ADDRESS6 = 'fd00:124::190';

/** Returns one entry of `shims:`. `addresses` is the inside of a YAML flow list. */
function entry(name: string, addresses: string, extra = ''): string {
  return `  - name: ${name}\n    parent: nic0\n    addresses: [${addresses}]\n${extra}`;
}

function config(...entries: string[]): string {
  return `log:\n  level: debug\nresync: 0\nshims:\n${entries.join('')}`;
}

const ROUTES = '    routes: [192.168.124.160/27]\n';
const SINGLE = config(entry(SHIM, `${ADDRESS}/32`, ROUTES));

/** Waits until the shim is up with an address, and returns its link. */
async function waitForShim(topology: Topology, name = SHIM): Promise<NonNullable<ReturnType<typeof linkIn>>> {
  return waitFor(
    `shim '${name}' up`,
    () => {
      const link = linkIn(topology.host, name);
      const addressed = addressesIn(topology.host, name).length > 0;
      return link?.flags.includes('UP') && addressed ? link : undefined;
    },
    10_000,
  );
}

/** Locally administered (bit 1 of the first octet set) and unicast (bit 0 clear). */
function assertLocalUnicast(t: Test, mac: string, label: string): void {
  const first = parseInt(mac.slice(0, 2), 16);
  t.equal(first & 0x02, 0x02, `${label} is locally administered`);
  t.equal(first & 0x01, 0, `${label} is unicast`);
}

function readSysctl(namespace: string, path: string): string {
  return execIn(namespace, 'cat', [path]).trim();
}

/**
 * Gives the host namespace its own /etc/machine-id: `ip netns exec`
 * bind-mounts the files in /etc/netns/NAME over /etc. Removes what it
 * created when the test ends.
 */
function useMachineId(t: Test, namespace: string): (id: string) => void {
  const base = '/etc/netns';
  const folder = join(base, namespace);
  const createdBase = !existsSync(base);
  t.ok(!existsSync(folder), `${folder} does not exist yet`);
  mkdirSync(folder, { recursive: true });
  t.teardown(() => {
    rmSync(folder, { recursive: true, force: true });
    if (createdBase && existsSync(base) && readdirSync(base).length === 0) rmdirSync(base);
  });
  return (id) => writeFileSync(join(folder, 'machine-id'), `${id}\n`);
}

if (requireRoot(t)) {
  t.test('derived MAC is local, unicast and stable', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const both = config(entry(SHIM, `${ADDRESS}/32`, ROUTES), entry(OTHER, '192.168.124.191/32'));
    const first = await startDaemon(t, topology, both);
    const mac = (await waitForShim(topology)).address;
    const otherMac = (await waitForShim(topology, OTHER)).address;

    assertLocalUnicast(t, mac, 'the derived MAC');
    assertLocalUnicast(t, otherMac, 'the second derived MAC');
    t.not(mac, otherMac, 'two shim names give two MACs');
    t.not(mac, linkIn(topology.host, 'nic0')?.address, 'the MAC differs from the parent');

    const index = linkIn(topology.host, SHIM)!.ifindex;
    ipIn(topology.host, ['link', 'delete', SHIM]);
    await first.daemon.waitForLog('recreated macvlan shim');
    const recreated = await waitForShim(topology);
    t.not(recreated.ifindex, index, 'the shim was recreated');
    t.equal(recreated.address, mac, 'a recreated shim keeps the MAC');

    topology.deleteParent();
    await waitFor('shim gone with its parent', () => linkIn(topology.host, SHIM) === undefined);
    topology.createParent();
    t.equal((await waitForShim(topology)).address, mac, 'a shim on a recreated parent keeps the MAC');

    await first.daemon.stop();
    ipIn(topology.host, ['link', 'delete', SHIM]);
    ipIn(topology.host, ['link', 'delete', OTHER]);
    await startDaemon(t, topology, both);
    t.equal((await waitForShim(topology)).address, mac, 'a restarted daemon creates the same MAC');
    t.equal((await waitForShim(topology, OTHER)).address, otherMac, 'and the same second MAC');
  });

  t.test('derived MAC follows /etc/machine-id', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const setMachineId = useMachineId(t, topology.host);
    const macFor = async (id: string): Promise<string> => {
      setMachineId(id);
      const { daemon } = await startDaemon(t, topology, SINGLE);
      const mac = (await waitForShim(topology)).address;
      await daemon.stop();
      ipIn(topology.host, ['link', 'delete', SHIM]);
      return mac;
    };

    const first = await macFor('0123456789abcdef0123456789abcdef');
    const second = await macFor('fedcba9876543210fedcba9876543210');
    const again = await macFor('0123456789abcdef0123456789abcdef');
    t.not(first, second, 'another machine-id gives another MAC');
    t.equal(again, first, 'the same machine-id gives the same MAC again');
    assertLocalUnicast(t, second, 'the MAC of the second machine-id');
  });

  t.test('configured MAC wins', async (t) => {
    const topology = await createTopology(t, PREFIX);
    await startDaemon(t, topology, config(entry(SHIM, `${ADDRESS}/32`, `${ROUTES}    mac: 02:42:C0:A8:7C:BE\n`)));
    t.equal((await waitForShim(topology)).address, '02:42:c0:a8:7c:be', 'the shim has the configured MAC');
  });

  t.test('MAC equal to the parent MAC is a conflict', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'set', 'nic0', 'address', '02:00:00:00:00:30']);
    const { daemon, notify } = await startDaemon(
      t,
      topology,
      config(entry(SHIM, `${ADDRESS}/32`, `${ROUTES}    mac: 02:00:00:00:00:30\n`)),
    );
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    t.equal(
      daemon.logged(/mac 02:00:00:00:00:30 is the mac of parent 'nic0'/).length,
      1,
      'the error names the MAC and the parent',
    );
    t.equal(linkIn(topology.host, SHIM), undefined, 'no shim was created');
  });

  t.test('new and recreated shims announce themselves', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const capture = await PacketCapture.start(topology.container, 'ctr0');
    t.teardown(() => capture.stop());
    const { daemon } = await startDaemon(t, topology, config(entry(SHIM, `${ADDRESS}/32, ${ADDRESS6}/128`, ROUTES)));
    const mac = (await waitForShim(topology)).address;

    t.equal(readSysctl(topology.host, `/proc/sys/net/ipv4/conf/${SHIM}/arp_notify`), '1', 'arp_notify is 1');
    t.equal(readSysctl(topology.host, `/proc/sys/net/ipv6/conf/${SHIM}/ndisc_notify`), '1', 'ndisc_notify is 1');

    const gratuitous = () => capture.arp().filter((packet) => packet.senderIp === ADDRESS && packet.targetIp === ADDRESS);
    const unsolicited = () => capture.advertisements().filter((packet) => packet.target === ADDRESS6 && !packet.solicited);
    await waitFor('gratuitous ARP', () => gratuitous().length >= 1, 5000);
    const [arp] = gratuitous();
    t.equal(arp.source, mac, 'the ARP frame comes from the shim MAC');
    t.equal(arp.senderMac, mac, 'the ARP sender MAC is the shim MAC');
    t.equal(arp.operation, 1, 'the gratuitous ARP is a request');

    // The kernel sends the advertisement once duplicate address detection
    // of the address has finished, about a second after link-up.
    await waitFor('unsolicited neighbour advertisement', () => unsolicited().length >= 1, 5000);
    const [advertisement] = unsolicited();
    t.equal(advertisement.source, mac, 'the advertisement comes from the shim MAC');
    t.equal(advertisement.destinationIp, 'ff02::1', 'it goes to all nodes');
    t.ok(advertisement.override, 'it has the override flag');
    t.equal(advertisement.hopLimit, 255, 'its hop limit is 255');

    ipIn(topology.host, ['link', 'delete', SHIM]);
    await daemon.waitForLog('recreated macvlan shim');
    await waitFor('second gratuitous ARP', () => gratuitous().length >= 2, 5000);
    t.equal(gratuitous()[1].senderMac, mac, 'the recreated shim announces the same MAC');
    await waitFor('second neighbour advertisement', () => unsolicited().length >= 2, 5000);
    t.equal(unsolicited()[1].source, mac, 'the recreated shim advertises its IPv6 address again');
  });
}
