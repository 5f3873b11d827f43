'use strict';

const { ms, marginal, stormRssTrend, DAEMON, NETWORKD, IDLE_CPU_LIMIT_MS, IDLE_WAKEUPS_PER_SECOND_LIMIT, STORM_RSS_GROWTH_LIMIT, LINEARITY_LIMIT } = require('./targets');

const MILESTONE_NAMES = {
  created: 'shim link created',
  link: 'link up (IFF_UP + carrier)',
  addresses: 'all addresses',
  full: 'full (link up + addresses + routes)',
};

function table(header, rows) {
  const cell = (value) => String(value).replace(/\|/g, '\\|');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${(a / b).toFixed(2)}×`;
}

function mb(kb) {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : 'n/a';
}

function statCells(summary) {
  return [summary.n, ms(summary.median), ms(summary.p90), ms(summary.p99), ms(summary.max)];
}

/** Returns the text that replaces a section's figures, or undefined if it has figures. */
function failed(section) {
  if (!section) return '**Not measured:** not selected in this run (`--only`).\n';
  return section.error ? `**Not measured:** ${section.error}\n` : undefined;
}

function machineSection(env) {
  return [
    '## Machine and versions',
    '',
    table(['', ''], [
      ['CPU', `${env.cpuModel}, ${env.cores} cores`],
      ['Memory', `${env.memoryGb} GiB`],
      ['Kernel', env.kernel],
      ['Node.js', env.node],
      ['systemd-networkd', env.networkd],
      ['iproute2', env.iproute],
      ['macvlan-shim', env.commit],
      ['Run', `${env.mode}, ${env.date}, ${env.runtimeSeconds} s in total`],
    ]),
  ].join('\n');
}

function targetsSection(verdicts) {
  return [
    '## Targets',
    '',
    table(['Target', 'Verdict', 'Measured'], verdicts.map((v) => [v.name, `**${v.verdict}**`, v.detail])),
  ].join('\n');
}

function recoverySection(recovery) {
  const head = [
    '## 1. Recovery after the parent is recreated',
    '',
    `Method: macvlan-shim and systemd-networkd each keep one shim (\`mbn-shim\`, bridge mode, address 192.168.124.190/32, route 192.168.124.160/27) on a veth parent \`mbn-nic0\`, in two neighbouring namespaces, both running for the whole measurement. Each of ${recovery?.cycles ?? 'the'} cycles deletes the parent (the kernel deletes the shim with it), waits until the namespace has been quiet for ${recovery?.quietAfterDeleteMs ?? 30} ms, and recreates the parent with one \`ip -batch\` (veth pair, then parent up). The cycles alternate between the two tools and swap the order every cycle. An independent listener process runs in each namespace (\`bench/listener.py\`, plain AF_NETLINK sockets, no code shared with the daemon). It stamps every rtnetlink message with \`time.monotonic_ns()\` right after it reads it, which is CLOCK_MONOTONIC, the clock of Node's \`process.hrtime.bigint()\`. Each milestone is timed from the parent's first RTM_NEWLINK to the first message after which the milestone holds. The address is a /32 so that the route is a separate request rather than the kernel's prefix route. networkd runs standalone with \`LLDP=no\` and \`IPv6AcceptRA=no\`, features macvlan-shim does not have; with LLDP on, its AF_PACKET bind per link added 6–12 ms per link here.`,
    '',
  ];
  const error = failed(recovery);
  if (error) return [...head, error].join('\n');

  const rows = [];
  for (const milestone of Object.keys(MILESTONE_NAMES)) {
    const daemon = recovery.tools[DAEMON]?.milestones[milestone];
    const networkd = recovery.tools[NETWORKD]?.milestones[milestone];
    const tools = [[DAEMON, daemon], [NETWORKD, networkd]].filter(([, summary]) => summary);
    tools.forEach(([tool, summary], i) => {
      rows.push([i === 0 ? MILESTONE_NAMES[milestone] : '', tool, ...statCells(summary)]);
    });
    if (daemon && networkd) {
      rows.push(['', '*ratio shim / networkd*', '', ratio(daemon.median, networkd.median), ratio(daemon.p90, networkd.p90), ratio(daemon.p99, networkd.p99), ratio(daemon.max, networkd.max)]);
    }
  }
  const failures = Object.entries(recovery.tools)
    .map(([tool, data]) => `${tool}: ${data.failures.length} of ${recovery.cycles} cycles did not recover within 5 s; listener overflows ${data.overflows}`)
    .join('. ');
  return [...head, table(['Milestone', 'Tool', 'n', 'median', 'p90', 'p99', 'max'], rows), '', `${failures}.`].join('\n');
}

