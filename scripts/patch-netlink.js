#!/usr/bin/env node
// Patches and rebuilds the native binding of the `netlink` package (0.3.0).
//
// Its poll handler builds an error with a NULL syscall name when libuv
// reports POLLERR. On a netlink socket POLLERR means a pending socket error,
// ENOBUFS after the receive queue overflowed, so every event burst larger
// than the receive buffer aborted the process. The patched handler reads and
// clears the error with SO_ERROR, reports ENOBUFS through the socket's
// 'error' event and keeps polling. Run by `npm install` as postinstall.
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const MARKER = 'macvlan-shim: survive ENOBUFS';

const ORIGINAL = `        if (status != 0) {
            auto error = ErrnoException(obj->Env(), -status, NULL, "error when polling socket");
            obj->error_callback.MakeCallback(obj->Value(), { error.Value() }, *obj->async_res);
            obj->DoClose();
            return;
        }`;

const PATCHED = `        if (status != 0) {
            // ${MARKER}. libuv reports POLLERR as UV_EBADF and stops the
            // watcher. SO_ERROR reads and clears the pending socket error.
            int pending = 0;
            socklen_t length = sizeof(pending);
            if (getsockopt(obj->fd, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 && pending == ENOBUFS) {
                auto overflow = ErrnoException(obj->Env(), ENOBUFS, "recvmsg", "Netlink receive queue overflowed");
                obj->error_callback.MakeCallback(obj->Value(), { overflow.Value() }, *obj->async_res);
                if (obj->open) {
                    int events = obj->write_queue.empty() ? UV_READABLE : (UV_READABLE | UV_WRITABLE);
                    if (uv_poll_start(handle, events, PollHandler) == 0) return;
                } else {
                    return;
                }
            }
            auto error = ErrnoException(obj->Env(), -status, "poll", "error when polling socket");
            obj->error_callback.MakeCallback(obj->Value(), { error.Value() }, *obj->async_res);
            obj->DoClose();
            return;
        }`;

function packageDirectory() {
  return dirname(require.resolve('netlink/package.json', { paths: [join(__dirname, '..')] }));
}

function patchSource(source) {
  if (source.includes(MARKER)) return source;
  if (!source.includes(ORIGINAL)) {
    throw new Error('netlink binding.cc does not contain the expected poll handler; is the version still 0.3.0?');
  }
  return source.replace(ORIGINAL, PATCHED);
}

/**
 * Finds node-gyp: npm sets npm_config_node_gyp during install scripts, and
 * outside them npm's own copy sits next to Node's global modules.
 */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  return found ? [process.execPath, found] : ['node-gyp'];
}

/**
 * Builds against the Node headers npm is configured with (`nodedir`), since
 * node-gyp would otherwise download them.
 */
function nodeDirOption() {
  let nodeDir = process.env.npm_config_nodedir;
  if (!nodeDir) {
    try {
      nodeDir = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).trim();
    } catch {
      nodeDir = undefined;
    }
  }
  return nodeDir && nodeDir !== 'undefined' ? [`--nodedir=${nodeDir}`] : [];
}

function main() {
  const directory = packageDirectory();
  const sourcePath = join(directory, 'src', 'binding.cc');
  const builtPath = join(directory, 'build', 'Release', 'netlink_binding.node');
  const source = readFileSync(sourcePath, 'utf8');
  const patched = patchSource(source);
  if (patched === source && existsSync(builtPath)) {
    process.stdout.write('patch-netlink: already patched and built\n');
    return;
  }
  writeFileSync(sourcePath, patched);
  const [command, ...prefix] = nodeGyp();
  execFileSync(command, [...prefix, 'rebuild', ...nodeDirOption()], { cwd: directory, stdio: 'inherit' });
  if (!existsSync(builtPath)) {
    throw new Error(`node-gyp finished but ${builtPath} is missing`);
  }
  process.stdout.write(`patch-netlink: rebuilt ${builtPath}\n`);
}

main();
