import { formatIssue, loadConfigFile } from '../config';
import { NetlinkClient } from '../netlink/client';
import { planRemovals } from '../reconcile/remove';
import { SnapshotIndex } from '../reconcile/snapshot-index';

export interface DownOptions {
  configPath: string;
}

/**
 * Deletes the configured shims that macvlan-shim created and turns the
 * parents' promiscuous mode off where the daemon turned it on. Links that
 * are not ours are left alone. Returns 0 on success, 1 on any failure.
 */
export async function runDown(options: DownOptions): Promise<number> {
  const loaded = await loadConfigFile(options.configPath);
  if (!loaded.config) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const client = new NetlinkClient({ timeoutMs: 5000, onSocketError: () => undefined });
  try {
    const kernel = new SnapshotIndex(await client.snapshot());
    const promiscOff = new Set<number>();
    const removals = planRemovals(loaded.config.shims.map((shim) => shim.name), kernel);
    for (const removal of removals) {
      if (removal.skipped) process.stdout.write(`${removal.shim}: left in place: ${removal.skipped}\n`);
      if (removal.link) {
        await client.deleteLink(removal.link.index, removal.shim);
        process.stdout.write(`${removal.shim}: deleted\n`);
      }
      if (removal.promiscOff && !promiscOff.has(removal.promiscOff.index)) {
        promiscOff.add(removal.promiscOff.index);
        await client.setPromisc(removal.promiscOff.index, removal.promiscOff.name, false);
        process.stdout.write(`${removal.promiscOff.name}: promiscuous mode off\n`);
      }
      if (removal.markHeir) {
        await client.setAlias(removal.markHeir.link.index, removal.markHeir.link.name, removal.markHeir.alias);
      }
      if (!removal.link && !removal.skipped) process.stdout.write(`${removal.shim}: not present\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`macvlan-shim: ${(error as Error).message}\n`);
    return 1;
  } finally {
    client.close();
  }
}
