import { normalizeEmail } from './email-address';

describe('normalizeEmail', () => {
  it.each([
    ['Asa.Oberg@Example.SE', 'asa.oberg@example.se'],
    ['  owner@demo-clinic.test  ', 'owner@demo-clinic.test'],
    ['user@example.com.', 'user@example.com'],
    // internationalized domains are compared in their ASCII (punycode) form
    ['asa@öberg.se', 'asa@xn--berg-4qa.se'],
    ['ASA@ÖBERG.SE', 'asa@xn--berg-4qa.se'],
    ['asa@xn--berg-4qa.se', 'asa@xn--berg-4qa.se'],
    ['first+tag@example.com', 'first+tag@example.com'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    [''],
    ['no-at-sign'],
    ['@example.com'],
    ['user@'],
    ['user@localhost'],
    ['two words@example.com'],
    ['"Name" <user@example.com>'],
    ['a,b@example.com'],
    ['a@b@example.com'],
    [`${'x'.repeat(65)}@example.com`],
    [`user@${'d'.repeat(250)}.com`],
  ])('refuses %j', (input) => {
    expect(normalizeEmail(input)).toBeUndefined();
  });

  it('gives the same key for addresses that differ only in case and IDN form', () => {
    expect(normalizeEmail('Åsa@Öberg.se')).toBe(normalizeEmail('åsa@xn--berg-4qa.se'));
  });
});
