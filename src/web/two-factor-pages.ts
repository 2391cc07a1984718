import type { Response } from 'express';
import type { DomainError } from '../common/domain-error';
import type { Messages } from './i18n/locale';

/**
 * The page that shows recovery codes, once. "Download as text" is a data: URL built here, so
 * the codes never travel again and no URL on the server can return them twice.
 */
export function recoveryCodesPage(
  t: Messages,
  codes: string[],
  heading: string,
  continueHref: string,
) {
  const text = `${t.twoFactor.downloadFileHeading}\n\n${codes.join('\n')}\n`;
  return {
    title: heading,
    heading,
    codes,
    downloadHref: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
    continueHref,
    languagePath: continueHref,
  };
}

/** Minutes until a rate-limited action may be tried again; also sets Retry-After like the API. */
export function retryMinutes(error: DomainError, response: Response): number {
  const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds ?? 60));
  response.setHeader('Retry-After', String(seconds));
  return Math.max(1, Math.ceil(seconds / 60));
}

/**
 * The on-screen size of the QR code: a whole multiple of the PNG's own width (read from its
 * IHDR header), so every module stays a crisp square of equal size and scans reliably.
 */
export function qrDisplaySize(dataUrl: string, target = 232): number {
  const png = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1, 64), 'base64');
  const width = png.length >= 24 ? png.readUInt32BE(16) : 0;
  if (width <= 0 || width > 2000) return target;
  return width * Math.max(1, Math.round(target / width));
}

/** What the enrollment page needs of an enrollment: the QR code, its size, the secret. */
export function enrollmentView(enrollment: { qrCode: string; secret: string }) {
  return {
    qrCode: enrollment.qrCode,
    qrSize: qrDisplaySize(enrollment.qrCode),
    secret: enrollment.secret,
  };
}
