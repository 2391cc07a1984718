import { startupWarnings } from './logging';

describe('startupWarnings', () => {
  const production = {
    senderAuth: 'dmarc' as const,
    nodeEnv: 'production',
    metricsToken: undefined,
    httpHost: '0.0.0.0',
    roles: new Set(['api' as const]),
  };

  it('warns when a production API serves /metrics openly on a non-loopback address', () => {
    expect(startupWarnings(production).join()).toContain('METRICS_TOKEN is unset');
  });

  it.each([
    ['a token is set', { metricsToken: 'sixteen-chars-16' }],
    ['HTTP is on loopback', { httpHost: '127.0.0.1' }],
    ['not production', { nodeEnv: 'development' }],
    ['no api role', { roles: new Set(['worker' as const]) }],
  ])('says nothing about metrics when %s', (_, change) => {
    expect(startupWarnings({ ...production, ...change }).join()).not.toContain('METRICS_TOKEN');
  });
});
