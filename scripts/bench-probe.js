/**
 * Bench-only instrumentation, preloaded into the app with
 *   BENCH_APP_NODE_ARGS="-r ./scripts/bench-probe.js" npm run bench -- --quick
 * Counts every SQL statement sent through `pg` (per normalized text) and takes a CPU profile of the
 * decision window of the first timed inbound run: from the 21st stored message (after the 20
 * warm-up mails) until the 220th inbound message is finished (the timed 200 of --quick). Writes
 * /tmp/probe-<app pid>/statements.json and pipeline.cpuprofile (the bench passes only its own
 * variables to the app, so the directory is fixed). Changes nothing in the app.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');
const pg = require('pg');

const dir = `/tmp/probe-${process.pid}`;
const first = Number(process.env.PROBE_FIRST || 21);
const last = Number(process.env.PROBE_LAST || 220);
fs.mkdirSync(dir, { recursive: true });

let stored = 0;
let finished = 0;
let counting = false;
let total = 0;
const byText = new Map();
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
let startedAt = 0;
// socket writes (each a system call) and UDP sends in the window, by the peer's or own port
const writes = new Map();
function countWrite(socket, kind) {
  if (!counting) return;
  // a peer on an ephemeral port is a client of ours: count it by our own (listening) port
  const remote = socket.remotePort;
  const key =
    remote !== undefined && remote < 32768
      ? `${kind} to :${remote}`
      : `${kind} to a client of :${socket.localPort}`;
  writes.set(key, (writes.get(key) || 0) + 1);
}
const net = require('node:net');
const dgram = require('node:dgram');
for (const method of ['_writeGeneric']) {
  const originalWrite = net.Socket.prototype[method];
  net.Socket.prototype[method] = function write(writev, ...rest) {
    countWrite(this, writev ? 'writev' : 'write');
    return originalWrite.call(this, writev, ...rest);
  };
}
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function send(...args) {
  if (counting) writes.set('udp send', (writes.get('udp send') || 0) + 1);
  return originalSend.apply(this, args);
};

function normalize(text) {
  return text.replace(/\s+/g, ' ').replace(/\$\d+/g, '$').slice(0, 140);
}

function start() {
  counting = true;
  startedAt = Date.now();
  session.post('Profiler.start');
}

function stop() {
  counting = false;
  const ms = Date.now() - startedAt;
  session.post('Profiler.stop', (error, result) => {
    if (!error)
      fs.writeFileSync(path.join(dir, 'pipeline.cpuprofile'), JSON.stringify(result.profile));
  });
  const messages = last - first + 1;
  const top = [...byText.entries()].sort((a, b) => b[1] - a[1]);
  fs.writeFileSync(
    path.join(dir, 'statements.json'),
    JSON.stringify(
      {
        messages,
        ms,
        statements: total,
        perMessage: total / messages,
        top,
        writesPerMessage: Object.fromEntries(
          [...writes.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([key, count]) => [key, Math.round((count / messages) * 10) / 10]),
        ),
      },
      null,
      1,
    ),
  );
}

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '';
  if (/^\s*INSERT INTO inbound_messages/i.test(text)) {
    stored += 1;
    if (stored === first) start();
  }
  if (counting) {
    total += 1;
    const key = normalize(text);
    byText.set(key, (byText.get(key) || 0) + 1);
  }
  const result = original.call(this, config, ...rest);
  if (/^\s*UPDATE "?inbound_messages/.test(text) && /processed_at/.test(text)) {
    finished += 1;
    if (finished === last && counting) stop();
  }
  return result;
};
