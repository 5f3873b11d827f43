// macvlan-shim as a systemd service under a real systemd 252 (Debian
// bookworm), booted in a systemd-nspawn container with a private network.
// The unit file comes unchanged from packaging/ and the daemon from dist/.
// One drop-in shortens WatchdogSec so the watchdog case runs in seconds.
//
// Needs root, debootstrap, systemd-nspawn, a built dist/cli.js and the
// Debian mirror that apt uses. Building the cached root takes about a
// minute on first use; the rest takes about ten seconds.
import {
  messageText,
  mustRunInContainer,
  readJournal,
  runInContainer,
  showUnit,
  writeContainerFile,
} from './helpers/nspawn';
import {
  BOOKWORM_ROOT,
  BROKEN_YAML,
  CONFIG_PATH,
  FIRST_ADDRESS,
  INSTALL_DIR,
  PARENT,
  ROUTE,
  SECOND_ADDRESS,
  SHIM,
  UNIT,
  configYaml,
  installService,
  lastCursor,
  printJournal,
  readAddresses,
  readLink,
  readRoutes,
  serviceTest,
  startContainer,
  waitFor,
} from './helpers/systemd-service';

const TEST_WATCHDOG_SEC = 3;

serviceTest('macvlan-shim under a real systemd', runServiceTests);

