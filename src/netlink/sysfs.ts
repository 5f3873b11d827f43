import { existsSync } from 'node:fs';

/**
 * Tells whether an interface is a Wi-Fi device. Current kernels no longer
 * put IFLA_WIRELESS in link dumps, so this reads sysfs the way `iw dev`
 * does: cfg80211 devices have `phy80211`, wireless-extension ones have
 * `wireless`. It reads the sysfs mounted for this process, which `ip netns
 * exec` remounts for the namespace.
 */
export function isWireless(name: string): boolean {
  const base = `/sys/class/net/${name}`;
  return existsSync(`${base}/phy80211`) || existsSync(`${base}/wireless`);
}
