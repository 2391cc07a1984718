import type { RedisOptions } from 'bullmq';

/** ioredis options from REDIS_URL (redis://[user:pass@]host:port[/db], rediss:// for TLS). */
export function redisOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: db === '' ? 0 : Number(db),
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // reconnect forever, backing off to 2 s: an outage must heal by itself
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
}
