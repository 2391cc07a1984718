import { loggedPath } from '../../common/logging';
import { chooseLocale, localeFromAcceptLanguage, messages } from './locale';

describe('page language', () => {
  it.each([
    ['sv-SE,sv;q=0.9,en;q=0.8', 'sv'],
    ['en-GB,en;q=0.9,sv;q=0.8', 'en'],
    ['de-DE,sv;q=0.5,en;q=0.7', 'en'],
    ['fr, sv;q=0.1', 'sv'],
    ['sv;q=0, en', 'en'],
    ['de', undefined],
    ['', undefined],
    [';;;q=abc,,', undefined],
  ])('reads Accept-Language %j as %s', (header, expected) => {
    expect(localeFromAcceptLanguage(header)).toBe(expected);
  });

  it('prefers the explicit switch, then the user, then the browser, then English', () => {
    expect(chooseLocale({ cookie: 'en', userLocale: 'sv', acceptLanguage: 'sv' })).toBe('en');
    expect(chooseLocale({ cookie: 'xx', userLocale: 'sv', acceptLanguage: 'en' })).toBe('sv');
    expect(chooseLocale({ acceptLanguage: 'sv-FI' })).toBe('sv');
    expect(chooseLocale({})).toBe('en');
  });

  it('uses the help-centre article’s Swedish words for its buttons', () => {
    expect(messages('sv').twoFactor.enable).toBe('Aktivera tvåfaktorsautentisering');
    expect(messages('sv').users.reset).toBe('Återställ 2fa-token');
    expect(messages('sv').users.title).toBe('Användare');
  });
});

describe('logged request paths', () => {
  it('drop the query and the cancel link token', () => {
    expect(loggedPath('/recovery/cancel/abcDEF123_-xyz?x=1')).toBe('/recovery/cancel/[redacted]');
    expect(loggedPath('/agent/requests?sender=a@b.test')).toBe('/agent/requests');
    expect(loggedPath('/recovery/cancelled')).toBe('/recovery/cancelled');
    expect(loggedPath('/security/report/abcDEF123_-xyz')).toBe('/security/report/[redacted]');
    expect(loggedPath('/security/report/abcDEF123_-xyz?lang=sv')).toBe(
      '/security/report/[redacted]',
    );
  });
});
