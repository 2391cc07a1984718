import { MAX_STYLED_DEPTH } from './css-cascade';
import { htmlToVisibleText } from './html-visible-text';

/** Every way of hiding text a reader would not see: the hidden 1111 must never count, the visible
 *  4242 beside it always. */
const hidden = (html: string) => {
  const text = htmlToVisibleText(`<div>Kort 4242</div>${html}`);
  expect(text).toContain('4242');
  expect(text).not.toContain('1111');
};

describe('text coloured like its background is not visible', () => {
  it.each([
    ['white on the default white page', '<span style="color:#fff">1111</span>'],
    ['named colour', '<span style="color: White">1111</span>'],
    ['rgb()', '<span style="color:rgb(255, 255, 255)">1111</span>'],
    ['rgb() with spaces syntax', '<span style="color:rgb(255 255 255)">1111</span>'],
    ['hsl()', '<span style="color:hsl(0, 0%, 100%)">1111</span>'],
    ['near-identical colour', '<span style="color:#fdfdfd">1111</span>'],
    ['very light grey', '<span style="color:#e6e6e6">1111</span>'],
    [
      'background on the same element',
      '<span style="background-color:#123456;color:#123457">1111</span>',
    ],
    [
      'background inherited from an ancestor',
      '<div style="background:#000 url(x.png) no-repeat"><p><b style="color:black">1111</b></p></div>',
    ],
    [
      'bgcolor attribute on a table cell',
      '<table><tr><td bgcolor="#ff0000"><font color="red">1111</font></td></tr></table>',
    ],
    [
      'legacy bgcolor without #',
      '<table bgcolor="000000"><tr><td><font color="#000">1111</font></td></tr></table>',
    ],
    ['<font color> on white', '<font color="white">1111</font>'],
    ['transparent', '<span style="color:transparent">1111</span>'],
    ['rgba with alpha near zero', '<span style="color:rgba(0,0,0,0.03)">1111</span>'],
    ['text fill colour', '<span style="-webkit-text-fill-color:#fff">1111</span>'],
    ['colour from a <style> class', '<style>.w { color: #ffffff }</style><p class="w">1111</p>'],
    [
      'body text colour matches body bgcolor',
      '<body bgcolor="#000" text="#010101"><p>1111</p></body>',
    ],
    ['colour from var()', '<span style="color:var(--c)">1111</span>'],
  ])('%s', (_label, html) => hidden(html));
});

describe('tiny text is not visible', () => {
  it.each([
    ['font-size:1px', '<span style="font-size:1px">1111</span>'],
    ['font-size:0.1em', '<span style="font-size:0.1em">1111</span>'],
    [
      'nested relative sizes',
      '<div style="font-size:30%"><span style="font-size:50%">1111</span></div>',
    ],
    ['font-size:3pt', '<span style="font-size:3pt">1111</span>'],
    ['font shorthand', '<span style="font: bold 2px/1 Arial">1111</span>'],
    ['font-size from a sheet', '<style>p.t{font-size:1px!important}</style><p class="t">1111</p>'],
    ['font-size:calc()', '<span style="font-size:calc(1px + 0px)">1111</span>'],
  ])('%s', (_label, html) => hidden(html));
});

