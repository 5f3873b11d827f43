import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNamespace, deleteNamespace, ipIn } from './netns';

/**
 * The Docker macvlan set-up in namespaces. The host's NIC `nic0` is one end
 * of a veth whose other end is in a "lan" namespace. A "container" namespace
 * contains a bridge-mode macvlan of `nic0`. The kernel keeps the host from
 * reaching the container over `nic0` itself, and a shim fixes that.
 */
export class Topology {
  readonly host: string;
  readonly lan: string;
  readonly container: string;
  readonly parent = 'nic0';
  readonly hostAddress = '192.168.124.30/24';
  readonly containerAddress = '192.168.124.170';
  readonly containerAddress6 = 'fd00:124::170';
  readonly directory: string;

  /** `prefix` keeps namespace names unique per test file (at most 8 characters). */
  constructor(prefix: string) {
    this.host = `${prefix}-host`;
    this.lan = `${prefix}-lan`;
    this.container = `${prefix}-ctr`;
    this.directory = mkdtempSync(join(tmpdir(), `${prefix}-`));
  }

  create(): void {
    for (const namespace of [this.host, this.lan, this.container]) addNamespace(namespace);
    this.createParent();
  }

  /** Creates the parent NIC and the container's macvlan on it, as after a reboot. */
  createParent(): void {
    ipIn(this.host, ['link', 'add', this.parent, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', this.lan]);
    ipIn(this.host, ['address', 'add', this.hostAddress, 'dev', this.parent]);
    ipIn(this.host, ['link', 'set', this.parent, 'up']);
    ipIn(this.lan, ['link', 'set', 'lan0', 'up']);
    this.createContainerLink();
  }

  createContainerLink(): void {
    ipIn(this.host, ['link', 'add', 'ctr0', 'link', this.parent, 'type', 'macvlan', 'mode', 'bridge']);
    ipIn(this.host, ['link', 'set', 'ctr0', 'netns', this.container]);
    ipIn(this.container, ['address', 'add', `${this.containerAddress}/24`, 'dev', 'ctr0']);
    ipIn(this.container, ['address', 'add', `${this.containerAddress6}/64`, 'dev', 'ctr0', 'nodad']);
    ipIn(this.container, ['link', 'set', 'ctr0', 'up']);
  }

  /** Deletes the parent; the kernel deletes its macvlans (shim and container link) with it. */
  deleteParent(): void {
    ipIn(this.host, ['link', 'delete', this.parent]);
  }

  writeConfig(text: string, name = 'config.yaml'): string {
    const path = join(this.directory, name);
    writeFileSync(path, text, { mode: 0o644 });
    return path;
  }

  destroy(): void {
    for (const namespace of [this.host, this.lan, this.container]) deleteNamespace(namespace);
    rmSync(this.directory, { recursive: true, force: true });
  }
}
