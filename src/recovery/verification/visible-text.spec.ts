import { extractVisibleText, truncateAtWhitespace, VISIBLE_TEXT_MAX_CHARS } from './visible-text';

const visible = (text: string) => extractVisibleText({ text }).text;
const visibleHtml = (html: string) => extractVisibleText({ text: '', html }).text;

describe('plain text: quoted earlier messages and signatures are not newly written', () => {
  it.each([
    [
      'Gmail (en)',
      'My card ends in 4242.\n\nOn Tue, Jan 2, 2024 at 9:15 AM Recovery Desk <support@recovery-desk.test> wrote:\n> Please send the last 4 digits, e.g. 1111\n',
    ],
    [
      'Gmail (en), introduction wrapped over two lines',
      'My card ends in 4242.\n\nOn Tue, Jan 2, 2024 at 9:15 AM Recovery Desk <\nsupport@recovery-desk.test> wrote:\n\n> card 1111\n',
    ],
    [
      'Gmail (sv)',
      'My card ends in 4242.\n\nDen tis 2 jan. 2024 kl 09:15 skrev Recovery Desk <support@recovery-desk.test>:\n> kort 1111\n',
    ],
    [
      'Gmail (sv), wrapped',
      'My card ends in 4242.\n\nDen tis 2 jan. 2024 kl 09:15 skrev Recovery Desk <\nsupport@recovery-desk.test>:\n> kort 1111\n',
    ],
    [
      'Apple Mail (sv)',
      'My card ends in 4242.\n\n2 jan. 2024 kl. 09:15 skrev Recovery Desk <support@recovery-desk.test>:\n\n> kort 1111\n',
    ],
    [
      'Apple Mail (en)',
      'My card ends in 4242.\n\nOn 2 Jan 2024, at 09:15, Recovery Desk <support@recovery-desk.test> wrote:\n\n> card 1111\n',
    ],
    [
      'Thunderbird (en)',
      'My card ends in 4242.\n\nOn 1/2/24 09:15, Recovery Desk wrote:\n> card 1111',
    ],
    [
      'Thunderbird (sv)',
      'My card ends in 4242.\n\nDen 2024-01-02 kl. 09:15, skrev Recovery Desk:\n> kort 1111',
    ],
    ['bare "Name wrote:"', 'My card ends in 4242.\nÅsa Öberg wrote:\nkort 1111'],
    [
      'Outlook (en) original message',
      'My card ends in 4242.\n\n-----Original Message-----\nFrom: Recovery Desk\nSent: Tuesday\nYour card 1111',
    ],
    [
      'Outlook (sv) original message',
      'My card ends in 4242.\n\n-----Ursprungligt meddelande-----\nFrån: Recovery Desk\nkort 1111',
    ],
    [
      'Outlook (en) header block',
      'My card ends in 4242.\n\n________________________________\nFrom: Recovery Desk <support@recovery-desk.test>\nSent: Tuesday, January 2, 2024 9:15 AM\nTo: Åsa Öberg\nSubject: Receipt\n\nCard 1111 was charged',
    ],
    [
      'Outlook (sv) header block',
      'My card ends in 4242.\n\nFrån: Recovery Desk <support@recovery-desk.test>\nSkickat: den 2 januari 2024 09:15\nTill: Åsa Öberg\nÄmne: Kvitto\n\nKort 1111 debiterades',
    ],
    [
      'Outlook bold header block',
      'My card ends in 4242.\n\n*From:* Recovery Desk\n*Sent:* Tuesday\n\nCard 1111',
    ],
    [
      'Gmail forward (en)',
      'My card ends in 4242.\n\n---------- Forwarded message ---------\nFrom: Billing <billing@x.test>\nCard 1111',
    ],
    [
      'Gmail forward (sv)',
      'My card ends in 4242.\n\n---------- Vidarebefordrat meddelande ---------\nFrån: Billing\nKort 1111',
    ],
    [
      'Apple forward (en)',
      'My card ends in 4242.\n\nBegin forwarded message:\n\nFrom: Billing\nCard 1111',
    ],
    [
      'Apple forward (sv)',
      'My card ends in 4242.\n\nBörjan av vidarebefordrat meddelande:\n\nKort 1111',
    ],
    ['signature "-- "', 'My card ends in 4242.\n-- \nÅsa Öberg\nTel 070 111 1111'],
    ['signature "--"', 'My card ends in 4242.\n--\nÅsa Öberg, kort 1111'],
    [
      'CRLF line breaks',
      'My card ends in 4242.\r\n\r\nOn 1/2/24 09:15, Support wrote:\r\n> card 1111\r\n',
    ],
  ])('%s', (_client, text) => {
    expect(visible(text)).toBe('My card ends in 4242.');
  });

  it.each([
    [
      'interleaved ">" quotes keep the answers between them',
      '> What are the last 4 digits?\n4242\n> And the holder name?\nÅsa Öberg',
      '4242\nÅsa Öberg',
    ],
    ['nested quotes', 'Svar: 4242\n>> 1111\n > 2222', 'Svar: 4242'],
    [
      'a sentence with "skrev" that is no introduction',
      'Som jag skrev i går: kortet slutar på 4242',
      'Som jag skrev i går: kortet slutar på 4242',
    ],
    [
      '"wrote" inside a sentence',
      'I wrote to you last week.\nCard: 4242',
      'I wrote to you last week.\nCard: 4242',
    ],
    ['"From:" without a header block', 'From: Åsa\nkort 4242', 'From: Åsa\nkort 4242'],
    ['a line of dashes is no signature', 'kort 4242\n---\nÅsa', 'kort 4242\n---\nÅsa'],
    ['zero-width characters are dropped', 'kort 42\u200b42 och 42\u00ad42', 'kort 4242 och 4242'],
    ['non-breaking spaces read as spaces', 'Åsa\u00a0Öberg', 'Åsa Öberg'],
    ['bidirectional controls are dropped', 'kort \u202e4242\u202c', 'kort 4242'],
    ['blank lines collapse', 'a\n\n\n\n\nb  \n', 'a\n\nb'],
  ])('%s', (_label, text, expected) => {
    expect(visible(text)).toBe(expected);
  });
});

