// Ownership: the daemon marks the links it creates or adopts with an
// interface alias and never deletes or changes a link without that mark.
import t, { Test } from 'tap';
import { runCli } from './helpers/cli';
import { createTopology, startDaemon } from './helpers/harness';
import { IpMonitor } from './helpers/monitor';
import { addressesIn, ipIn, linkIn, routesIn } from './helpers/netns';
import { requireRoot } from './helpers/root';
import { waitFor } from './helpers/sh';
import { requireStrace, traceNetlinkRequests } from './helpers/strace';
import type { Topology } from './helpers/topology';

const PREFIX = 'mown';
const SHIM = 'mown-shim';
const ADDRESS = '192.168.124.190/32';
const ROUTE = '192.168.124.160/27';
const MARK = 'managed by macvlan-shim';
const MARK_PROMISC = 'managed by macvlan-shim; parent promisc set';

/** Returns one entry of `shims:`. `extra` contains further keys, each line indented by four spaces. */
function shimEntry(name: string, address: string, extra = ''): string {
  return `  - name: ${name}\n    parent: nic0\n    mode: bridge\n    addresses: [${address}]\n${extra}`;
}

/** Returns a config without periodic resync, so every pass the daemon makes follows an event. */
function config(...entries: string[]): string {
  return `log:\n  level: debug\nresync: 0\nshims:\n${entries.join('')}`;
}

const SINGLE = config(shimEntry(SHIM, ADDRESS, `    routes: [${ROUTE}]\n`));

function isPromiscuous(namespace: string, name: string): boolean {
  return linkIn(namespace, name)?.flags.includes('PROMISC') === true;
}

/** Waits for the daemon's shim with the exact address, route and flags of SINGLE. */
async function waitForShim(topology: Topology): Promise<void> {
  await waitFor(
    'shim converged',
    () => {
      const link = linkIn(topology.host, SHIM);
      const routed = routesIn(topology.host, SHIM).includes(`${ROUTE} proto 233`);
      return link?.flags.includes('UP') && link.ifalias?.startsWith(MARK) && routed;
    },
    10_000,
  );
}

function assertShim(t: Test, topology: Topology, alias: string): void {
  const link = linkIn(topology.host, SHIM);
  t.equal(link?.linkinfo?.info_kind, 'macvlan', 'shim is a macvlan');
  t.equal(link?.linkinfo?.info_data?.mode, 'bridge', 'shim is in bridge mode');
  t.equal(link?.link, topology.parent, 'shim hangs off the parent');
  t.equal(link?.ifalias, alias, 'shim carries the expected ownership mark');
  t.ok(link?.flags.includes('UP'), 'shim is up');
  t.same(addressesIn(topology.host, SHIM), [ADDRESS], 'shim has exactly the configured address');
  t.same(
    routesIn(topology.host, SHIM).filter((route) => route.endsWith('proto 233')),
    [`${ROUTE} proto 233`],
    'shim has exactly the configured route',
  );
}

