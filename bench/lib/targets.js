'use strict';

/**
 * The targets the benchmarks are judged against and the rule applied to the
 * measured figures. Each verdict is MET or MISSED, or NOT MEASURED when the
 * scenario did not run or failed before it produced the figures.
 */

const DAEMON = 'macvlan-shim';
const NETWORKD = 'systemd-networkd';

/** CPU allowed while idle: one 100 Hz clock tick over the whole window. */
const IDLE_CPU_LIMIT_MS = 10;
/** Wake-ups allowed while idle: one per 10 s on average, so no timer polls. */
const IDLE_WAKEUPS_PER_SECOND_LIMIT = 0.1;
const IDLE_RSS_LIMIT_KB = 60 * 1024;
/** Growth of RSS from 1 s into the storm to its end that still counts as flat. */
const STORM_RSS_GROWTH_LIMIT = 0.1;
/** Marginal per-shim cost from 64 to 256 may exceed that from 16 to 64 by this factor. */
const LINEARITY_LIMIT = 1.5;

function notMeasured(name, reason) {
  return { name, verdict: 'NOT MEASURED', detail: reason };
}

function verdict(name, met, detail) {
  return { name, verdict: met ? 'MET' : 'MISSED', detail };
}

function ms(value) {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

function recoveryTargets(recovery) {
  const daemon = recovery?.tools?.[DAEMON]?.milestones?.full;
  const networkd = recovery?.tools?.[NETWORKD]?.milestones?.full;
  if (!daemon || !networkd || daemon.n === 0) {
    const reason = recovery?.error ?? 'no macvlan-shim samples';
    return [notMeasured('Recovery median ≤ ½ networkd', reason), notMeasured('Recovery p99 < 5 ms', reason)];
  }
  const limit = networkd.median / 2;
  const ratio = daemon.median / networkd.median;
  const failures = recovery.tools[DAEMON].failures.length;
  return [
    verdict(
      'Recovery median ≤ ½ networkd',
      daemon.median <= limit && failures === 0,
      `median ${ms(daemon.median)} vs limit ${ms(limit)} (networkd ${ms(networkd.median)}); ratio ${ratio.toFixed(2)}×` +
        (daemon.median > limit ? `, over by ${ms(daemon.median - limit)}` : '') +
        (failures ? `; ${failures} cycle(s) did not recover within 5 s` : ''),
    ),
    verdict(
      'Recovery p99 < 5 ms',
      daemon.p99 < 5,
      `p99 ${ms(daemon.p99)}` + (daemon.p99 >= 5 ? `, over by ${ms(daemon.p99 - 5)}` : ''),
    ),
  ];
}

function startupTargets(startup) {
  const cold = startup?.cold1;
  if (!cold || cold.n === 0) return [notMeasured('Start-up < 300 ms (1 shim)', startup?.error ?? 'not run')];
  return [
    verdict(
      'Start-up < 300 ms (1 shim)',
      cold.median < 300,
      `median ${ms(cold.median)} exec→READY=1, cold (max ${ms(cold.max)})` +
        (cold.median >= 300 ? `, over by ${ms(cold.median - 300)}` : ''),
    ),
  ];
}

/** Marginal cost per added shim between two sizes, from medians of exec→full. */
function marginal(results, from, to, tool) {
  const a = results[from]?.[tool]?.execToFullMs?.median;
  const b = results[to]?.[tool]?.execToFullMs?.median;
  return (b - a) / (to - from);
}

function scaleTargets(scale) {
  const at256 = scale?.results?.[256];
  if (!at256?.daemon || !at256?.ip) {
    const reason = scale?.error ?? '256 shims not measured for both tools';
    return [notMeasured('Scale ≤ 1.5× ip -batch at 256', reason), notMeasured('Scale grows linearly', reason)];
  }
  const daemon = at256.daemon.execToFullMs.median;
  const ip = at256.ip.execToFullMs.median;
  const ratio = daemon / ip;
  const early = marginal(scale.results, 16, 64, 'daemon');
  const late = marginal(scale.results, 64, 256, 'daemon');
  const growth = late / early;
  return [
    verdict(
      'Scale ≤ 1.5× ip -batch at 256',
      ratio <= 1.5,
      `exec→all in place: ${ms(daemon)} vs ip -batch ${ms(ip)}, ratio ${ratio.toFixed(2)}×` +
        (ratio > 1.5 ? `, over the limit by ${ms(daemon - 1.5 * ip)}` : ''),
    ),
    verdict(
      'Scale grows linearly',
      growth <= LINEARITY_LIMIT,
      `marginal cost per shim ${ms(early)} (16→64) and ${ms(late)} (64→256), ratio ${growth.toFixed(2)} (limit ${LINEARITY_LIMIT})`,
    ),
  ];
}

function idleTargets(idle) {
  const daemon = idle?.tools?.[DAEMON];
  if (!daemon) {
    const reason = idle?.error ?? (idle ? 'no macvlan-shim figures' : 'not run');
    return [notMeasured('Idle CPU effectively zero', reason), notMeasured('Idle RSS < 60 MB', reason)];
  }
  const wakeupRate = daemon.wakeupsPerSecond;
  return [
    verdict(
      'Idle CPU effectively zero',
      daemon.cpuMs <= IDLE_CPU_LIMIT_MS && wakeupRate <= IDLE_WAKEUPS_PER_SECOND_LIMIT,
      `${ms(daemon.cpuMs)} CPU and ${daemon.wakeups} wake-ups in ${daemon.seconds.toFixed(0)} s ` +
        `(rule: ≤ ${IDLE_CPU_LIMIT_MS} ms, ≤ ${IDLE_WAKEUPS_PER_SECOND_LIMIT} wake-up/s)`,
    ),
    verdict(
      'Idle RSS < 60 MB',
      daemon.rssKb < IDLE_RSS_LIMIT_KB,
      `RSS ${(daemon.rssKb / 1024).toFixed(1)} MB` +
        (daemon.rssKb >= IDLE_RSS_LIMIT_KB ? `, over by ${((daemon.rssKb - IDLE_RSS_LIMIT_KB) / 1024).toFixed(1)} MB` : ''),
    ),
  ];
}

/** RSS at 1 s into the storm and at its last whole second, in kB. */
function stormRssTrend(storm) {
  const inStorm = storm.rssSamples.filter((sample) => sample.seconds >= 1 && sample.seconds <= storm.durationMs / 1000);
  if (inStorm.length < 2) return undefined;
  const first = inStorm[0].rssKb;
  const last = inStorm[inStorm.length - 1].rssKb;
  return { first, last, growth: (last - first) / first };
}

function stormTargets(storm) {
  if (!storm || storm.error) {
    const reason = storm?.error ?? 'not run';
    return [notMeasured('Storm: correct ≤ 100 ms after last event', reason), notMeasured('Storm: memory flat', reason)];
  }
  const correctMs = storm.correctAfterLastEventMs;
  const trend = stormRssTrend(storm);
  const results = [
    verdict(
      'Storm: correct ≤ 100 ms after last event',
      !storm.daemonCrash && storm.correctAtEnd && correctMs <= 100,
      storm.daemonCrash
        ? `${storm.daemonCrash}, so nothing kept the shim. The final dump still showed it correct only because the kernel keeps a macvlan when its parent goes down.`
        : `${ms(correctMs)} from the last parent event to the correct state (listener); daemon CPU settled ${ms(storm.daemonSettledAfterIpExitMs)} after ip exited` +
            (storm.correctAtEnd ? '' : '; state NOT correct in the final dump'),
    ),
  ];
  if (!trend) {
    const reason = storm.daemonCrash ? 'the daemon exited before its memory was sampled twice' : 'fewer than two memory samples during the storm';
    results.push(notMeasured('Storm: memory flat', reason));
  } else {
    results.push(
      verdict(
        'Storm: memory flat',
        !storm.daemonCrash && trend.growth <= STORM_RSS_GROWTH_LIMIT,
        `RSS ${(trend.first / 1024).toFixed(1)} MB at 1 s, ${(trend.last / 1024).toFixed(1)} MB at the end ` +
          `(${(trend.growth * 100).toFixed(1)} %, rule ≤ ${STORM_RSS_GROWTH_LIMIT * 100} %); peak ${(storm.rssPeakKb / 1024).toFixed(1)} MB`,
      ),
    );
  }
  return results;
}

function reloadTargets(reload) {
  const info = reload?.info;
  if (!info) return [notMeasured('Reload: zero netlink writes', reload?.error ?? 'not run')];
  const debug = reload.debug;
  const events = info.eventsTotal + (debug?.eventsTotal ?? 0);
  const planned = debug?.plannedActionsTotal ?? 0;
  const reloads = info.reloads + (debug?.reloads ?? 0);
  return [
    verdict(
      'Reload: zero netlink writes',
      events === 0 && planned === 0,
      `${events} kernel change events and ${planned} planned actions over ${reloads} reloads`,
    ),
  ];
}

/** Judges every target against the results of one run. */
function judgeTargets(results) {
  return [
    ...recoveryTargets(results.recovery),
    ...startupTargets(results.startup),
    ...scaleTargets(results.scale),
    ...idleTargets(results.idle),
    ...stormTargets(results.storm),
    ...reloadTargets(results.reload),
  ];
}

module.exports = {
  judgeTargets,
  stormRssTrend,
  marginal,
  ms,
  DAEMON,
  NETWORKD,
  IDLE_CPU_LIMIT_MS,
  IDLE_WAKEUPS_PER_SECOND_LIMIT,
  STORM_RSS_GROWTH_LIMIT,
  LINEARITY_LIMIT,
};
