/**
 * Summarizes a .cpuprofile (scripts/bench-probe.js): self time per function and per package, and
 * inclusive time of a few packages.  node scripts/bench-probe-top.js /tmp/probe-<app pid>/pipeline.cpuprofile
 */
'use strict';
const fs = require('node:fs');
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) || 0) + (dt[i] || 0));
}
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
const pkg = (url) => {
  if (!url) return '(native)';
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/') || url.includes('/src/')) return 'app';
  if (url.startsWith('node:')) return 'node';
  return url.split('/').slice(-1)[0];
};
const byFn = new Map();
const byPkg = new Map();
const incl = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${pkg(f.url)}:${f.lineNumber}`;
  byFn.set(key, (byFn.get(key) || 0) + us);
  const p = f.url ? pkg(f.url) : f.functionName;
  byPkg.set(p, (byPkg.get(p) || 0) + us);
  // inclusive per package: each package counted once per stack
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = nodes.get(cur).callFrame;
    if (!cf.url) continue;
    const q = pkg(cf.url);
    if (!seen.has(q)) {
      seen.add(q);
      incl.set(q, (incl.get(q) || 0) + us);
    }
  }
}
const pct = (us) => ((100 * us) / totalUs).toFixed(1).padStart(5) + '%';
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${pct(us)}  ${k}`);
};
console.log(`profile ${(totalUs / 1e6).toFixed(2)} s of samples (idle included as (idle))`);
show('self time by package', byPkg, 18);
show('inclusive time by package', incl, 18);
show('self time by function', byFn, 25);
// who calls the heaviest native functions: the first package (not node core) up the stack
const callers = new Map();
for (const [id, us] of self) {
  const f = nodes.get(id).callFrame;
  if (f.url) continue;
  if (
    !['writev', 'writeBuffer', 'writeUtf8String', 'queryTxt', 'dispatch'].includes(f.functionName)
  )
    continue;
  let who = '?';
  for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
    const cf = nodes.get(cur).callFrame;
    if (cf.url && !cf.url.startsWith('node:')) {
      who = `${pkg(cf.url)} ${cf.functionName}`;
      break;
    }
  }
  const key = `${f.functionName} <- ${who}`;
  callers.set(key, (callers.get(key) || 0) + us);
}
show('native writes and DNS by caller', callers, 15);
