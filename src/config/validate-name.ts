import type { CheckedString } from './checked';
import { IssueCollector, quote } from './issues';

/** IFNAMSIZ is 16 bytes including the terminating NUL. */
const MAX_NAME_BYTES = 15;

/**
 * Names whose per-interface sysctl directories would clash with
 * /proc/sys/net/ipv4/conf/all and default. Kernels built with CONFIG_SYSCTL
 * reject them when the interface registers (sysctl_dev_name_is_allowed in
 * include/net/ip.h).
 */
const SYSCTL_RESERVED_NAMES: readonly string[] = ['all', 'default'];

/**
 * Name prefixes that other software creates or configures by default. A shim
 * named like these may be renamed, reconfigured or deleted by that software,
 * or be mistaken for one of its interfaces.
 */
const CLAIMED_PREFIXES: readonly { prefix: string; owner: string }[] = [
  // Kernel and udev names of physical NICs. Network managers and distribution
  // configs commonly match them with wildcards such as 'en*' and 'eth*'.
  {
    prefix: 'eth',
    owner: 'the kernel and network managers use for physical NICs',
  },
  { prefix: 'en', owner: 'udev and network managers use for physical NICs' },
  { prefix: 'wl', owner: 'udev and network managers use for wireless NICs' },
  {
    prefix: 'ww',
    owner: 'udev and network managers use for mobile broadband NICs',
  },
  {
    prefix: 'veth',
    owner: 'Docker, Podman and LXC use for container veth pairs',
  },
  { prefix: 'docker', owner: 'Docker uses for its bridges (docker0)' },
  { prefix: 'br-', owner: 'Docker uses for user-defined bridge networks' },
  { prefix: 'vmbr', owner: 'Proxmox VE uses for its bridges' },
  { prefix: 'virbr', owner: 'libvirt uses for its bridges' },
  { prefix: 'vnet', owner: 'libvirt uses for guest interfaces' },
  { prefix: 'lxcbr', owner: 'LXC uses for its bridge' },
  { prefix: 'lxdbr', owner: 'LXD uses for its bridge' },
  { prefix: 'podman', owner: 'Podman uses for its bridges' },
  { prefix: 'cni', owner: 'Kubernetes CNI plugins use for their bridges' },
  { prefix: 'flannel', owner: 'the flannel CNI plugin uses' },
  { prefix: 'cali', owner: 'the Calico CNI plugin uses' },
  { prefix: 'cilium', owner: 'the Cilium CNI plugin uses' },
];

/**
 * Checks a name against the kernel's rules (dev_valid_name in
 * net/core/dev.c): 1 to 15 bytes, not '.' or '..', and no '/', ':' or white
 * space. The kernel's isspace() also matches byte 0xA0, which occurs inside
 * the UTF-8 encoding of many non-ASCII characters. The names 'all' and
 * 'default' are rejected too, because of their sysctl directories.
 */
export function checkInterfaceName(
  collector: IssueCollector,
  item: CheckedString,
): boolean {
  const problem = nameProblem(item.value);
  if (problem === undefined) {
    return true;
  }
  collector.error(
    'invalid-name',
    item,
    `${item.path} ${quote(item.value)} is not a valid interface name: ${problem}`,
    item.value,
  );
  return false;
}

function nameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0) {
    return 'it is empty';
  }
  if (bytes > MAX_NAME_BYTES) {
    return `it is ${bytes} bytes long in UTF-8, and the kernel allows at most ${MAX_NAME_BYTES}`;
  }
  if (name === '.' || name === '..') {
    return "the kernel reserves '.' and '..'";
  }
  if (SYSCTL_RESERVED_NAMES.includes(name)) {
    return "the kernel rejects 'all' and 'default', because they would clash with the /proc/sys/net/*/conf/all and default directories";
  }
  for (const character of name) {
    const problem = characterProblem(character);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

function characterProblem(character: string): string | undefined {
  if (character === '/' || character === ':') {
    return `it contains '${character}', which the kernel rejects`;
  }
  if (character === '%') {
    // The kernel treats a name with '%' as a template such as 'eth%d' and
    // picks a free number, so the shim would get a different name.
    return "it contains '%', which the kernel reads as a name template such as 'eth%d'";
  }
  if (character === '\u0000') {
    return 'it contains a NUL character';
  }
  const bytes = Buffer.from(character, 'utf8');
  if (bytes.some((byte) => isKernelSpace(byte))) {
    return `it contains ${describeSpace(character)}, which the kernel treats as white space`;
  }
  return undefined;
}

/** Mirrors the kernel's isspace() (lib/ctype.c): 0x09-0x0D, 0x20 and 0xA0. */
function isKernelSpace(byte: number): boolean {
  return (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0;
}

function describeSpace(character: string): string {
  if (character === ' ') {
    return 'a space';
  }
  const codePoint = character.codePointAt(0) ?? 0;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  if (codePoint < 0x80) {
    return `U+${hex}`;
  }
  return `U+${hex} (its UTF-8 encoding has byte 0xA0)`;
}

/** Warns when a shim name starts like names that other software claims. */
export function checkNamePattern(
  collector: IssueCollector,
  item: CheckedString,
): void {
  const claimed = CLAIMED_PREFIXES.find(({ prefix }) =>
    item.value.startsWith(prefix),
  );
  if (claimed === undefined) {
    return;
  }
  collector.warn(
    'name-pattern',
    item,
    `${item.path} ${quote(item.value)} starts with ${quote(claimed.prefix)}, which ${claimed.owner}; that software may configure or remove the shim, so choose another name such as 'mvshim0'`,
    item.value,
  );
}
