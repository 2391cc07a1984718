import {
  codeLabel,
  methodLabel,
  routeLabel,
  statusCodeLabel,
  UNMATCHED_ROUTE,
} from './metric-labels';

describe('metric labels', () => {
  it.each([
    [{ route: { path: '/api/recovery/requests/:id' } }, '/api/recovery/requests/:id'],
    [{ baseUrl: '/api', route: { path: '/me' } }, '/api/me'],
    [{ baseUrl: '', route: { path: '' } }, '/'],
    [{}, UNMATCHED_ROUTE],
    [{ route: { path: '/{*path}' } }, UNMATCHED_ROUTE],
    [{ route: { path: '*' } }, UNMATCHED_ROUTE],
    [{ route: { path: '/static/{*file}.css' } }, '/static/{*file}.css'],
    [{ route: {} }, UNMATCHED_ROUTE],
    [{ route: { path: /regex/ } }, UNMATCHED_ROUTE],
  ])('route of %j is %s', (request, expected) => {
    expect(routeLabel(request)).toBe(expected);
  });

  it.each([
    ['get', 'GET'],
    ['POST', 'POST'],
    ['PROPFIND', 'other'],
    ['GET /x', 'other'],
    [undefined, 'other'],
  ])('method %s is %s', (method, expected) => {
    expect(methodLabel(method)).toBe(expected);
  });

  it.each([
    [200, '200'],
    [599, '599'],
    [99, 'other'],
    [600, 'other'],
    [200.5, 'other'],
  ])('status %s is %s', (status, expected) => {
    expect(statusCodeLabel(status)).toBe(expected);
  });

  it.each([
    ['evidence_mismatch', 'evidence_mismatch'],
    ['account_frozen', 'account_frozen'],
    [null, 'none'],
    ['', 'none'],
    ['someone@example.test', 'other'],
    ['Evidence', 'other'],
    ['x'.repeat(49), 'other'],
  ])('code %s is %s', (value, expected) => {
    expect(codeLabel(value)).toBe(expected);
  });
});