function startupSection(startup) {
  const head = [
    '## 2. Start-up',
    '',
    'Method: the driver takes `process.hrtime.bigint()` just before it spawns `ip netns exec NS node dist/cli.js run --config FILE` with `NOTIFY_SOCKET` set to a unix datagram socket served by `bench/notify-listener.py`, which stamps each datagram with `time.monotonic_ns()` (the same CLOCK_MONOTONIC). Start-up is the time to the first `READY=1`. Cold: the parent was recreated first, so no shim exists. Warm: the shims are still in place from the start before. The baseline is exec to exit of `node -e 0`, spawned the same way.',
    '',
  ];
  const error = failed(startup);
  if (error) return [...head, error].join('\n');

  const base = startup.bareNode.median;
  const label = { bareNode: '`node -e 0` (exec → exit)', cold1: '1 shim, cold', warm1: '1 shim, warm', cold64: '64 shims, cold', warm64: '64 shims, warm' };
  const rows = Object.entries(label)
    .filter(([key]) => startup[key])
    .map(([key, name]) => [name, ...statCells(startup[key]), key === 'bareNode' ? '1.00×' : ratio(startup[key].median, base)]);
  return [...head, table(['Case', 'n', 'median', 'p90', 'p99', 'max', 'median / node -e 0'], rows)].join('\n');
}

function scaleSection(scale) {
  const head = [
    '## 3. Scale: cold apply',
    '',
    'Method: N shims on one parent, each with one /32 address and one /24 route. `ip -batch` gets the same state as one file: parent promiscuous, then per shim `link add … type macvlan mode bridge`, `link set … up`, `address add`, `route add` (macvlan-shim also writes an ownership alias per shim, one request more). Both start through `ip netns exec`, from no shim present (parent recreated before every run), alternating which tool goes first. *exec → all* runs from the spawn to the listener message after which every shim is fully in place; *apply* runs from the first shim\'s RTM_NEWLINK to the same message, which leaves out process start-up and the initial dump. Per shim = median / N.',
    '',
  ];
  const error = failed(scale);
  if (error) return [...head, error].join('\n');

  const rows = [];
  for (const size of scale.sizes) {
    const result = scale.results[size];
    if (!result) continue;
    for (const tool of ['ip', 'daemon']) {
      const data = result[tool];
      if (!data) continue;
      const name = tool === 'ip' ? '`ip -batch`' : DAEMON;
      rows.push([size, name, ...statCells(data.execToFullMs), ms(data.execToFullMs.median / size), ms(data.applyMs.median), ms(data.applyMs.median / size)]);
    }
    if (result.ip && result.daemon) {
      rows.push(['', '*ratio shim / ip*', '', ratio(result.daemon.execToFullMs.median, result.ip.execToFullMs.median), '', '', '', '', ratio(result.daemon.applyMs.median, result.ip.applyMs.median), '']);
    }
  }
  const lines = [...head, table(['N', 'Tool', 'n', 'exec → all, median', 'p90', 'p99', 'max', 'per shim', 'apply, median', 'apply per shim'], rows)];
  if (scale.results[16]?.daemon && scale.results[256]?.daemon) {
    const early = marginal(scale.results, 16, 64, 'daemon');
    const late = marginal(scale.results, 64, 256, 'daemon');
    const ipEarly = marginal(scale.results, 16, 64, 'ip');
    const ipLate = marginal(scale.results, 64, 256, 'ip');
    lines.push('', `Linearity: each shim added from 16 to 64 cost macvlan-shim ${ms(early)} and from 64 to 256 ${ms(late)} (ratio ${(late / early).toFixed(2)}; counted linear up to ${LINEARITY_LIMIT}). For \`ip -batch\`: ${ms(ipEarly)} and ${ms(ipLate)}.`);
  }
  return lines.join('\n');
}

