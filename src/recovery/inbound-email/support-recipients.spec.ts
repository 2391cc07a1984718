import { SupportRecipients } from './support-recipients';

describe('SupportRecipients', () => {
  const rule = new SupportRecipients(['support@recovery-desk.test', 'help@bücher.test']);

  it.each([
    'support@recovery-desk.test',
    'SUPPORT@Recovery-Desk.TEST',
    ' support@recovery-desk.test ',
    'support@recovery-desk.test.',
    'Help@BÜCHER.test',
    'help@xn--bcher-kva.test',
  ])('accepts %s', (address) => {
    expect(rule.accepts(address)).toBe(true);
  });

  it.each([
    'someone@recovery-desk.test',
    'support@recovery-desk.test.evil.test',
    'support@evil.test',
    '"support@recovery-desk.test"@evil.test',
    '',
    'support',
  ])('refuses %s', (address) => {
    expect(rule.accepts(address)).toBe(false);
  });

  it('lists the refused ones of a recipient list', () => {
    expect(rule.refused(['Support@recovery-desk.test', 'boss@clinic.test'])).toEqual([
      'boss@clinic.test',
    ]);
  });
});