describe('transparent, shrunk, moved or clipped elements are not visible', () => {
  it.each([
    ['opacity:0.01', '<span style="opacity:0.01">1111</span>'],
    [
      'opacity multiplied down the tree',
      '<div style="opacity:.3"><p style="opacity:.3">1111</p></div>',
    ],
    ['faint opacity on grey text', '<span style="opacity:.2;color:#888">1111</span>'],
    ['filter: opacity()', '<span style="filter:opacity(5%)">1111</span>'],
    ['filter: blur()', '<span style="filter:blur(6px)">1111</span>'],
    ['transform: scale(0)', '<span style="transform:scale(0)">1111</span>'],
    ['transform: scale(0.05)', '<span style="transform:scale(.05)">1111</span>'],
    ['transform: scaleY(0)', '<span style="transform:scaleY(0)">1111</span>'],
    [
      'transform: matrix with zero scale',
      '<span style="transform:matrix(0,0,0,0,0,0)">1111</span>',
    ],
    [
      'scale shrinking the font',
      '<div style="transform:scale(0.3)"><span style="font-size:12px">1111</span></div>',
    ],
    ['scale property', '<span style="scale:0">1111</span>'],
    ['zoom', '<span style="zoom:1%">1111</span>'],
    ['transform: translateX(-9999px)', '<span style="transform:translateX(-9999px)">1111</span>'],
    ['transform: skew (not worked out)', '<span style="transform:skewX(89.9deg)">1111</span>'],
    ['visibility:hidden', '<span style="visibility:hidden">1111</span>'],
    ['visibility:collapse', '<table><tr style="visibility:collapse"><td>1111</td></tr></table>'],
    [
      'visible child of a hidden parent',
      '<div style="visibility:hidden"><p style="visibility:visible">1111</p></div>',
    ],
    ['content-visibility:hidden', '<div style="content-visibility:hidden">1111</div>'],
    ['zero height with overflow hidden', '<div style="height:0;overflow:hidden">1111</div>'],
    ['1px box with overflow clip', '<div style="width:1px;overflow-x:clip">1111</div>'],
    [
      'max-height:0 from a sheet',
      '<style>.m{max-height:0;overflow:hidden}</style><div class="m">1111</div>',
    ],
    ['clip rect', '<span style="position:absolute;clip:rect(1px,1px,1px,1px)">1111</span>'],
    ['clip-path', '<span style="clip-path:inset(50%)">1111</span>'],
    ['off-screen left', '<div style="position:absolute;left:-9999px">1111</div>'],
    ['off-screen top in em', '<div style="position:fixed;top:-100em">1111</div>'],
    ['off-screen right', '<div style="position:absolute;right:-5000px">1111</div>'],
    ['text-indent', '<div style="text-indent:-9999px">1111</div>'],
    ['negative margin', '<div style="margin:0 0 0 -3000px">1111</div>'],
    ['hidden attribute', '<p hidden>1111</p>'],
    ['closed dialog', '<dialog>1111</dialog>'],
    ['mso-hide', '<div style="mso-hide:all">1111</div>'],
    ['display:none', '<div style="display:none">1111</div>'],
  ])('%s', (_label, html) => hidden(html));
});

describe('elements hidden through selectors in a <style> block are not visible', () => {
  it.each([
    ['attribute selector', '<style>[data-x]{display:none}</style><p data-x="1">1111</p>'],
    [
      'attribute value selector',
      '<style>p[title^="sec"]{opacity:0}</style><p title="secret">1111</p>',
    ],
    ['class', '<style>.pre{display:none}</style><p class="x pre">1111</p>'],
    ['id', '<style>#p1{visibility:hidden}</style><p id="p1">1111</p>'],
    [
      'descendant combinator',
      '<style>div.a span{display:none}</style><div class="a"><b><span>1111</span></b></div>',
    ],
    [
      'child and sibling combinators',
      '<style>i + u > s{display:none}</style><i></i><u><s>1111</s></u>',
    ],
    [
      'structural pseudo-class',
      '<style>section p:nth-child(2){display:none}</style><section><p>x</p><p>1111</p></section>',
    ],
    [
      '!important beats an inline style',
      '<style>.h{display:none!important}</style><p class="h" style="display:block">1111</p>',
    ],
    [
      'higher specificity wins',
      '<style>#k{display:none} .v{display:block}</style><p id="k" class="v">1111</p>',
    ],
    [
      'later rule of equal specificity wins',
      '<style>.a{display:block} .a{display:none}</style><p class="a">1111</p>',
    ],
    ['inside @media', '<style>@media screen { .n { display:none } }</style><p class="n">1111</p>'],
    [
      'inside @supports',
      '<style>@supports (display:grid) { .n { color:#fff } }</style><p class="n">1111</p>',
    ],
    ['::first-line colour', '<style>p.f::first-line{color:white}</style><p class="f">1111</p>'],
    [
      'universal selector',
      '<style>.box *{font-size:0}</style><div class="box"><span>1111</span></div>',
    ],
    [
      'two sheets',
      '<style>.x{color:red}</style><style>.x{color:#fff}</style><p class="x">1111</p>',
    ],
    ['upper-case property and value', '<style>.U{DISPLAY:NONE}</style><p class="U">1111</p>'],
  ])('%s', (_label, html) => hidden(html));
});

