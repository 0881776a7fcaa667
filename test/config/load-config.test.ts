import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load-config';

describe('loadConfig', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reports every problem at once, one line each, naming the variable', () => {
    const env = {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/x',
      TEMPORAL_ADDRESS: 'temporal',
      TWILIO_ACCOUNT_SID: 'AC123',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'PORT must be a number',
      'DATABASE_URL must be a postgresql:// URL',
      'TEMPORAL_ADDRESS must be host:port, e.g. localhost:7233',
      'TWILIO_AUTH_TOKEN is required: Twilio needs both the account SID and the auth token',
    ]);
  });

  it('never echoes a value, since values may be secrets', () => {
    const secret = 'sk_live_this_must_not_appear';
    expect(() => loadConfig({ ENCRYPTION_KEY: secret })).toThrow(ConfigError);
    try {
      loadConfig({ ENCRYPTION_KEY: secret });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
      expect((err as Error).message).toContain('ENCRYPTION_KEY must be 32 bytes');
    }
  });

  it('demands the production essentials in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL is required in production[\s\S]*TEMPORAL_ADDRESS is required in production[\s\S]*ENCRYPTION_KEY is required in production[\s\S]*ADMIN_TOKEN is required in production/,
    );
  });

  it('accepts a complete cluster configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5432/leadflow',
      TEMPORAL_ADDRESS: 'leadflow.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'leadflow.a1b2c',
      TEMPORAL_API_KEY: 'key',
      ENCRYPTION_KEY: 'a'.repeat(64),
      ADMIN_TOKEN: 'x'.repeat(32),
    });
    expect(config.PORT).toBe(8080);
    expect(config.TEMPORAL_API_KEY).toBe('key');
  });

  it('reads the worker’s shutdown grace and privacy-queue slots, with defaults, naming a bad value', () => {
    expect(loadConfig({})).toMatchObject({ WORKER_SHUTDOWN_GRACE_SECONDS: 30, WORKER_PRIVACY_CONCURRENCY: 4 });
    expect(loadConfig({ WORKER_SHUTDOWN_GRACE_SECONDS: '0', WORKER_PRIVACY_CONCURRENCY: '8' })).toMatchObject({
      WORKER_SHUTDOWN_GRACE_SECONDS: 0,
      WORKER_PRIVACY_CONCURRENCY: 8,
    });
    expect(() => loadConfig({ WORKER_SHUTDOWN_GRACE_SECONDS: 'soon', WORKER_PRIVACY_CONCURRENCY: '1' })).toThrow(
      expect.objectContaining({
        problems: ['WORKER_SHUTDOWN_GRACE_SECONDS must be a number', 'WORKER_PRIVACY_CONCURRENCY must be at least 2'],
      }),
    );
  });
});
