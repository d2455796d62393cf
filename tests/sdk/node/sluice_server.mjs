// A sluice server started for a test: its config and log in a directory the caller owns, the
// tracking port chosen by the server (port 0) and read back from its start-up line, TLS only
// ([server.tls]) with the given certificate, or the config text the caller gives (with
// `{ config }`, where "@LOG@" stands for the log directory). With an [admin] listener on port
// 0, adminPort is read back too. The caller stops it with stop(); kill() is for
// failure paths. storedEvents() reads the log with `sluice log cat`, which works whether or
// not the server runs.

import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export const WRITE_KEY = 'sdk_write_key';

// server/main.cpp: "sluice <version> listening on <host>:<port> (log ..., ...)"
const LISTENING = /sluice \S+ listening on (\S+):(\d+) \(/;
// admin/admin_server.cpp: "admin API listening on <host>:<port>"
const ADMIN_LISTENING = /admin API listening on (\S+):(\d+)/;

function configText({ logDir, certFile, keyFile }) {
  return `[server]
listen = "127.0.0.1:0"

[server.tls]
cert_file = "${certFile}"
key_file = "${keyFile}"
min_version = "1.2"

[storage]
path = "${logDir}"
durability = "fsync"

[[sources]]
name = "node"
write_keys = ["${WRITE_KEY}"]
`;
}

export class SluiceServer {
  constructor(binary, workDir, { certFile, keyFile, config }) {
    this.binary = binary;
    this.configFile = path.join(workDir, 'sluice.toml');
    const logDir = path.join(workDir, 'log');
    writeFileSync(this.configFile, config !== undefined
      ? config.replaceAll('@LOG@', logDir)
      : configText({ logDir, certFile, keyFile }));
    this.adminPort = null;
    this.output = []; // every line the server printed, for failure reports
    this.process = null;
    this.exited = null; // resolves with the exit code (or the signal's name)
  }

  // Starts the server; resolves with the tracking port once the start-up line is printed.
  start(timeoutMs) {
    this.process = spawn(this.binary, ['--config', this.configFile],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => resolve(code ?? signal));
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "listening on" line within ${timeoutMs} ms`)), timeoutMs);
      const onLine = (line) => {
        this.output.push(line);
        const admin = ADMIN_LISTENING.exec(line);
        if (admin) this.adminPort = Number(admin[2]);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[2]));
        }
      };
      readline.createInterface({ input: this.process.stdout }).on('line', onLine);
      readline.createInterface({ input: this.process.stderr }).on('line', onLine);
      this.process.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}) before it listened`));
      });
    });
  }

  // SIGTERM; resolves with the exit code, or rejects when the server outlives timeoutMs.
  async stop(timeoutMs) {
    this.process.kill('SIGTERM');
    let timer;
    const late = new Promise((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server did not exit within ${timeoutMs} ms of SIGTERM`)),
        timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill() {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL');
    }
  }

  outputTail(lines = 20) {
    return this.output.slice(-lines).join('\n');
  }

  // The stored events, `{"seq":N,"event":{...}}` per line as `sluice log cat` prints them.
  storedEvents(timeoutMs) {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ['log', 'cat', '--config', this.configFile],
        { timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
          if (error) {
            reject(new Error(`log cat failed: ${error.message} ${stderr}`.trim()));
            return;
          }
          resolve(stdout.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line)));
        });
    });
  }
}