describe('HTML: only when there is no text part, and only what a sighted reader sees', () => {
  it.each([
    ['display:none', '<div style="display:none">1111</div>'],
    ['display: none !important', '<div style="color:red; DISPLAY : NONE !important">1111</div>'],
    ['a later display:none wins', '<div style="display:block;display:none">1111</div>'],
    ['visibility:hidden', '<span style="visibility: hidden">1111</span>'],
    ['hidden attribute', '<p hidden>1111</p>'],
    ['font-size:0', '<span style="font-size:0px">1111</span>'],
    ['font shorthand with size 0', '<span style="font:0/0 a">1111</span>'],
    ['opacity:0', '<span style="opacity:0.0">1111</span>'],
    ['mso-hide:all', '<div style="mso-hide:all">1111</div>'],
    ['zero height with overflow hidden', '<div style="max-height:0;overflow:hidden">1111</div>'],
    ['off-screen', '<div style="position:absolute;left:-9999px">1111</div>'],
    ['transparent colour', '<span style="color:transparent">1111</span>'],
    [
      'class hidden by a <style> sheet',
      '<style>.pre{display:none}</style><p class="x pre">1111</p>',
    ],
    [
      'class hidden inside @media',
      '<style>/* c */ @media (max-width:600px){ td.m , .n{ display:none !important } }</style><p class="n">1111</p>',
    ],
    ['id hidden by a <style> sheet', '<style>#p1{visibility:hidden}</style><p id="p1">1111</p>'],
    ['<style> content', '<style>.a:after{content:"1111"}</style>'],
    ['<script>', '<script>var card = "1111";</script>'],
    ['<head> and <title>', '<html><head><title>1111</title></head><body></body></html>'],
    ['<template>', '<template><p>1111</p></template>'],
    ['<noscript>', '<noscript>1111</noscript>'],
    ['HTML comment', '<!-- 1111 -->'],
    ['Outlook conditional comment', '<!--[if mso]><p>1111</p><![endif]-->'],
    ['closed <details>', '<details><summary>x</summary>1111</details>'],
    ['image alt text', '<img src="cid:x" alt="1111">'],
    ['link address', '<a href="https://x.test/?card=1111">länk</a>'],
    [
      'Gmail quote',
      '<div class="gmail_quote"><div class="gmail_attr">Den tis skrev:</div>1111</div>',
    ],
    ['blockquote', '<blockquote type="cite">1111</blockquote>'],
    ['Thunderbird cite prefix', '<div class="moz-cite-prefix">On 1/2/24 wrote:</div>'],
    ['Yahoo quote', '<div class="yahoo_quoted">1111</div>'],
    ['Gmail signature', '<div class="gmail_signature">1111</div>'],
    [
      'Outlook reply header: everything after it',
      '<div id="divRplyFwdMsg"><b>From:</b> Support</div><div>1111</div><p>more 1111</p>',
    ],
    ['Outlook web marker', '<div id="appendonsend"></div><hr><div>From: x</div><div>1111</div>'],
    [
      'hidden element with implicitly closed paragraph',
      '<p style="display:none">1111<p>kort 4242 igen',
    ],
  ])('%s is not visible', (_label, hiddenPart) => {
    const text = visibleHtml(`<div>Kort 4242</div>${hiddenPart}`);
    expect(text).toContain('4242');
    expect(text).not.toContain('1111');
  });

  it.each([
    [
      'aria-hidden (hidden from screen readers only)',
      '<span aria-hidden="true">5555</span>',
      '5555',
    ],
    ['open <details>', '<details open><summary>s</summary>5555</details>', '5555'],
    [
      'display:none overridden later',
      '<span style="display:none;display:inline">5555</span>',
      '5555',
    ],
    ['entities', '<p>&#53;&#53;&#53;&#53; &Aring;sa</p>', '5555 Åsa'],
    ['adjacent inline elements read as one word', '<b>55</b><i>55</i>', '5555'],
    ['a link text', '<a href="https://x.test/1111">5555</a>', '5555'],
    ['headings are not upper-cased', '<h1>Åsa Öberg</h1>', 'Åsa Öberg'],
    ['style on an unrelated class', '<style>.x{display:none}</style><p class="y">5555</p>', '5555'],
    [
      'hover rules are not hiding',
      '<style>.y:hover{display:none}</style><p class="y">5555</p>',
      '5555',
    ],
  ])('%s is visible', (_label, html, expected) => {
    expect(visibleHtml(html)).toContain(expected);
  });

  it('never runs table cells together into one number', () => {
    const text = visibleHtml('<table><tr><td>42</td><td>42</td></tr></table>');
    expect(text).not.toContain('4242');
    expect(text).toMatch(/42\s+42/);
  });

  it('removes quote introductions in the HTML-derived text too', () => {
    const html =
      '<p>Kortet slutar på 4242.</p><p>Den tis 2 jan. 2024 kl 09:15 skrev Support &lt;s@x.test&gt;:</p><p>kort 1111</p>';
    expect(visibleHtml(html)).toBe('Kortet slutar på 4242.');
  });
});

