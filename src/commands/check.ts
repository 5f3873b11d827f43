import { describeConfig, formatIssue, hasBlockingIssues, loadConfigFile } from '../config';
import { isWireless } from '../netlink/sysfs';
import { desiredShims, readMachineId } from '../reconcile/desired';
import { preflight } from '../reconcile/preflight';
import { readKernel } from './kernel';

export interface CheckOptions {
  configPath: string;
  strict: boolean;
  /** Skip the checks against the running kernel, as at boot before the parents exist. */
  fileOnly: boolean;
}

/**
 * Validates the config, prints every problem and what would be managed,
 * then checks the parents on the running kernel when it can read it.
 * Returns 0 when valid, 1 when not.
 */
export async function runCheck(options: CheckOptions): Promise<number> {
  const loaded = await loadConfigFile(options.configPath);
  for (const issue of loaded.issues) {
    process.stderr.write(`${formatIssue(issue)}\n`);
  }
  if (!loaded.config || hasBlockingIssues(loaded.issues, { strict: options.strict })) {
    process.stderr.write(`${options.configPath}: invalid\n`);
    return 1;
  }
  for (const line of describeConfig(loaded.config)) {
    process.stdout.write(`${line}\n`);
  }
  if (options.fileOnly) return 0;
  const kernel = await readKernel();
  if (!kernel) {
    process.stdout.write('live checks skipped: cannot read links over netlink\n');
    return 0;
  }
  const findings = preflight(desiredShims(loaded.config.shims, readMachineId()), kernel, isWireless);
  for (const finding of findings) {
    process.stdout.write(`${finding.severity}: ${finding.shim}: ${finding.message}\n`);
  }
  const blocking = findings.some((finding) => finding.severity === 'error' || (options.strict && finding.severity === 'warning'));
  return blocking ? 1 : 0;
}
