#!/usr/bin/env -S node --import tsx
/**
 * `npx leadflow <command>`: compliance work against a running leadflow API (cli/program.ts
 * holds the commands; `npx leadflow --help` lists them).
 */
import { runCli } from './program';

// A reader that stops early (`| head`) is not a failure of the command.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
});
