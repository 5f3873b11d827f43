'use strict';

const path = require('node:path');
const readline = require('node:readline');
const { startTracked, stopTracked } = require('./proc');
const { NetState } = require('./net-state');

const LISTENER_SCRIPT = path.join(__dirname, '..', 'listener.py');

/**
 * Runs bench/listener.py inside a namespace and keeps a NetState of that
 * namespace from its records. Observers registered with onRecord() run after
 * each record is applied, with the record (its `t` as a bigint).
 */
class Watcher {
  /** groups: rtnetlink multicast groups to join; without it, every group bench/listener.py supports. */
  constructor(namespace, groups) {
    this.namespace = namespace;
    this.groups = groups;
    this.state = new NetState();
    this.observers = new Set();
    this.overflows = 0;
    this.lastRecord = undefined;
  }

  async start() {
    this.child = startTracked(
      'ip',
      ['netns', 'exec', this.namespace, 'python3', LISTENER_SCRIPT, ...(this.groups ? [this.groups.join(',')] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = readline.createInterface({ input: this.child.stdout });
    lines.on('line', (line) => this.handleLine(line));

    await this.waitFor((record) => record.type === 'READY', 10_000, 'listener start');
  }

  handleLine(line) {
    if (!line.trim()) return;
    const record = JSON.parse(line);
    record.t = BigInt(record.t);
    if (record.type === 'ENOBUFS') this.overflows += 1;

    this.state.apply(record);
    this.lastRecord = record;
    for (const observer of this.observers) observer(record);
  }

  /** Calls fn(record) after every record until the returned function is called. */
  onRecord(fn) {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /**
   * Resolves with the first record after which predicate(record, state) is
   * true. Rejects after timeoutMs with an error naming the description.
   */
  waitFor(predicate, timeoutMs, description) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description} in ${this.namespace}`));
      }, timeoutMs);
      const stop = this.onRecord((record) => {
        if (!predicate(record, this.state)) return;
        clearTimeout(timer);
        stop();
        resolve(record);
      });
    });
  }

  /** Waits until every shim is fully in place; resolves at once if it is. */
  async waitForFull(shims, timeoutMs) {
    if (this.state.allFull(shims)) return this.lastRecord;
    return this.waitFor(
      (_record, state) => state.allFull(shims),
      timeoutMs,
      `${shims.length} shim(s) fully in place`,
    );
  }

  /** Waits until no record has arrived for quietMs; returns the last record's time. */
  async waitForQuiet(quietMs, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last = Date.now();
    const stop = this.onRecord(() => (last = Date.now()));
    try {
      while (Date.now() - last < quietMs) {
        if (Date.now() > deadline) {
          throw new Error(`${this.namespace} did not go quiet for ${quietMs} ms within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(quietMs, 20)));
      }
    } finally {
      stop();
    }
    return this.lastRecord?.t;
  }

  /** Asks the listener for a fresh dump and waits until it is applied. */
  async resync(timeoutMs = 10_000) {
    const done = this.waitFor((record) => record.type === 'DUMP_END', timeoutMs, 'dump');
    this.child.kill('SIGUSR2');
    await done;
  }

  /**
   * Counts the change records (RTM_NEW* and RTM_DEL*, excluding dumps) seen
   * from now until stop() is called; stop() returns { total, byType }, with
   * address and route types split by IP version (NEWADDR/IPv6).
   */
  startCounting(filter = () => true) {
    const byType = {};
    let total = 0;
    const stop = this.onRecord((record) => {
      if (record.dump || !/^(NEW|DEL)/.test(record.type) || !filter(record)) return;
      const key = record.family ? `${record.type}/IPv${record.family}` : record.type;
      byType[key] = (byType[key] ?? 0) + 1;
      total += 1;
    });
    return () => {
      stop();
      return { total, byType };
    };
  }

  async stop() {
    if (this.child) await stopTracked(this.child);
  }
}

module.exports = { Watcher };