if (requireRoot(t)) {
  t.test('created shim is marked; down removes it and promisc', async (t) => {
    const topology = await createTopology(t, PREFIX);
    t.notOk(isPromiscuous(topology.host, 'nic0'), 'parent starts without promiscuous mode');
    const { daemon, configPath } = await startDaemon(t, topology, SINGLE);
    await waitForShim(topology);
    assertShim(t, topology, MARK_PROMISC);
    t.ok(isPromiscuous(topology.host, 'nic0'), 'the daemon turned promiscuous mode on');

    await daemon.stop();
    const down = runCli(topology.host, ['down', '--config', configPath]);
    t.equal(down.code, 0, `down exits 0 (stderr: ${down.stderr})`);
    t.match(down.stdout, `${SHIM}: deleted`, 'down reports the deletion');
    t.match(down.stdout, 'nic0: promiscuous mode off', 'down reports promiscuous mode off');
    t.equal(linkIn(topology.host, SHIM), undefined, 'shim is gone');
    t.notOk(isPromiscuous(topology.host, 'nic0'), 'parent is no longer promiscuous');
    t.same(addressesIn(topology.host, 'nic0'), [topology.hostAddress], 'parent keeps its address');
  });

  t.test('promisc set by someone else survives down', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'set', 'nic0', 'promisc', 'on']);
    const { daemon, configPath } = await startDaemon(t, topology, SINGLE);
    await waitForShim(topology);
    assertShim(t, topology, MARK);

    await daemon.stop();
    const down = runCli(topology.host, ['down', '--config', configPath]);
    t.equal(down.code, 0, 'down exits 0');
    t.equal(linkIn(topology.host, SHIM), undefined, 'shim is gone');
    t.ok(isPromiscuous(topology.host, 'nic0'), 'parent stays promiscuous');
    t.notMatch(down.stdout, 'promiscuous mode off', 'down does not touch promiscuous mode');
  });

  t.test('non-macvlan with the shim name is a conflict', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', SHIM, 'type', 'bridge']);
    const before = linkIn(topology.host, SHIM)!;
    const { daemon, notify, configPath } = await startDaemon(t, topology, SINGLE);
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    const errors = daemon.logs.filter((line) => line.level === 50);
    t.equal(errors.length, 1, 'one error is logged');
    t.match(errors[0]?.msg, `'${SHIM}' already exists and is a bridge device`, 'the error names the link and its kind');
    t.equal(errors[0]?.shim, SHIM, 'the error carries the shim field');
    const after = linkIn(topology.host, SHIM);
    t.equal(after?.ifindex, before.ifindex, 'the bridge is still there');
    t.equal(after?.linkinfo?.info_kind, 'bridge', 'it is still a bridge');
    t.equal(after?.ifalias, undefined, 'it got no alias');
    t.same(addressesIn(topology.host, SHIM), [], 'it got no address');
    t.notOk(isPromiscuous(topology.host, 'nic0'), 'the parent was not made promiscuous');

    const check = runCli(topology.host, ['check', '--config', configPath]);
    t.equal(check.code, 1, 'check exits 1');
    t.match(check.stdout, `error: ${SHIM}: '${SHIM}' already exists as a bridge device`, 'check names the conflict');
    const status = runCli(topology.host, ['status', '--json', '--config', configPath]);
    t.equal(status.code, 1, 'status exits 1');
    const [report] = (JSON.parse(status.stdout) as { shims: { state: string; reason?: string }[] }).shims;
    t.equal(report?.state, 'conflict', 'status shows the conflict state');
    t.match(report?.reason ?? '', 'bridge device', 'status gives the reason');

    if (requireStrace(t)) {
      const requests = await traceNetlinkRequests(daemon.child.pid!, 2500);
      t.equal(requests.linkDumps, 0, `no pass runs while nothing changes (requests: ${requests.all.join(', ')})`);
    }
    t.equal(daemon.logs.filter((line) => line.level === 50).length, 1, 'the error is not repeated');

    ipIn(topology.host, ['link', 'delete', SHIM]);
    await daemon.waitForLog('created macvlan shim');
    await waitForShim(topology);
    assertShim(t, topology, MARK_PROMISC);
    await notify.waitFor(`STATUS=1/1 shims up`);
  });

  t.test('unmarked macvlan that differs is a conflict', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic0', 'type', 'macvlan', 'mode', 'private']);
    const before = linkIn(topology.host, SHIM)!;
    const { daemon, notify, configPath } = await startDaemon(t, topology, SINGLE);
    await notify.waitFor('READY=1');

    t.equal(notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'STATUS= names the conflict');
    t.equal(
      daemon.logged(/is a macvlan not created by macvlan-shim and its mode is 'private', not 'bridge'/).length,
      1,
      'the error names the link and the difference',
    );
    const after = linkIn(topology.host, SHIM);
    t.equal(after?.ifindex, before.ifindex, 'the macvlan is still there');
    t.equal(after?.linkinfo?.info_data?.mode, 'private', 'its mode is unchanged');
    t.equal(after?.ifalias, undefined, 'it got no alias');
    t.notOk(after?.flags.includes('UP'), 'it was not brought up');
    t.same(addressesIn(topology.host, SHIM), [], 'it got no address');

    const down = runCli(topology.host, ['down', '--config', configPath]);
    t.equal(down.code, 0, 'down exits 0');
    t.match(down.stdout, `${SHIM}: left in place`, 'down leaves the foreign macvlan');
    t.equal(linkIn(topology.host, SHIM)?.ifindex, before.ifindex, 'the macvlan survives down');
  });

  t.test('marked shim with the wrong mode is replaced', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic0', 'type', 'macvlan', 'mode', 'private']);
    ipIn(topology.host, ['link', 'set', SHIM, 'alias', MARK]);
    const before = linkIn(topology.host, SHIM)!;
    const { daemon } = await startDaemon(t, topology, SINGLE);
    await daemon.waitForLog('replaced macvlan shim');
    await waitForShim(topology);

    t.not(linkIn(topology.host, SHIM)?.ifindex, before.ifindex, 'the shim is a new link');
    assertShim(t, topology, MARK_PROMISC);
    t.match(daemon.logged('replaced macvlan shim')[0]?.reason, "its mode is 'private', not 'bridge'", 'the log says why');
  });

  t.test('marked shim on the wrong parent is replaced', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', 'nic1', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', topology.lan]);
    ipIn(topology.host, ['link', 'set', 'nic1', 'up']);
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic1', 'type', 'macvlan', 'mode', 'bridge']);
    ipIn(topology.host, ['link', 'set', SHIM, 'alias', MARK]);
    const before = linkIn(topology.host, SHIM)!;
    const { daemon } = await startDaemon(t, topology, SINGLE);
    await daemon.waitForLog('replaced macvlan shim');
    await waitForShim(topology);

    t.not(linkIn(topology.host, SHIM)?.ifindex, before.ifindex, 'the shim is a new link');
    assertShim(t, topology, MARK_PROMISC);
    t.match(daemon.logged('replaced macvlan shim')[0]?.reason, "its parent is 'nic1', not 'nic0'", 'the log says why');
  });

  t.test('marked shim with a wrong configured MAC is corrected', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const mac = '02:00:00:00:01:90';
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic0', 'address', '02:00:00:00:09:99', 'type', 'macvlan', 'mode', 'bridge']);
    ipIn(topology.host, ['link', 'set', SHIM, 'alias', MARK]);
    await startDaemon(t, topology, config(shimEntry(SHIM, ADDRESS, `    routes: [${ROUTE}]\n    mac: ${mac}\n`)));
    await waitForShim(topology);

    t.equal(linkIn(topology.host, SHIM)?.address, mac, 'the shim has the configured MAC');
    t.equal(linkIn(topology.host, SHIM)?.ifalias, MARK_PROMISC, 'the shim keeps its mark and records the promisc it set');
  });

  t.test('marked shim with a changed MAC gets its derived MAC back', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const { daemon } = await startDaemon(t, topology, SINGLE);
    await waitForShim(topology);
    const derived = linkIn(topology.host, SHIM)!.address;

    ipIn(topology.host, ['link', 'set', SHIM, 'address', '02:00:00:00:09:99']);
    await daemon.stop();
    const restarted = await startDaemon(t, topology, SINGLE);
    await restarted.notify.waitFor('READY=1');
    await new Promise((resolve) => setTimeout(resolve, 500));

    t.equal(
      linkIn(topology.host, SHIM)?.address,
      derived,
      'the shim has the MAC derived from machine-id and name again, not the one set by hand',
    );
  });

  t.test('matching unmarked macvlan is adopted without a flap', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic0', 'type', 'macvlan', 'mode', 'bridge']);
    ipIn(topology.host, ['address', 'add', ADDRESS, 'dev', SHIM]);
    ipIn(topology.host, ['link', 'set', SHIM, 'up']);
    const before = linkIn(topology.host, SHIM)!;
    const monitor = await IpMonitor.start(topology.host);
    t.teardown(() => monitor.stop());

    const { daemon } = await startDaemon(t, topology, SINGLE);
    await daemon.waitForLog('adopted existing macvlan as shim');
    await waitForShim(topology);

    t.equal(linkIn(topology.host, SHIM)?.ifindex, before.ifindex, 'the macvlan keeps its ifindex');
    t.equal(linkIn(topology.host, SHIM)?.address, before.address, 'the adopted macvlan keeps its MAC');
    assertShim(t, topology, 'managed by macvlan-shim; adopted; parent promisc set');
    const shimLinkEvents = monitor.matching(new RegExp(`^(Deleted )?\\d+: ${SHIM}@`));
    t.ok(shimLinkEvents.length > 0, 'the monitor saw the adoption');
    t.same(
      shimLinkEvents.filter((line) => line.startsWith('Deleted') || !/<[^>]*\bUP\b[^>]*>/.test(line)),
      [],
      'the shim was never deleted or down',
    );
    t.same(monitor.matching(new RegExp(`^Deleted .* ${SHIM} .*inet `)), [], 'its address was never removed');
    t.equal(daemon.logged(/created macvlan shim|replaced macvlan shim/).length, 0, 'nothing was created');
  });

  t.test('link recreated while stopped carries no mark', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const first = await startDaemon(t, topology, SINGLE);
    await waitForShim(topology);
    await first.daemon.stop();

    ipIn(topology.host, ['link', 'delete', SHIM]);
    ipIn(topology.host, ['link', 'add', SHIM, 'link', 'nic0', 'type', 'macvlan', 'mode', 'private']);
    const foreign = linkIn(topology.host, SHIM)!;
    const second = await startDaemon(t, topology, SINGLE);
    await second.notify.waitFor('READY=1');

    t.equal(second.notify.lastStatus(), `0/1 up, conflict on '${SHIM}'`, 'the new link is a conflict, not ours');
    t.equal(linkIn(topology.host, SHIM)?.ifindex, foreign.ifindex, 'the foreign link is left alone');
    t.equal(linkIn(topology.host, SHIM)?.ifalias, undefined, 'it got no mark');
  });

  t.test('reload deletes dropped shims only if ours', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', 'mown-b', 'link', 'nic0', 'type', 'macvlan', 'mode', 'private']);
    const foreign = linkIn(topology.host, 'mown-b')!;
    const three = config(
      shimEntry('mown-a', '192.168.124.191/32'),
      shimEntry('mown-b', '192.168.124.192/32'),
      shimEntry('mown-k', '192.168.124.193/32'),
    );
    const { daemon, notify } = await startDaemon(t, topology, three);
    await notify.waitFor('READY=1');
    t.equal(notify.lastStatus(), "2/3 up, conflict on 'mown-b'", 'two shims up, one conflict');
    const keptShim = linkIn(topology.host, 'mown-k')!;
    t.equal(linkIn(topology.host, 'mown-a')?.ifalias, MARK_PROMISC, 'mown-a is ours');

    topology.writeConfig(config(shimEntry('mown-k', '192.168.124.193/32')));
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 2);
    await daemon.waitForLog('reload applied');

    t.equal(linkIn(topology.host, 'mown-a'), undefined, 'our dropped shim is deleted');
    t.equal(linkIn(topology.host, 'mown-b')?.ifindex, foreign.ifindex, 'the foreign link is left in place');
    t.equal(daemon.logged(/left in place because 'mown-b' was not created by macvlan-shim/).length, 1, 'the log says why');
    t.equal(linkIn(topology.host, 'mown-k')?.ifindex, keptShim.ifindex, 'the kept shim is untouched');
    t.same(addressesIn(topology.host, 'mown-k'), ['192.168.124.193/32'], 'the kept shim keeps its address');
    t.ok(isPromiscuous(topology.host, 'nic0'), 'promiscuous mode stays on while an own shim remains');
    t.equal(notify.lastStatus(), '1/1 shims up', 'STATUS= shows the new config');
  });

  t.test('promisc goes off after the last own shim, added later or not', async (t) => {
    const topology = await createTopology(t, PREFIX);
    const onlyA = config(shimEntry('mown-a', '192.168.124.191/32'));
    const both = config(shimEntry('mown-a', '192.168.124.191/32'), shimEntry('mown-b', '192.168.124.192/32'));
    const onlyB = config(shimEntry('mown-b', '192.168.124.192/32'));
    const { daemon, notify, configPath } = await startDaemon(t, topology, onlyA);
    await notify.waitFor('READY=1');
    t.ok(isPromiscuous(topology.host, 'nic0'), 'the first shim turned promiscuous mode on');

    topology.writeConfig(both);
    daemon.signal('SIGHUP');
    await daemon.waitForLog('reload applied', 1);
    await waitFor('second shim', () => linkIn(topology.host, 'mown-b')?.flags.includes('UP'));
    topology.writeConfig(onlyB);
    daemon.signal('SIGHUP');
    await daemon.waitForLog('reload applied', 2);
    t.equal(linkIn(topology.host, 'mown-a'), undefined, 'the first shim is deleted');
    t.ok(isPromiscuous(topology.host, 'nic0'), 'promiscuous mode stays on for the second shim');

    await daemon.stop();
    const down = runCli(topology.host, ['down', '--config', configPath]);
    t.equal(down.code, 0, 'down exits 0');
    t.equal(linkIn(topology.host, 'mown-b'), undefined, 'the second shim is deleted');
    t.notOk(
      isPromiscuous(topology.host, 'nic0'),
      'promiscuous mode, which the daemon turned on, is off after its last shim went',
    );
  });

  t.test('moving to a promiscuous parent keeps its promisc', async (t) => {
    const topology = await createTopology(t, PREFIX);
    ipIn(topology.host, ['link', 'add', 'nic1', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', topology.lan]);
    ipIn(topology.host, ['link', 'set', 'nic1', 'promisc', 'on', 'up']);
    const { daemon, notify, configPath } = await startDaemon(t, topology, SINGLE);
    await waitForShim(topology);
    t.equal(linkIn(topology.host, SHIM)?.ifalias, MARK_PROMISC, 'the daemon turned promisc on for nic0');

    topology.writeConfig(SINGLE.replace('parent: nic0', 'parent: nic1'));
    daemon.signal('SIGHUP');
    await notify.waitFor('READY=1', 2);
    await waitFor('shim on nic1', () => linkIn(topology.host, SHIM)?.link === 'nic1');
    t.notOk(isPromiscuous(topology.host, 'nic0'), 'nic0 lost its last own shim, so promiscuous mode is off again');
    t.equal(linkIn(topology.host, SHIM)?.ifalias, MARK, 'the new shim does not claim promisc it did not set on nic1');

    await daemon.stop();
    runCli(topology.host, ['down', '--config', configPath]);
    t.ok(isPromiscuous(topology.host, 'nic1'), 'nic1 keeps the promiscuous mode someone else set');
  });
}
