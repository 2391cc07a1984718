import vectors from '../../test/fixtures/rfc6238-sha1.json';
import {
  checkTotp,
  decodeBase32,
  encodeBase32,
  generateTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  timeStepAt,
  totpCode,
} from './totp';

const rfcSecret = Buffer.from(vectors.secretAscii, 'ascii');

describe('RFC 6238 Appendix B (SHA1) through our TOTP code', () => {
  it('decodes the published base32 form of the RFC secret to the same bytes', () => {
    expect(decodeBase32(vectors.secretBase32)).toEqual(rfcSecret);
    expect(encodeBase32(rfcSecret)).toBe(vectors.secretBase32);
  });

  it.each(vectors.vectors)('at T=$time the counter is $counterHex', ({ time, counterHex }) => {
    expect(timeStepAt(time)).toBe(parseInt(counterHex, 16));
  });

  it.each(vectors.vectors)('at T=$time the 6-digit code is $totp6', async ({ time, totp6 }) => {
    await expect(totpCode(rfcSecret, time)).resolves.toBe(totp6);
    await expect(
      checkTotp({ secret: decodeBase32(vectors.secretBase32), code: totp6, epochSeconds: time }),
    ).resolves.toEqual({ result: 'valid', step: timeStepAt(time) });
  });
});

describe('the ±1 step window and the replay bound', () => {
  // T = 1234567890 is step 41152263 (an RFC vector); codes are taken 1 s into each step
  const now = 1234567890;
  const step = timeStepAt(now);
  const codeAt = (offsetSteps: number) => totpCode(rfcSecret, (step + offsetSteps) * 30 + 1);

  it.each([
    { offset: -2, afterStep: null, expected: 'invalid' },
    { offset: -1, afterStep: null, expected: 'valid' },
    { offset: 0, afterStep: null, expected: 'valid' },
    { offset: 1, afterStep: null, expected: 'valid' },
    { offset: 2, afterStep: null, expected: 'invalid' },
    // the current step was already used: the same code again is a replay
    { offset: 0, afterStep: 0, expected: 'replayed' },
    { offset: 1, afterStep: 0, expected: 'valid' },
    { offset: -1, afterStep: 0, expected: 'replayed' },
    { offset: -1, afterStep: -2, expected: 'valid' },
    { offset: -1, afterStep: -1, expected: 'replayed' },
    { offset: 1, afterStep: 1, expected: 'replayed' },
    { offset: 2, afterStep: 0, expected: 'invalid' },
  ])(
    'a code from step $offset with last used step $afterStep is $expected',
    async ({ offset, afterStep, expected }) => {
      const result = await checkTotp({
        secret: rfcSecret,
        code: await codeAt(offset),
        epochSeconds: now,
        afterStep: afterStep === null ? null : step + afterStep,
      });
      expect(result.result).toBe(expected);
      if (result.result !== 'invalid') expect(result.step).toBe(step + offset);
    },
  );

  it('treats both edges of a step as that step', async () => {
    const first = step * 30;
    const last = step * 30 + 29;
    const code = await totpCode(rfcSecret, first);
    await expect(totpCode(rfcSecret, last)).resolves.toBe(code);
    await expect(
      checkTotp({ secret: rfcSecret, code, epochSeconds: last + 30 }),
    ).resolves.toMatchObject({ result: 'valid', step });
    await expect(checkTotp({ secret: rfcSecret, code, epochSeconds: first + 60 })).resolves.toEqual(
      { result: 'invalid' },
    );
  });

  it.each(['', '12345', '1234567', 'abcdef', ' 12345', '12345\n', '١٢٣٤٥٦', '+12345'])(
    'refuses the malformed code %j without throwing',
    async (code) => {
      await expect(checkTotp({ secret: rfcSecret, code, epochSeconds: now })).resolves.toEqual({
        result: 'invalid',
      });
    },
  );

  it('refuses any code against a secret shorter than 128 bits instead of throwing', async () => {
    const short = rfcSecret.subarray(0, 10);
    await expect(checkTotp({ secret: short, code: '123456', epochSeconds: now })).resolves.toEqual({
      result: 'invalid',
    });
  });
});

describe('secrets and the otpauth URI', () => {
  it('generates 160-bit secrets, different every time, in unpadded base32', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    expect(a.bytes).toHaveLength(20);
    expect(a.base32).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32(a.base32)).toEqual(a.bytes);
    expect(a.base32).not.toBe(b.base32);
  });

  it('spells out issuer, label, algorithm, digits and period', () => {
    const uri = otpauthUri({
      issuer: 'Recovery Desk',
      account: 'åsa+test@example.test',
      secret: vectors.secretBase32,
    });
    expect(uri).toBe(
      'otpauth://totp/Recovery%20Desk:%C3%A5sa%2Btest%40example.test' +
        `?secret=${vectors.secretBase32}&issuer=Recovery%20Desk&algorithm=SHA1&digits=6&period=30`,
    );
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.searchParams.get('issuer')).toBe('Recovery Desk');
    expect(parsed.host).toBe('totp');
    expect(decodeURIComponent(parsed.pathname)).toBe('/Recovery Desk:åsa+test@example.test');
  });

  it('renders the URI as a PNG data URL', async () => {
    const dataUrl = await qrCodeDataUrl('otpauth://totp/X:y?secret=ABC');
    expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  });
});
