import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap } from './bootstrap';
import { ROOT } from './toolchain/paths';

/**
 * `npm test`: installs what `npm ci` cannot (cached under .tools/), then runs the whole
 * vitest suite, which starts its own Postgres and Temporal servers. Extra arguments go to
 * vitest, e.g. `npm test -- test/config`.
 */
const started = performance.now();
await bootstrap({ temporalCli: true, testServer: true, log: (l) => console.log(`bootstrap: ${l}`) });
console.log(`bootstrap: ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
