import QRCode from 'qrcode';
import { messages } from './i18n/locale';
import { qrDisplaySize, recoveryCodesPage } from './two-factor-pages';

describe('two-factor page helpers', () => {
  it('shows the QR code at a whole multiple of its own pixel size', async () => {
    const small = await QRCode.toDataURL('otpauth://totp/x?secret=AAAA', { scale: 2 });
    const width = Buffer.from(small.split(',')[1], 'base64').readUInt32BE(16);
    expect(qrDisplaySize(small) % width).toBe(0);
    expect(qrDisplaySize(small)).toBeGreaterThanOrEqual(width * 2);
    expect(qrDisplaySize('data:image/png;base64,AAAA')).toBe(232);
  });

  it('offers the recovery codes as a text download built in the page, nowhere else', () => {
    const page = recoveryCodesPage(messages('en'), ['AAAA-BBBB', 'CCCC-DDDD'], 'Codes', '/x');
    expect(page.downloadHref.startsWith('data:text/plain;charset=utf-8,')).toBe(true);
    const text = decodeURIComponent(page.downloadHref.split(',')[1]);
    expect(text).toContain('AAAA-BBBB\nCCCC-DDDD\n');
  });
});