describe('what a reader does see still counts', () => {
  it.each([
    ['grey signature text', '<p style="color:#999">5555</p>'],
    ['white on black (dark layout)', '<body bgcolor="#000" text="#fff"><p>5555</p></body>'],
    [
      'white text on an inherited dark background',
      '<table style="background:#1a1a1a"><tr><td><span style="color:#fff">5555</span></td></tr></table>',
    ],
    ['a link inside white text', '<div style="color:#fff"><a href="https://x.test">5555</a></div>'],
    ['small but readable', '<span style="font-size:10px">5555</span>'],
    ['<font size=1>', '<font size="1">5555</font>'],
    ['half opacity', '<span style="opacity:.5">5555</span>'],
    ['rotated a little', '<span style="transform:rotate(2deg) translate(3px, 4px)">5555</span>'],
    ['moved a little', '<span style="position:relative;left:-20px">5555</span>'],
    ['overflow hidden on a normal box', '<div style="height:40px;overflow:hidden">5555</div>'],
    ['aria-hidden (hidden from screen readers only)', '<span aria-hidden="true">5555</span>'],
    ['hover rules do not apply', '<style>.y:hover{display:none}</style><p class="y">5555</p>'],
    [
      'an overridden hiding rule',
      '<style>.z{display:none} p.z{display:block}</style><p class="z">5555</p>',
    ],
    [
      'a visible child of a white-text parent',
      '<div style="color:#fff"><span style="color:#222">5555</span></div>',
    ],
    ['red on white', '<span style="color:red">5555</span>'],
    ['invalid colour is ignored', '<span style="color:nonsense">5555</span>'],
    ['a sheet that is not CSS', '<style>}}}{{{ 5555 ;;; </style><p>5555</p>'],
  ])('%s', (_label, html) => {
    expect(htmlToVisibleText(html)).toContain('5555');
  });
});

describe("mail clients' own HTML stays visible", () => {
  it.each([
    [
      'Outlook desktop',
      '<html><head><style><!-- @font-face {font-family:"Calibri";} p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} span.EmailStyle17 {mso-style-type:personal-compose; color:windowtext;} .MsoChpDefault {mso-style-type:export-only; font-size:10.0pt;} @page WordSection1 {size:612.0pt 792.0pt; margin:72.0pt 72.0pt 72.0pt 72.0pt;} div.WordSection1 {page:WordSection1;} --></style><!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]--></head><body lang="EN-US" link="#0563C1" vlink="#954F72" style="word-wrap:break-word"><div class="WordSection1"><p class="MsoNormal">Kort 5555<o:p></o:p></p></div></body></html>',
    ],
    [
      'Apple Mail',
      '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;"><div>Kort 5555</div></body></html>',
    ],
    [
      'Gmail',
      '<div dir="ltr"><div class="gmail_default" style="font-family:arial,sans-serif;font-size:small;color:#000000">Kort 5555</div></div>',
    ],
    [
      'dark newsletter-like layout',
      '<body style="margin:0;background-color:#121212"><table width="100%" bgcolor="#121212"><tr><td style="color:#e8e8e8;font-size:14px">Kort 5555</td></tr></table></body>',
    ],
  ])('%s', (_client, html) => {
    expect(htmlToVisibleText(html)).toContain('5555');
  });
});

describe('CSS beyond what is worked out counts as hidden', () => {
  it('a message with thousands of selectors shows nothing', () => {
    const sheet = Array.from({ length: 2_100 }, (_, i) => `.c${i}{color:red}`).join('');
    expect(htmlToVisibleText(`<style>${sheet}</style><p>4242</p>`)).toBe('');
  });

  it('many elements and selectors stay within the matching budget', () => {
    // keyed by their rightmost class, each selector is tested against its own elements only
    const sheet = Array.from({ length: 300 }, (_, i) => `div .c${i}{color:red}`).join('');
    const body = '<div><p class="c1"><span>x</span></p></div>'.repeat(3_000);
    expect(htmlToVisibleText(`<style>${sheet}</style>${body}<p>4242</p>`)).toContain('4242');
  });

  it('more selector matches than the budget: nothing counts', () => {
    const sheet = Array.from({ length: 1_000 }, (_, i) => `.c${i} p{color:red}`).join('');
    const body = '<p>x</p>'.repeat(5_000);
    expect(htmlToVisibleText(`<style>${sheet}</style>${body}<p>4242</p>`)).toBe('');
  });

  it('text nested deeper than styles are worked out does not count', () => {
    const html = `<p>Kort 4242</p>${'<div>'.repeat(MAX_STYLED_DEPTH + 5)}1111`;
    const text = htmlToVisibleText(html);
    expect(text).toContain('4242');
    expect(text).not.toContain('1111');
  });
});
