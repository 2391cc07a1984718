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
    JSON.stringify({ messages, ms, statements: total, perMessage: total / messages, top }, null, 1),
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
