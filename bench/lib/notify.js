'use strict';

const path = require('node:path');
const readline = require('node:readline');
const { startTracked, stopTracked } = require('./proc');

const LISTENER_SCRIPT = path.join(__dirname, '..', 'notify-listener.py');

/**
 * A real sd_notify socket served by bench/notify-listener.py. Each received
 * datagram becomes { t (bigint, CLOCK_MONOTONIC ns), text, fields }.
 */
class NotifySocket {
  constructor(socketPath) {
    this.path = socketPath;
    this.messages = [];
    this.waiters = new Set();
  }

  async start() {
    this.child = startTracked('python3', [LISTENER_SCRIPT, this.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = readline.createInterface({ input: this.child.stdout });
    const ready = new Promise((resolve) => (this.onReady = resolve));
    lines.on('line', (line) => this.handleLine(line));

    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('notify listener did not start within 10 s')), 10_000).unref(),
    );
    await Promise.race([ready, timeout]);
  }

  handleLine(line) {
    const record = JSON.parse(line);
    if (record.type === 'ready') {
      this.onReady();
      return;
    }
    const message = { t: BigInt(record.t), text: record.text, fields: parseFields(record.text) };
    this.messages.push(message);
    for (const waiter of this.waiters) waiter(message);
  }

  /**
   * Resolves with the first message received at or after `since` (bigint ns)
   * that has the given field, for example 'READY'. Rejects after timeoutMs.
   */
  waitForField(field, since, timeoutMs) {
    const earlier = this.messages.find((m) => m.t >= since && field in m.fields);
    if (earlier) return Promise.resolve(earlier);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${field}= on ${this.path} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message) => {
        if (message.t < since || !(field in message.fields)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(message);
      };
      this.waiters.add(waiter);
    });
  }

  async stop() {
    if (this.child) await stopTracked(this.child);
  }
}

/** Parses "READY=1\nSTATUS=…" into { READY: '1', STATUS: '…' }. */
function parseFields(text) {
  const fields = {};
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) fields[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return fields;
}

module.exports = { NotifySocket };
