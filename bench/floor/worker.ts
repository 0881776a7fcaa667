import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { createFloorActivities } from './activities';
import { AesGcmCodec } from './codec';

/**
 * The floor's own worker process (run by bench/floor/floor-benchmark.ts): its workflows and
 * activities only, on its own task queue. FLOOR_CODEC_KEY (hex) turns the AES-GCM codec on.
 */
const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
Runtime.install({ logger: new DefaultLogger('WARN') });
const pool = new pg.Pool({ connectionString: env('FLOOR_DATABASE_URL'), max: 10 });
const connection = await NativeConnection.connect({ address: env('FLOOR_TEMPORAL_ADDRESS') });
const key = process.env.FLOOR_CODEC_KEY;
const worker = await Worker.create({
  connection,
  taskQueue: env('FLOOR_TASK_QUEUE'),
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities: createFloorActivities({
    pool,
    twilio: { url: env('FLOOR_TWILIO_URL'), sid: env('FLOOR_TWILIO_SID'), token: env('FLOOR_TWILIO_TOKEN') },
  }),
  ...(key ? { dataConverter: { payloadCodecs: [new AesGcmCodec(Buffer.from(key, 'hex'))] } } : {}),
});
process.on('SIGTERM', () => worker.shutdown());
await worker.run();
await pool.end();
await connection.close();
