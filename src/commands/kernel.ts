import { NetlinkClient } from '../netlink/client';
import { SnapshotIndex } from '../reconcile/snapshot-index';

/** Reads the kernel once for a short-lived command; undefined when netlink is unavailable. */
export async function readKernel(): Promise<SnapshotIndex | undefined> {
  let client: NetlinkClient | undefined;
  try {
    client = new NetlinkClient({ timeoutMs: 5000, onSocketError: () => undefined });
    return new SnapshotIndex(await client.snapshot());
  } catch {
    return undefined;
  } finally {
    client?.close();
  }
}