async function runServiceTests(t: tap.Test): Promise<void> {
  const container = await startContainer(t, BOOKWORM_ROOT);
  await installService(t, container, {
    'test-watchdog.conf': `[Service]\nWatchdogSec=${TEST_WATCHDOG_SEC}s\n`,
  });

  const state: { ifindex?: number; mainPid?: string } = {};

  await t.test('start returns after READY', async (t) => {
    const result = await runInContainer(container, ['systemctl', 'start', UNIT]);
    t.equal(result.code, 0, `systemctl start: ${result.stderr}`);

    // No waiting here: Type=notify makes start return only after READY=1.
    const details = await runInContainer(container, [
      'ip', '-d', 'link', 'show', SHIM,
    ]);
    t.equal(details.code, 0, `shim exists right after start: ${details.stderr}`);
    t.match(details.stdout, /macvlan mode bridge/, 'shim is a bridge macvlan');
    t.match(details.stdout, new RegExp(`${SHIM}@${PARENT}:`), 'shim parent');

    const link = await readLink(container, SHIM);
    state.ifindex = link?.ifindex;
    t.ok(link?.flags.includes('UP'), 'shim is up');
    t.strictSame(await readAddresses(container, SHIM), [FIRST_ADDRESS]);
    t.ok(
      (await readRoutes(container, SHIM)).includes(ROUTE),
      `route ${ROUTE} via the shim`,
    );

    const unit = await showUnit(container, UNIT, [
      'ActiveState', 'SubState', 'MainPID',
    ]);
    t.equal(unit.ActiveState, 'active');
    t.equal(unit.SubState, 'running');
    state.mainPid = unit.MainPID;
  });

  await t.test('status shows the STATUS line', async (t) => {
    const unit = await showUnit(container, UNIT, ['StatusText']);
    t.match(unit.StatusText, /1\/1/, 'StatusText counts the shim');

    const status = await runInContainer(container, [
      'systemctl', 'status', '--no-pager', '--lines=0', UNIT,
    ]);
    t.equal(status.code, 0, 'systemctl status exit code for an active unit');
    t.match(status.stdout, /^\s*Status: ".*1\/1.*"$/m, 'Status: line shown');
  });

  await t.test('status command matches the kernel', async (t) => {
    const result = await runInContainer(container, [
      'node', `${INSTALL_DIR}/dist/cli.js`, 'status',
      '--config', CONFIG_PATH, '--json',
    ]);
    t.equal(result.code, 0, `status exits 0 when all match: ${result.stderr}`);
    t.doesNotThrow(() => JSON.parse(result.stdout), 'status --json is JSON');
    t.match(result.stdout, SHIM, 'status --json names the shim');
  });

  await t.test('journal priorities from the daemon', async (t) => {
    const all = await readJournal(container, UNIT);
    const fromDaemon = all.filter((entry) => entry._SYSTEMD_UNIT === UNIT);
    t.ok(fromDaemon.length > 0, 'the daemon wrote to the journal');

    for (const entry of fromDaemon) {
      const text = messageText(entry);
      t.notMatch(text, /^\s*[{<]/, `plain text, prefix consumed: ${text}`);
    }
    const infoCursors = fromDaemon
      .filter((entry) => entry.PRIORITY === '6')
      .map((entry) => entry.__CURSOR);
    t.ok(infoCursors.length > 0, 'info lines carry PRIORITY=6');

    const warnings = await readJournal(container, UNIT, { priority: 'warning' });
    for (const entry of warnings) {
      t.ok(Number(entry.PRIORITY) <= 4, `warning or worse: ${messageText(entry)}`);
      t.notOk(infoCursors.includes(entry.__CURSOR), 'no info line in -p warning');
    }
  });

  await t.test('reload applies an edited YAML', async (t) => {
    await writeContainerFile(container, CONFIG_PATH, configYaml(SECOND_ADDRESS));
    const result = await runInContainer(container, ['systemctl', 'reload', UNIT]);
    t.equal(result.code, 0, `systemctl reload: ${result.stderr}`);

    // ExecReload= only sends SIGHUP, so under Type=notify the reload job can
    // finish before the daemon has applied the file.
    const addresses = await waitFor(
      () => readAddresses(container, SHIM),
      (list) => list.length === 1 && list[0] === SECOND_ADDRESS,
    );
    t.strictSame(addresses, [SECOND_ADDRESS], 'new address only');

    const link = await readLink(container, SHIM);
    t.equal(link?.ifindex, state.ifindex, 'shim kept its ifindex');
    const unit = await showUnit(container, UNIT, ['ActiveState', 'MainPID']);
    t.equal(unit.ActiveState, 'active');
    t.equal(unit.MainPID, state.mainPid, 'same process after reload');
  });

  await t.test('reload of a broken YAML keeps state', async (t) => {
    const before = await lastCursor(container);
    await writeContainerFile(container, CONFIG_PATH, BROKEN_YAML);
    const result = await runInContainer(container, ['systemctl', 'reload', UNIT]);
    t.equal(result.code, 0, `systemctl reload: ${result.stderr}`);

    const errors = await waitFor(
      () => readJournal(container, UNIT, { priority: 'err', afterCursor: before }),
      (entries) => entries.some((entry) => entry._SYSTEMD_UNIT === UNIT),
    );
    const daemonErrors = errors.filter((entry) => entry._SYSTEMD_UNIT === UNIT);
    t.ok(daemonErrors.length > 0, 'the daemon logged an error');
    const warnings = await readJournal(container, UNIT, {
      priority: 'warning',
      afterCursor: before,
    });
    t.ok(
      warnings.some((entry) => entry.__CURSOR === daemonErrors[0]?.__CURSOR),
      `-p warning shows it: ${daemonErrors.map(messageText).join(' | ')}`,
    );

    const unit = await showUnit(container, UNIT, ['ActiveState', 'MainPID']);
    t.equal(unit.ActiveState, 'active', 'still active');
    t.equal(unit.MainPID, state.mainPid, 'same process');
    t.strictSame(await readAddresses(container, SHIM), [SECOND_ADDRESS]);

    // A valid file again, so the watchdog restart below can pass
    // ExecStartPre= (check).
    await writeContainerFile(container, CONFIG_PATH, configYaml(SECOND_ADDRESS));
    await mustRunInContainer(container, ['systemctl', 'reload', UNIT]);
  });

  await t.test('watchdog restarts a stopped daemon', async (t) => {
    const before = await showUnit(container, UNIT, ['MainPID', 'NRestarts']);
    t.equal(before.NRestarts, '0', 'no restart so far: WATCHDOG=1 kept coming');

    // `kill -STOP 0` would stop every process in the caller's group.
    t.match(before.MainPID, /^[1-9][0-9]*$/, 'a main process to stop');
    if (!/^[1-9][0-9]*$/.test(before.MainPID)) return;
    await mustRunInContainer(container, ['kill', '-STOP', before.MainPID]);
    const started = Date.now();
    // Watchdog timeout, SIGABRT (systemd follows it with SIGCONT),
    // RestartSec=2s, then a new start up to READY.
    const after = await waitFor(
      () =>
        showUnit(container, UNIT, [
          'MainPID', 'ActiveState', 'SubState', 'NRestarts',
        ]),
      (unit) =>
        unit.MainPID !== before.MainPID &&
        unit.MainPID !== '0' &&
        unit.SubState === 'running',
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    t.comment(`restarted after ${Date.now() - started} ms`);

    t.not(after.MainPID, before.MainPID, 'new MainPID');
    t.equal(after.ActiveState, 'active');
    t.equal(after.NRestarts, '1', 'one automatic restart');

    const journal = await readJournal(container, UNIT);
    t.ok(
      journal.some((entry) => /Watchdog timeout/.test(messageText(entry))),
      'systemd logged the watchdog timeout',
    );
    const link = await readLink(container, SHIM);
    t.equal(link?.ifindex, state.ifindex, 'restarted daemon kept the shim');
    t.strictSame(await readAddresses(container, SHIM), [SECOND_ADDRESS]);
  });

  await t.test('stop is clean and keeps the shim', async (t) => {
    const before = await lastCursor(container);
    const started = Date.now();
    const result = await runInContainer(container, ['systemctl', 'stop', UNIT]);
    const elapsedMs = Date.now() - started;
    t.equal(result.code, 0, `systemctl stop: ${result.stderr}`);
    t.ok(elapsedMs < 5_000, `stop took ${elapsedMs} ms, under 5 s`);

    const unit = await showUnit(container, UNIT, ['ActiveState', 'Result']);
    t.equal(unit.ActiveState, 'inactive');
    t.equal(unit.Result, 'success', 'no timeout, no SIGKILL');

    const journal = await readJournal(container, UNIT, { afterCursor: before });
    const text = journal.map(messageText).join('\n');
    t.notMatch(text, /timed out|SIGKILL/, 'no stop timeout in the journal');

    const link = await readLink(container, SHIM);
    t.equal(link?.ifindex, state.ifindex, 'shim still there after stop');
    t.strictSame(await readAddresses(container, SHIM), [SECOND_ADDRESS]);
  });

  await t.test('start fails on an invalid YAML', async (t) => {
    const property = 'ExecMainStartTimestampMonotonic';
    const before = await showUnit(container, UNIT, [property]);
    await writeContainerFile(container, CONFIG_PATH, BROKEN_YAML);
    const result = await runInContainer(container, ['systemctl', 'start', UNIT]);
    t.not(result.code, 0, 'ExecStartPre= (check) rejects the file');

    const after = await showUnit(container, UNIT, ['ActiveState', property]);
    t.not(after.ActiveState, 'active');
    t.equal(after[property], before[property], 'run was never started');
    // Restart=on-failure would retry every RestartSec= otherwise.
    await runInContainer(container, ['systemctl', 'stop', UNIT]);
  });

  if (!t.passing()) await printJournal(t, container);
}