function idleSection(idle) {
  const head = [
    '## 4. Idle',
    '',
    `Method: each tool keeps 16 converged shims in its own namespace. The quiet window starts ${idle?.settleSeconds ?? 15} s after both have converged, so that IPv6 duplicate address detection and V8's garbage collection after start-up are over; the settling time is reported on its own line. The bench reads CPU time (utime + stime of /proc/PID/stat, 10 ms resolution) and context switches (voluntary + nonvoluntary, summed over every thread in /proc/PID/task). It reads them at the start and the end of the same window for both tools, and every 10 s in between. Each context switch is counted as a wake-up. RSS is VmRSS at the end. Rule for "effectively zero": at most ${IDLE_CPU_LIMIT_MS} ms CPU and at most ${IDLE_WAKEUPS_PER_SECOND_LIMIT} wake-ups per second in the window.`,
    '',
  ];
  const error = failed(idle);
  if (error) return [...head, error].join('\n');

  const rows = [];
  for (const [tool, d] of Object.entries(idle.tools)) {
    rows.push([tool, `quiet window, ${d.seconds.toFixed(1)} s`, ms(d.cpuMs), d.wakeups, d.wakeupsPerSecond.toFixed(2), d.mainThreadWakeups, d.threads, mb(d.rssKb), d.kernelEvents]);
    const settling = d.settling;
    rows.push(['', `settling before it, ${settling.seconds.toFixed(1)} s`, ms(settling.cpuMs), settling.wakeups, settling.wakeupsPerSecond.toFixed(2), settling.mainThreadWakeups, '', '', '']);
  }
  const lines = [...head, table(['Tool', 'Interval', 'CPU', 'Wake-ups', 'per s', 'main thread', 'threads', 'RSS', 'kernel events'], rows)];
  for (const [tool, d] of Object.entries(idle.tools)) {
    const slices = d.slices.map((slice) => `${ms(slice.cpuMs)}/${slice.wakeups}`).join(', ');
    lines.push('', `${tool}, CPU/wake-ups per 10 s of the window: ${slices}.`);
  }
  const { [DAEMON]: daemon, [NETWORKD]: networkd } = idle.tools;
  if (daemon && networkd) {
    lines.push('', `Ratio macvlan-shim / networkd: RSS ${ratio(daemon.rssKb, networkd.rssKb)}, CPU ${ratio(daemon.cpuMs, networkd.cpuMs)}, wake-ups ${ratio(daemon.wakeups, networkd.wakeups)}.`);
  }
  return lines.join('\n');
}

function stormSection(storm) {
  const head = [
    '## 5. Storm',
    '',
    'Method: macvlan-shim keeps one shim; one `ip -batch -` process reads `link set mbn-nic0 down` / `up` pairs as fast as it can for the whole storm, ending on `up`. The daemon\'s CPU time and memory are sampled every 10 ms from /proc. *Correct* means parent promiscuous, shim up with carrier, address and route present, as seen by the listener. Here the listener joins only the link and IPv4 groups so that it takes less CPU. The time runs from the last parent RTM_NEWLINK the listener saw, and a final dump confirms the state. *Settled* is when the daemon\'s CPU time stopped growing (500 ms without a new tick). Overflows are the daemon\'s log lines about ENOBUFS.',
    '',
  ];
  const error = failed(storm);
  if (error) return [...head, error].join('\n');

  const trend = stormRssTrend(storm);
  const rows = [
    ...(storm.daemonCrash ? [['**Daemon crash**', `${storm.daemonCrash}; last log lines: ${storm.daemonLogTail}`]] : []),
    ['Storm length', `${(storm.durationMs / 1000).toFixed(0)} s, ${storm.togglePairs} down/up pairs`],
    ['Daemon CPU during the storm', `${ms(storm.cpuDuringStormMs)} (${((storm.cpuDuringStormMs / storm.durationMs) * 100).toFixed(0)} % of one core)`],
    ['Daemon CPU until settled', ms(storm.cpuTotalMs)],
    ['RSS before / peak / after', `${mb(storm.rssBeforeKb)} / ${mb(storm.rssPeakKb)} / ${mb(storm.rssAfterKb)}`],
    ['VmHWM before / after', `${mb(storm.hwmBeforeKb)} / ${mb(storm.hwmAfterKb)}`],
    ['RSS growth from 1 s to the end of the storm', trend ? `${(trend.growth * 100).toFixed(1)} % (flat up to ${STORM_RSS_GROWTH_LIMIT * 100} %)` : 'n/a'],
    ['Daemon ENOBUFS overflows logged', storm.daemonOverflows],
    ['Listener overflows', storm.listenerOverflows],
    ['Last parent event → correct state', ms(storm.correctAfterLastEventMs)],
    ['ip exit → daemon settled', ms(storm.daemonSettledAfterIpExitMs)],
    ['Correct in the final dump', storm.correctAtEnd ? 'yes' : '**no**'],
  ];
  const rss = storm.rssSamples.map((s) => `${s.seconds} s: ${mb(s.rssKb)}`).join(', ');
  return [...head, table(['Figure', 'Value'], rows), '', `RSS by second: ${rss}.`].join('\n');
}

