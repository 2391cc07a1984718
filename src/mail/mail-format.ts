/**
 * The body of a message is a list of blocks; plain text and HTML are both produced from them, so
 * the two parts always say the same thing and escaping happens in exactly one place.
 *
 * - a string: a paragraph (a `\n` inside it is a line break)
 * - `{ list }`: a bulleted list
 * - `{ link, label }`: a button-like link, with the address shown beside it (people should see
 *   where a link goes before they click: mail is where phishing lives)
 */
export type MailBlock = string | { list: string[] } | { link: string; label: string };

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** Control characters (other than line breaks) never reach a message. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
}

/** For headers such as Subject: one line, no control characters, no runs of spaces. */
export function oneLine(value: string): string {
  return clean(value).replace(/\s+/g, ' ').trim();
}

function isSafeUrl(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url);
}

export function blocksToText(blocks: MailBlock[]): string {
  const parts = blocks.map((block) => {
    if (typeof block === 'string') return clean(block);
    if ('list' in block) return block.list.map((item) => `- ${oneLine(item)}`).join('\n');
    return `${oneLine(block.label)}:\n${oneLine(block.link)}`;
  });
  return `${parts.join('\n\n')}\n`;
}

const STYLE = {
  body: 'margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2328',
  card: 'max-width:560px;margin:0 auto;background:#ffffff;padding:24px 28px;border-radius:6px',
  p: 'margin:0 0 16px',
  button:
    'display:inline-block;padding:10px 18px;background:#1f5fbf;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold',
  address: 'color:#57606a;font-size:13px;word-break:break-all',
};

function paragraphHtml(text: string): string {
  return clean(text).split('\n').map(escapeHtml).join('<br>');
}

export function blocksToHtml(blocks: MailBlock[], page: { lang: string; title: string }): string {
  const body = blocks.map((block) => {
    if (typeof block === 'string') return `<p style="${STYLE.p}">${paragraphHtml(block)}</p>`;
    if ('list' in block) {
      const items = block.list.map((item) => `<li>${escapeHtml(oneLine(item))}</li>`).join('');
      return `<ul style="${STYLE.p}">${items}</ul>`;
    }
    const label = escapeHtml(oneLine(block.label));
    const url = oneLine(block.link);
    // Links are checked when the mail is queued; a non-http(s) one is shown, never made clickable.
    if (!isSafeUrl(url)) return `<p style="${STYLE.p}">${label}: ${escapeHtml(url)}</p>`;
    const href = escapeHtml(url);
    return (
      `<p style="${STYLE.p}"><a href="${href}" style="${STYLE.button}">${label}</a><br>` +
      `<span style="${STYLE.address}">${href}</span></p>`
    );
  });
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(page.lang)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(page.title)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    ...body,
    '</div></body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A moment in the reader's language, in Swedish time with the zone spelled out (CET/CEST): the
 * product serves Swedish clinics, and an explicit zone keeps it unambiguous for everyone else.
 */
const DATE_TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Stockholm',
  timeZoneName: 'short',
};

/** Built once per locale: constructing an Intl formatter costs more than formatting with it. */
const DATE_TIME_FORMATS = {
  sv: new Intl.DateTimeFormat('sv-SE', DATE_TIME_OPTIONS),
  en: new Intl.DateTimeFormat('en-GB', DATE_TIME_OPTIONS),
};

export function formatDateTime(iso: string, locale: 'sv' | 'en'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return DATE_TIME_FORMATS[locale].format(date);
}
