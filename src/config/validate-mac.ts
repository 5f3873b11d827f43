import type { CheckedString } from './checked';
import { IssueCollector, quote } from './issues';
import { MAC_PATTERN } from './keys';

/**
 * Reads a fixed MAC address and returns it in lower case, or reports why an
 * interface cannot use it.
 */
export function readMac(
  collector: IssueCollector,
  item: CheckedString,
): string | undefined {
  const problem = macProblem(item.value);
  if (problem !== undefined) {
    collector.error(
      'invalid-mac',
      item,
      `${item.path} ${quote(item.value)} ${problem}`,
      item.value,
    );
    return undefined;
  }
  return item.value.toLowerCase();
}

function macProblem(mac: string): string | undefined {
  if (!MAC_PATTERN.test(mac)) {
    return "is not a MAC address; write six two-digit hex octets separated by ':', such as '02:11:22:33:44:55'";
  }
  const octets = mac.split(':').map((octet) => parseInt(octet, 16));
  if (octets.every((octet) => octet === 0)) {
    return "is all zeros, which the kernel rejects; use a locally administered address such as '02:11:22:33:44:55'";
  }
  if (octets.every((octet) => octet === 0xff)) {
    return "is the broadcast address; use a locally administered address such as '02:11:22:33:44:55'";
  }
  if ((octets[0] & 0x01) !== 0) {
    // The I/G bit marks group (multicast) addresses, which no interface may
    // use as its own address.
    const unicast = ((octets[0] & 0xfe) | 0x02).toString(16).padStart(2, '0');
    const rest = mac.toLowerCase().split(':').slice(1);
    const suggestion = [unicast, ...rest].join(':');
    return `is a multicast address (the lowest bit of the first octet is set); use a unicast one such as ${quote(suggestion)}`;
  }
  return undefined;
}
