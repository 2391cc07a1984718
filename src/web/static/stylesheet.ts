import { createHash } from 'node:crypto';

/**
 * The pages' one stylesheet, served as a file from this origin (the CSP's style-src 'self' forbids
 * inline styles). Kept in TypeScript so the compiled build carries it without an asset step.
 */
export const STYLESHEET = `
:root {
  --ink: #1c2430;
  --ink-soft: #4a5565;
  --muted: #667085;
  --line: #dde3ea;
  --bg: #f4f6f9;
  --card: #ffffff;
  --brand: #0f5e7a;
  --brand-dark: #0a4559;
  --brand-soft: #e3f1f6;
  --ok: #146c43;
  --ok-soft: #e3f4ea;
  --warn: #8a5300;
  --warn-soft: #fff3d6;
  --bad: #b42318;
  --bad-dark: #912018;
  --bad-soft: #fde8e6;
  --info-soft: #e8effc;
  --focus: #ffbf47;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.08);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--bg);
  line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
main { flex: 1; outline: none; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 0.5rem; letter-spacing: -0.01em; }
h2 { font-size: 1.15rem; margin: 0 0 0.75rem; }
p { margin: 0 0 0.75rem; }
a { color: var(--brand); text-underline-offset: 2px; }
a:hover { color: var(--brand-dark); }
code, pre, .secret { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.container { width: 100%; max-width: 1080px; margin: 0 auto; padding: 0 1.25rem; }
main.container { padding-top: 2rem; padding-bottom: 3rem; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--focus); color: var(--ink); padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; }

/* header */
.site-header { background: var(--brand-dark); color: #fff; }
.header-inner { display: flex; align-items: center; gap: 1.5rem; min-height: 60px; flex-wrap: wrap; }
.brand { display: inline-flex; align-items: center; gap: 0.5rem; color: #fff; text-decoration: none; font-weight: 700; font-size: 1.1rem; }
.brand:hover { color: #fff; }
.brand-mark { color: #8fd3ea; }
.main-nav ul, .status-tabs ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem; }
.main-nav a { display: block; color: #d7e7ee; text-decoration: none; padding: 0.45rem 0.75rem; border-radius: 6px; font-weight: 500; }
.main-nav a:hover { background: rgba(255, 255, 255, 0.1); color: #fff; }
.main-nav a[aria-current="page"] { background: rgba(255, 255, 255, 0.16); color: #fff; }
.header-tools { margin-left: auto; display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
.language { display: flex; gap: 0.5rem; font-size: 0.9rem; }
.language a { color: #d7e7ee; text-decoration: none; padding: 0.2rem 0.35rem; border-radius: 4px; }
.language a[aria-current="true"] { color: #fff; font-weight: 600; text-decoration: underline; }
.signed-in { font-size: 0.9rem; color: #d7e7ee; }
.inline-form { display: inline; margin: 0; }
.site-footer { color: var(--muted); font-size: 0.85rem; padding: 1.5rem 0; border-top: 1px solid var(--line); }

/* layout */
.narrow { max-width: 30rem; margin: 1rem auto 0; }
.narrow--wide { max-width: 40rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow); padding: 1.5rem; margin-bottom: 1.25rem; }
.card--flush { padding: 0; overflow-x: auto; }
.card__heading { padding: 1.25rem 1.5rem 0; }
.card--decision { border-top: 4px solid var(--line); }
.card--approve { border-top-color: var(--brand); }
.card--deny { border-top-color: var(--bad); }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1.25rem; margin-bottom: 1.25rem; }
.grid-2 > .card { margin-bottom: 0; }
.lead { color: var(--ink-soft); font-size: 1.05rem; margin-bottom: 1.25rem; }
.muted { color: var(--muted); }
.small { font-size: 0.875rem; }
.nowrap { white-space: nowrap; }
.truncate { max-width: 22rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.breadcrumb { margin-bottom: 0.5rem; font-size: 0.95rem; }
.eyebrow { margin: 0 0 0.25rem; font-size: 0.8rem; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted); }
.breadcrumb a { text-decoration: none; }
.page-title { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
.page-title h1 { margin: 0; }
.alternative { margin-top: 1.25rem; text-align: center; }
.status-code { font-size: 0.9rem; font-weight: 700; color: var(--muted); letter-spacing: 0.08em; margin-bottom: 0.25rem; }
.with-icon { display: flex; align-items: center; gap: 0.6rem; }
.icon-ok { display: inline-grid; place-items: center; width: 2rem; height: 2rem; border-radius: 50%; background: var(--ok-soft); color: var(--ok); font-size: 1.1rem; }
.empty { padding: 1.5rem; margin: 0; color: var(--muted); }
.plain-list { margin: 0; padding-left: 1.1rem; }
.steps { padding-left: 1.25rem; margin: 0 0 1.25rem; }
.steps li { margin-bottom: 0.4rem; }

/* forms */
.field { margin-bottom: 1.1rem; }
.field label { display: block; font-weight: 600; margin-bottom: 0.3rem; }
.field .hint { color: var(--muted); font-size: 0.9rem; margin: -0.1rem 0 0.35rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="search"], input:not([type]), select, textarea {
  width: 100%; font: inherit; color: var(--ink); background: #fff; border: 1px solid #b8c2cc;
  border-radius: 8px; padding: 0.6rem 0.75rem; min-height: 2.75rem;
}
textarea { resize: vertical; }
input:focus, select:focus, textarea:focus { border-color: var(--brand); box-shadow: 0 0 0 3px rgba(15, 94, 122, 0.2); outline: none; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
.input-code--long { max-width: 22rem !important; letter-spacing: 0.06em !important; }
.input-code { max-width: 12rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 1.25rem; letter-spacing: 0.15em; }
.field--error input, .field--error textarea, .field--error select { border-color: var(--bad); border-width: 2px; }
.field--error { border-left: 4px solid var(--bad); padding-left: 0.85rem; }
.field-error { color: var(--bad); font-weight: 600; margin: 0 0 0.35rem; font-size: 0.95rem; }
.field--checkbox { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.6rem; }
.field--checkbox .field-error { flex-basis: 100%; }
.field--checkbox input { width: 1.25rem; height: 1.25rem; margin: 0.15rem 0 0; accent-color: var(--brand); flex-shrink: 0; }
.field--checkbox label { font-weight: 500; flex: 1; margin: 0; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; padding: 1rem 1.25rem; }
.filters .field { margin: 0; min-width: 14rem; flex: 1; }
.filters .field--error { padding-left: 0.6rem; }
.filters__actions { display: flex; gap: 0.5rem; }
.secondary-action { margin-top: 1.25rem; padding-top: 1rem; border-top: 1px solid var(--line); }
.secondary-action .button--quiet { padding-left: 0; padding-right: 0; }
.secondary-action .button--quiet:hover { background: none; text-decoration: underline; }
p.hint { color: var(--muted); font-size: 0.9rem; }
.card > p.hint:last-child { margin-bottom: 0; }
.footnote { margin-top: 1.25rem; padding-top: 1rem; border-top: 1px solid var(--line); }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; margin-top: 1.25rem; }

/* buttons */
.button {
  display: inline-flex; align-items: center; justify-content: center; gap: 0.4rem;
  font: inherit; font-weight: 600; line-height: 1.2; text-decoration: none; cursor: pointer;
  padding: 0.7rem 1.15rem; min-height: 2.75rem; border-radius: 8px;
  border: 1px solid #b8c2cc; background: #fff; color: var(--ink);
}
.button:hover { background: #f0f3f6; color: var(--ink); }
.button--primary { background: var(--brand); border-color: var(--brand); color: #fff; }
.button--primary:hover { background: var(--brand-dark); border-color: var(--brand-dark); color: #fff; }
.button--danger { background: var(--bad); border-color: var(--bad); color: #fff; }
.button--danger:hover { background: var(--bad-dark); border-color: var(--bad-dark); color: #fff; }
.button--quiet { background: transparent; border-color: transparent; color: var(--brand); }
.button--quiet:hover { background: var(--brand-soft); color: var(--brand-dark); }
.site-header .button--quiet { color: #fff; border-color: rgba(255, 255, 255, 0.35); }
.site-header .button--quiet:hover { background: rgba(255, 255, 255, 0.12); color: #fff; }
.button--small { min-height: 2.1rem; padding: 0.35rem 0.8rem; font-size: 0.9rem; }
.button--block { width: 100%; }

/* messages */
.alert { border-radius: 8px; padding: 0.85rem 1rem; margin: 0 0 1.25rem; border: 1px solid; }
.alert p { margin: 0; }
.alert p + p { margin-top: 0.35rem; }
.alert--success { background: var(--ok-soft); border-color: #a6d8bb; color: #0d4d30; }
.alert--error { background: var(--bad-soft); border-color: #f4b4ac; color: #7a1a12; }
.alert--warning { background: var(--warn-soft); border-color: #f1d28a; color: #5c3800; }
.alert--info { background: var(--info-soft); border-color: #b7c9f0; color: #1d3a78; }

/* badges and checks */
.badge { display: inline-block; font-size: 0.8rem; font-weight: 700; padding: 0.2rem 0.6rem; border-radius: 999px; background: #eef1f4; color: var(--ink-soft); white-space: nowrap; }
.badge--large { font-size: 0.9rem; padding: 0.3rem 0.85rem; }
.badge--active, .badge--completed, .badge--approved, .badge--msg-processed { background: var(--ok-soft); color: var(--ok); }
.badge--pending, .badge--awaiting_approval, .badge--msg-stored { background: var(--warn-soft); color: var(--warn); }
.badge--reset_required, .badge--denied, .badge--rejected, .badge--msg-failed { background: var(--bad-soft); color: var(--bad); }
.badge--cancelled, .badge--expired, .badge--disabled, .badge--msg-ignored { background: #eef1f4; color: var(--ink-soft); }
.check { display: inline-block; font-weight: 700; font-size: 0.85rem; padding: 0.1rem 0.5rem; border-radius: 6px; background: #eef1f4; color: var(--ink-soft); }
.check--pass, .check--matched { background: var(--ok-soft); color: var(--ok); }
.check--fail, .check--not_matched, .check--unknown, .check--ambiguous { background: var(--bad-soft); color: var(--bad); }

/* definition lists */
.summary { margin: 0; display: grid; gap: 0.75rem; }
.summary + p, .summary + form { margin-top: 1.25rem; }
.narrow .summary > div { grid-template-columns: 1fr; gap: 0.1rem; }
.summary > div { display: grid; grid-template-columns: minmax(9rem, 14rem) 1fr; gap: 1rem; }
.summary--columns { grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); column-gap: 2rem; }
.summary--columns > div { grid-template-columns: 1fr; gap: 0.1rem; }
.summary dt, .checks dt { color: var(--muted); font-weight: 500; }
.summary dd, .checks dd { margin: 0; overflow-wrap: anywhere; }
.checks { margin: 0 0 0.75rem; }
.checks > div { display: flex; justify-content: space-between; gap: 1rem; padding: 0.55rem 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.checks > div:last-child { border-bottom: 0; }
.checks dd { text-align: right; }
.checks dd.check-detail { flex-basis: 100%; text-align: left; color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; margin-top: -0.25rem; }

/* tables */
.table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
.table th { text-align: left; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; background: #f8fafc; }
.table th, .table td { padding: 0.75rem 1rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.table tbody tr:last-child td { border-bottom: 0; }
.table tbody tr:hover { background: #fafbfc; }
.table code { font-size: 0.85rem; }

/* status tabs */
.status-tabs { margin: 0 0 1rem; }
.status-tabs a { display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.4rem 0.8rem; border-radius: 999px; text-decoration: none; color: var(--ink-soft); background: #fff; border: 1px solid var(--line); font-size: 0.9rem; font-weight: 500; }
.status-tabs a:hover { border-color: var(--brand); color: var(--brand); }
.status-tabs a[aria-current="page"] { background: var(--brand); border-color: var(--brand); color: #fff; }
.status-tabs .count { font-variant-numeric: tabular-nums; font-weight: 700; }
.pager { display: flex; gap: 1rem; align-items: center; justify-content: flex-end; }

/* two-factor */
.qr-block { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; margin-bottom: 1.5rem; padding: 1.25rem; background: #f8fafc; border: 1px solid var(--line); border-radius: var(--radius); }
.qr { margin: 0; background: #fff; padding: 0.5rem; border-radius: 8px; border: 1px solid var(--line); }
.qr img { display: block; image-rendering: pixelated; }
.manual-key { flex: 1; min-width: 14rem; }
.manual-key__label { font-weight: 600; }
.secret { display: inline-block; font-size: 1.05rem; letter-spacing: 0.06em; background: #fff; border: 1px dashed #b8c2cc; border-radius: 6px; padding: 0.5rem 0.75rem; overflow-wrap: anywhere; user-select: all; }
.recovery-codes { list-style: none; padding: 1rem; margin: 0; display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem 1.5rem; background: #f8fafc; border: 1px solid var(--line); border-radius: var(--radius); }
.recovery-codes code { font-size: 1.05rem; letter-spacing: 0.05em; }
.excerpt { white-space: pre-wrap; word-break: break-word; background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 0; font-size: 0.9rem; max-height: 24rem; overflow: auto; }

@media (max-width: 640px) {
  h1 { font-size: 1.45rem; }
  .summary > div { grid-template-columns: 1fr; gap: 0.1rem; }
  .recovery-codes { grid-template-columns: 1fr; }
  .header-tools { margin-left: 0; }
}
`;

const version = createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12);

/** Versioned by content, so the file can be cached for long and still change with a release. */
export const STYLESHEET_PATH = `/static/app.css?v=${version}`;

/** The tab icon: the brand's shield, as SVG (no inline style; fills are attributes). */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="5" fill="#0a4559"/><path fill="#8fd3ea" d="M12 3.5 5.5 6v5c0 4.1 2.8 7.7 6.5 9 3.7-1.3 6.5-4.9 6.5-9V6L12 3.5Zm-1 11.6-2.9-2.9 1.2-1.2 1.7 1.7 3.8-3.8 1.2 1.2-5 5Z"/></svg>`;
