'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { killTracked } = require('./proc');
const { deleteAllNamespacesSync } = require('./topology');

/**
 * Run-wide settings, the scratch folder and the cleanup that removes every
 * process, namespace and file the run made, on success, on error and on
 * SIGINT/SIGTERM. Mounts made for networkd live in the private mount
 * namespace of its `ip netns exec` and vanish with its process.
 */
class BenchContext {
  constructor(options) {
    this.options = options;
    this.workFolder = fs.mkdtempSync(path.join(os.tmpdir(), `mbn-${process.pid}-`));
    this.cleanedUp = false;
    this.installSignalHandlers();
  }

  /** Returns a path inside the scratch folder. */
  file(...parts) {
    return path.join(this.workFolder, ...parts);
  }

  log(message) {
    const seconds = (process.uptime()).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${seconds}s] ${message}\n`);
  }

  installSignalHandlers() {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => {
        this.log(`${signal} received; cleaning up`);
        this.cleanupSync();
        process.exit(130);
      });
    }
    process.on('exit', () => this.cleanupSync());
  }

  /** Kills what is still running, deletes namespaces and the scratch folder. */
  cleanupSync() {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    killTracked();
    deleteAllNamespacesSync();
    if (this.options.keepFiles) {
      process.stderr.write(`[bench] scratch files kept in ${this.workFolder}\n`);
      return;
    }
    fs.rmSync(this.workFolder, { recursive: true, force: true });
  }
}

module.exports = { BenchContext };
