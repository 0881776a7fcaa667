import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../logging/logger';
import { installRuntime } from '../../worker/runtime';
import { workflowBundle } from '../support/temporal';

/** The Temporal SDK's own log lines, through the project's pino logger and its redaction. */
describe('Runtime.install with the project logger', () => {
  const lines: Array<Record<string, unknown>> = [];
  let connection: NativeConnection;

  beforeAll(async () => {
    // Before any connection or worker: the runtime is installed once per process.
    const log = createLogger({
      name: 'test-worker',
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    expect(installRuntime({ metricsPort: 0, log })).toBeNull();
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it("writes the SDK's worker lifecycle lines as the process's JSON lines", async () => {
    const worker = await Worker.create({
      connection,
      namespace: inject('temporalNamespace'),
      taskQueue: `sdk-logs-${Date.now()}`,
      workflowBundle: await workflowBundle(),
    });
    await worker.runUntil(new Promise((r) => setTimeout(r, 300)));
    Runtime.instance().flushLogs();
    const states = lines.filter((l) => l.msg === 'Worker state changed').map((l) => l.state);
    expect(states).toEqual(expect.arrayContaining(['RUNNING', 'STOPPED']));
    expect(lines.find((l) => l.msg === 'Worker state changed')).toMatchObject({
      service: 'test-worker',
      level: 30,
      sdkComponent: 'worker',
      taskQueue: expect.stringMatching(/^sdk-logs-/),
    });
  });

  it('redacts personal data in what the SDK logs, and logs an error by its type only', () => {
    const failure = Object.assign(new Error("The 'To' number +12125550142 is not a valid phone number"), {
      name: 'ApplicationFailure',
      type: 'SmsRejected',
    });
    Runtime.instance().logger.warn('Activity failed', {
      activityType: 'sendLeadSms',
      error: failure,
      phone: '+12125550142',
      lead: { name: 'Dana Whitfield', message: 'Water heater leaking' },
    });
    Runtime.instance().flushLogs();
    const line = lines.find((l) => l.msg === 'Activity failed');
    expect(line).toMatchObject({
      level: 40,
      activityType: 'sendLeadSms',
      errType: 'ApplicationFailure',
      failureType: 'SmsRejected',
      phone: '[redacted]',
      lead: { name: '[redacted]', message: '[redacted]' },
    });
    for (const personal of ['5550142', 'Dana', 'Water heater']) expect(JSON.stringify(line)).not.toContain(personal);
  });
});
