import { run, succeeds } from './sh';

/** `ip -n NS ARGS...` */
export function ipIn(namespace: string, args: string[]): string {
  return run('ip', ['-n', namespace, ...args]);
}

export function execIn(namespace: string, command: string, args: string[]): string {
  return run('ip', ['netns', 'exec', namespace, command, ...args]);
}

export function addNamespace(name: string): void {
  deleteNamespace(name);
  run('ip', ['netns', 'add', name]);
  run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes a namespace if present; all interfaces inside it go with it. */
export function deleteNamespace(name: string): void {
  if (succeeds('ip', ['netns', 'pids', name])) {
    for (const pid of run('ip', ['netns', 'pids', name]).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    succeeds('ip', ['netns', 'del', name]);
  }
}

/** Sends one `ping` from a namespace and returns whether a reply came. */
export function canPing(namespace: string, address: string): boolean {
  const args = ['netns', 'exec', namespace, 'ping', '-c', '1', '-W', '1', address];
  if (address.includes(':')) args.splice(4, 0, '-6');
  return succeeds('ip', args);
}

interface IpLink {
  ifindex: number;
  ifname: string;
  link?: string;
  flags: string[];
  address: string;
  mtu: number;
  ifalias?: string;
  promiscuity?: number;
  linkinfo?: { info_kind: string; info_data?: { mode?: string } };
}

/** `ip -d -j link show dev NAME`, or undefined when it does not exist. */
export function linkIn(namespace: string, name: string): IpLink | undefined {
  if (!succeeds('ip', ['-n', namespace, 'link', 'show', 'dev', name])) return undefined;
  const [link] = JSON.parse(ipIn(namespace, ['-d', '-j', 'link', 'show', 'dev', name])) as IpLink[];
  return link;
}

/** Global addresses on an interface as `ADDRESS/LEN` strings, sorted. */
export function addressesIn(namespace: string, name: string): string[] {
  const [entry] = JSON.parse(ipIn(namespace, ['-j', 'address', 'show', 'dev', name])) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return (entry?.addr_info ?? [])
    .filter((info) => info.scope === 'global')
    .map((info) => `${info.local}/${info.prefixlen}`)
    .sort();
}

/** Routes in the main table through an interface as `DEST proto PROTO` strings, sorted. */
export function routesIn(namespace: string, name: string, family: '-4' | '-6' = '-4'): string[] {
  const routes = JSON.parse(ipIn(namespace, [family, '-j', 'route', 'show', 'dev', name])) as {
    dst: string;
    protocol: string;
  }[];
  return routes.map((route) => `${route.dst} proto ${route.protocol}`).sort();
}
