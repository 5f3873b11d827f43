'use strict';

// Benchmarks of macvlan-shim against systemd-networkd and `ip -batch`:
// recovery, start-up, scale, idle, storm and reload. Runs as root, only inside
// network namespaces it creates (mbn-<PID>-…), and removes them, their
// processes and its scratch files on exit, on error and on Ctrl-C.

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { BenchContext } = require('./lib/context');
const { NotifySocket } = require('./lib/notify');
const { deleteStaleNamespaces } = require('./lib/topology');
const { describeEnvironment } = require('./lib/environment');
const { daemonBuilt, PROJECT_ROOT, CLI } = require('./lib/daemon');
const { NETWORKD } = require('./lib/networkd');
const { judgeTargets } = require('./lib/targets');
const { renderReport, renderSummary } = require('./lib/report');
const { runRecovery } = require('./scenarios/recovery');
const { runStartup } = require('./scenarios/startup');
const { runScale } = require('./scenarios/scale');
const { runIdle } = require('./scenarios/idle');
const { runStorm } = require('./scenarios/storm');
const { runReload } = require('./scenarios/reload');

const SCENARIOS = ['recovery', 'startup', 'scale', 'idle', 'storm', 'reload'];
const DAEMON_SCENARIOS = new Set(['startup', 'storm', 'reload']);

const HELP = `Usage: node bench/run.js [options]   (as root; npm run bench builds first)

  --quick            fewer cycles and shorter windows, for development
  --only LIST        comma-separated scenarios: ${SCENARIOS.join(',')}
  --no-daemon        measure only networkd and ip -batch (no dist/cli.js needed)
  --out FILE         report path (default docs/benchmarks.md; "-" writes none)
  --raw FILE         also write every sample as JSON to FILE
  --cpu-prof DIR     run each daemon with node --cpu-prof, profiles into DIR
  --keep-files       keep the scratch folder (configs, logs) after the run
  --from-raw FILE    write the report from a --raw FILE of an earlier run;
                     measures nothing
  --help             print this text`;

/** Counts and durations of a full run and of a --quick one. */
const PLANS = {
  full: {
    recoveryCycles: 200,
    startup: { bare: 20, one: 20, many: 10 },
    scaleSizes: [1, 16, 64, 256],
    scaleRepetitions: (size) => ({ 1: 20, 16: 10, 64: 5, 256: 5 })[size],
    idleSeconds: 60,
    stormMs: 10_000,
    reload: { info: 20, debug: 5 },
  },
  quick: {
    recoveryCycles: 20,
    startup: { bare: 5, one: 3, many: 2 },
    scaleSizes: [1, 16, 64, 256],
    scaleRepetitions: () => 1,
    idleSeconds: 10,
    stormMs: 3000,
    reload: { info: 3, debug: 1 },
  },
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-daemon': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(PROJECT_ROOT, 'docs', 'benchmarks.md') },
      raw: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'keep-files': { type: 'boolean', default: false },
      'from-raw': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const only = values.only ? values.only.split(',') : SCENARIOS;
  const unknown = only.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario(s) in --only: ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  }
  return {
    help: values.help,
    quick: values.quick,
    scenarios: only,
    withDaemon: !values['no-daemon'],
    out: values.out,
    raw: values.raw,
    cpuProfileFolder: values['cpu-prof'] && path.resolve(values['cpu-prof']),
    keepFiles: values['keep-files'],
    fromRaw: values['from-raw'],
  };
}

function checkPrerequisites(options) {
  if (process.getuid() !== 0) {
    throw new Error('the benchmarks create network namespaces and need root; run them as root');
  }
  if (!fs.existsSync(NETWORKD)) {
    throw new Error(`${NETWORKD} not found; run bench/setup.sh to install systemd`);
  }
  if (options.withDaemon && !daemonBuilt()) {
    throw new Error(`${CLI} not found; run npm run build first, or pass --no-daemon`);
  }
}

/** Runs one scenario; a failure is recorded in its result and the run goes on. */
async function runScenario(ctx, name, fn) {
  ctx.log(`${name}: starting`);
  const startedAt = Date.now();
  try {
    const result = await fn();
    ctx.log(`${name}: finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    ctx.log(`${name}: FAILED: ${error.stack ?? error}`);
    return { error: error.message };
  }
}

function scenarioRunners(ctx, plan, notify) {
  const withDaemon = ctx.options.withDaemon;
  return {
    recovery: () => runRecovery(ctx, { cycles: plan.recoveryCycles, withDaemon }),
    startup: () => runStartup(ctx, { repetitions: plan.startup, notify }),
    scale: () => runScale(ctx, { sizes: plan.scaleSizes, repetitions: plan.scaleRepetitions, withDaemon, notify }),
    idle: () => runIdle(ctx, { seconds: plan.idleSeconds, withDaemon }),
    storm: () => runStorm(ctx, { durationMs: plan.stormMs }),
    reload: () => runReload(ctx, { repetitions: plan.reload.info, debugRepetitions: plan.reload.debug, notify }),
  };
}

async function main() {
  const options = parseOptions();
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (options.fromRaw) {
    const results = JSON.parse(fs.readFileSync(options.fromRaw, 'utf8'));
    writeOutputs({ log: (message) => process.stderr.write(`[bench] ${message}\n`) }, { ...options, raw: undefined }, results);
    return;
  }
  checkPrerequisites(options);

  const stale = await deleteStaleNamespaces();
  const ctx = new BenchContext(options);
  if (stale.length > 0) ctx.log(`deleted namespaces left by an interrupted run: ${stale.join(', ')}`);
  ctx.daemonOptions = (label) =>
    options.cpuProfileFolder ? { cpuProfileFolder: path.join(options.cpuProfileFolder, label) } : {};

  const mode = options.quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const results = { env: await describeEnvironment(mode) };
  const notify = new NotifySocket(ctx.file('notify.sock'));
  try {
    await notify.start();
    const runners = scenarioRunners(ctx, plan, notify);
    for (const name of options.scenarios) {
      if (!options.withDaemon && DAEMON_SCENARIOS.has(name)) {
        results[name] = { error: 'skipped: --no-daemon' };
        continue;
      }
      results[name] = await runScenario(ctx, name, runners[name]);
    }
  } finally {
    await notify.stop();
  }
  results.env.runtimeSeconds = Math.round(process.uptime());
  writeOutputs(ctx, options, results);
}

function writeOutputs(ctx, options, results) {
  const verdicts = judgeTargets(results);
  const findingsFile = path.join(__dirname, 'findings.md');
  const findings = fs.existsSync(findingsFile) ? fs.readFileSync(findingsFile, 'utf8') : undefined;

  if (options.out !== '-') {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, renderReport(results, verdicts, findings));
    ctx.log(`report written to ${options.out}`);
  }
  if (options.raw) {
    const replacer = (_key, value) => (typeof value === 'bigint' ? value.toString() : value);
    fs.writeFileSync(options.raw, JSON.stringify(results, replacer, 2));
    ctx.log(`raw samples written to ${options.raw}`);
  }
  if (options.cpuProfileFolder) ctx.log(`CPU profiles in ${options.cpuProfileFolder}`);
  process.stdout.write(`\n${renderSummary(verdicts)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.exitCode = 1;
});