function reloadSection(reload) {
  const head = [
    '## 6. Reload with an unchanged file',
    '',
    `Method: a daemon keeping 16 converged shims gets SIGHUP with its config file unchanged. Time runs from \`kill\` to \`RELOADING=1\` and to the \`READY=1\` after it on the notify socket. Netlink writes are counted as the kernel change events (RTM_NEW*/RTM_DEL*) the listener saw from the signal until 200 ms after \`READY=1\`. A write that changes nothing, such as setting a link up that is already up, sends no event. So a second daemon logs at debug level, and its \`plan\` lines are counted too.`,
    '',
  ];
  const error = failed(reload);
  if (error) return [...head, error].join('\n');

  const rows = Object.entries(reload).map(([level, d]) => [level, d.reloads, ms(d.toReloadingMs.median), ...statCells(d.toReadyMs).slice(1), d.eventsTotal, level === 'debug' ? d.plannedActionsTotal : 'not logged']);
  const lines = [...head, table(['Log level', 'Reloads', 'to RELOADING=1, median', 'to READY=1, median', 'p90', 'p99', 'max', 'kernel events', 'planned actions'], rows)];
  for (const [level, d] of Object.entries(reload)) {
    const types = Object.entries(d.eventsByType ?? {}).map(([type, count]) => `${type} ${count}`);
    if (types.length > 0) lines.push('', `Events at log level ${level}: ${types.join(', ')}.`);
  }
  return lines.join('\n');
}

function notesSection(findings) {
  const lines = [
    '## Limits of the method',
    '',
    '- Listener times are when the listener process reads each message, so its own scheduling delay is in every figure, the same way for both tools. The driver, the listener, the tool under test and `ip` share the 2 cores.',
    '- CPU times come in 10 ms clock ticks; wake-ups count every context switch, including preemptions.',
    '- The machines are shared virtual machines: absolute times move between runs, ratios taken in the same run much less.',
  ];
  if (findings) lines.push('', findings.trim());
  return lines.join('\n');
}

/** Renders the whole docs/benchmarks.md text. */
function renderReport(results, verdicts, findings) {
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (see `bench/`); every figure below comes from the run described under "Machine and versions". Benchmarks are not tests: the test suite has no timed assertions.',
    '',
    machineSection(results.env),
    '',
    targetsSection(verdicts),
    '',
    recoverySection(results.recovery),
    '',
    startupSection(results.startup),
    '',
    scaleSection(results.scale),
    '',
    idleSection(results.idle),
    '',
    stormSection(results.storm),
    '',
    reloadSection(results.reload),
    '',
    notesSection(findings),
    '',
  ].join('\n');
}

/** Renders the short summary printed at the end of a run. */
function renderSummary(verdicts) {
  const width = Math.max(...verdicts.map((v) => v.name.length));
  return verdicts.map((v) => `${v.name.padEnd(width)}  ${v.verdict.padEnd(12)}  ${v.detail}`).join('\n');
}

module.exports = { renderReport, renderSummary };
