import type { Test } from 'tap';

/**
 * Integration tests need root for namespaces and netlink writes. Outside CI
 * they skip with the reason; under CI=true a skip would hide a broken
 * set-up, so it fails instead.
 */
export function requireRoot(t: Test): boolean {
  if (process.getuid?.() === 0) return true;
  const reason = 'integration tests need root (network namespaces, CAP_NET_ADMIN)';
  if (process.env.CI === 'true') {
    t.fail(`${reason}; CI=true forbids skipping`);
  } else {
    t.plan(0, reason);
  }
  return false;
}
