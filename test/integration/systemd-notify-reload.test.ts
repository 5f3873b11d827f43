// The notify-reload.conf drop-in under systemd 254 from bookworm-backports:
// Type=notify-reload makes `systemctl reload` wait for the daemon's
// RELOADING=1 (with MONOTONIC_USEC=) and READY=1, so the new config must be
// in force the moment the command returns, with no polling.
//
// Same needs as systemd.test.ts; its own cached root, built on first use in
// about a minute.
import {
  messageText,
  readJournal,
  runInContainer,
  showUnit,
  writeContainerFile,
} from './helpers/nspawn';
import {
  BACKPORTS_ROOT,
  BROKEN_YAML,
  CONFIG_PATH,
  FIRST_ADDRESS,
  SECOND_ADDRESS,
  SHIM,
  UNIT,
  configYaml,
  installService,
  lastCursor,
  packagedFile,
  printJournal,
  readAddresses,
  serviceTest,
  startContainer,
  waitFor,
} from './helpers/systemd-service';

serviceTest('notify-reload drop-in on systemd 254', async (t) => {
  const container = await startContainer(t, BACKPORTS_ROOT);
  const version = await runInContainer(container, ['systemctl', '--version']);
  t.match(version.stdout, /^systemd 25[3-9]|^systemd 2[6-9]\d/, 'systemd 253+');

  await installService(t, container, {
    'notify-reload.conf': packagedFile('notify-reload.conf'),
  });
  const start = await runInContainer(container, ['systemctl', 'start', UNIT]);
  t.equal(start.code, 0, `systemctl start: ${start.stderr}`);
  const unit = await showUnit(container, UNIT, ['Type', 'ExecReload']);
  t.equal(unit.Type, 'notify-reload');
  // systemctl show leaves out an empty ExecReload= altogether.
  t.notOk(unit.ExecReload, 'no ExecReload= left to send a second SIGHUP');
  t.strictSame(await readAddresses(container, SHIM), [FIRST_ADDRESS]);

  await t.test('reload returns with the new YAML applied', async (t) => {
    await writeContainerFile(container, CONFIG_PATH, configYaml(SECOND_ADDRESS));
    const result = await runInContainer(container, ['systemctl', 'reload', UNIT]);
    t.equal(result.code, 0, `systemctl reload: ${result.stderr}`);

    // Read at once: under Type=notify-reload the job waits for READY=1.
    t.strictSame(await readAddresses(container, SHIM), [SECOND_ADDRESS]);
  });

  await t.test('reload of a broken YAML keeps state', async (t) => {
    const before = await lastCursor(container);
    const { MainPID: mainPid } = await showUnit(container, UNIT, ['MainPID']);
    await writeContainerFile(container, CONFIG_PATH, BROKEN_YAML);
    const result = await runInContainer(container, ['systemctl', 'reload', UNIT]);
    t.equal(result.code, 0, `systemctl reload: ${result.stderr}`);

    // The daemon logs before READY=1, but journald reads its stdout stream
    // on its own schedule.
    const errors = await waitFor(
      () => readJournal(container, UNIT, { priority: 'err', afterCursor: before }),
      (entries) => entries.some((entry) => entry._SYSTEMD_UNIT === UNIT),
    );
    t.ok(
      errors.some((entry) => entry._SYSTEMD_UNIT === UNIT),
      `error from the daemon: ${errors.map(messageText).join(' | ')}`,
    );
    const after = await showUnit(container, UNIT, ['ActiveState', 'MainPID']);
    t.equal(after.ActiveState, 'active');
    t.equal(after.MainPID, mainPid, 'same process');
    t.strictSame(await readAddresses(container, SHIM), [SECOND_ADDRESS]);
  });

  const stop = await runInContainer(container, ['systemctl', 'stop', UNIT]);
  t.equal(stop.code, 0, `systemctl stop: ${stop.stderr}`);
  if (!t.passing()) await printJournal(t, container);
});