describe('which body counts', () => {
  it('uses the text part even when the HTML part says something else', () => {
    expect(extractVisibleText({ text: 'kort 4242', html: '<p>kort 1111</p>' })).toEqual({
      text: 'kort 4242',
      source: 'text',
      truncated: false,
    });
  });

  it('uses the HTML part when the text part is missing or blank', () => {
    expect(extractVisibleText({ html: '<p>kort 4242</p>' }).source).toBe('html');
    expect(extractVisibleText({ text: ' \n ', html: '<p>kort 4242</p>' }).text).toBe('kort 4242');
    expect(extractVisibleText({ text: false, html: '<p>kort 4242</p>' }).text).toBe('kort 4242');
  });

  it('gives an empty text when there is neither', () => {
    expect(extractVisibleText({})).toEqual({ text: '', source: 'none', truncated: false });
    expect(extractVisibleText({ text: '', html: false })).toEqual({
      text: '',
      source: 'none',
      truncated: false,
    });
  });
});

describe('bounded input', () => {
  it('caps the visible text at 100 000 characters without cutting a word', () => {
    const result = extractVisibleText({ text: '12345 '.repeat(40_000) });
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(VISIBLE_TEXT_MAX_CHARS);
    expect(result.text.endsWith('12345')).toBe(true);
  });

  it('truncateAtWhitespace never invents a shorter token', () => {
    expect(truncateAtWhitespace('abc 12345', 8)).toBe('abc');
    expect(truncateAtWhitespace('abc 1234', 8)).toBe('abc 1234');
    expect(truncateAtWhitespace('123456789', 4)).toBe('');
  });

  it.each([
    ['deep nesting', '<b>'.repeat(200_000) + 'x'],
    ['many hidden elements', '<span style="display:none">1</span>'.repeat(30_000)],
    ['unclosed CSS comments', `<style>${'/*'.repeat(100_000)}</style>x`],
    ['a long style attribute', `<p style="${'font-size:0000000000;'.repeat(20_000)}x">y</p>`],
    ['many quote-like lines', 'On x wrote\n'.repeat(50_000)],
  ])('hostile HTML or text stays cheap: %s', (_label, input) => {
    const result = input.startsWith('<') ? visibleHtml(input) : visible(input);
    expect(typeof result).toBe('string');
  });
});
