import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/toolchain/paths';
import { cliInProcess, cliProcess } from './cli-harness';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const help = (argv: string[]) => cliInProcess(argv, {});

describe('leadflow --help and --version', () => {
  it('gives every command its own help, naming its own options, with the exit codes', async () => {
    const run = await help(['retention', 'run', '--help']);
    const open = await help(['privacy', 'open', '--help']);
    expect(run.exitCode).toBe(0);
    expect(open.exitCode).toBe(0);
    expect(run.stdout).not.toBe(open.stdout);
    expect(run.stdout).toMatch(/^Usage: leadflow retention run \[options\]/);
    for (const option of ['--dry-run', '--wait', '--timeout <seconds>', '--categories <list>', '--json'])
      expect(run.stdout).toContain(option);
    expect(run.stdout).not.toContain('--verify');
    expect(open.stdout).toMatch(/^Usage: leadflow privacy open <type>/);
    for (const option of ['--lead <id>', '--phone <number>', '--verify <method>', '--agent-name <name>', '--json'])
      expect(open.stdout).toContain(option);
    expect(open.stdout).not.toContain('--dry-run');
    for (const page of [run.stdout, open.stdout]) {
      expect(page).toMatch(/^Exit codes:\n {2}0 {2}done\n {2}1 {2}failed: .+\n {2}2 {2}usage: /m);
    }
  });

  it('lists every runnable command in the top-level help, which --json and the exit codes come with', async () => {
    const top = await help(['--help']);
    expect(top.exitCode).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+(?: [a-z]+)+)(?= |$)/gm)].map((m) => m[1]);
    expect(commands).toEqual([
      'account hold place',
      'account hold release',
      'account show',
      'hold place',
      'hold release',
      'privacy export',
      'privacy list',
      'privacy open',
      'privacy show',
      'privacy verify',
      'receipts list',
      'receipts verify',
      'retention run',
      'retention show',
    ]);
    for (const command of commands) {
      const page = await help([...command!.split(' '), '--help']);
      expect(page.exitCode).toBe(0);
      expect(page.stdout).toContain(`Usage: leadflow ${command} `);
      expect(page.stdout).toContain('--json');
      expect(page.stdout).toContain('Exit codes:');
    }
    // With no command at all: the same help, exit 0; a group without its verb is a usage error.
    expect(await help([])).toMatchObject({ exitCode: 0, stdout: top.stdout });
    const group = await help(['retention']);
    expect(group.exitCode).toBe(2);
    expect(group.stderr).toContain('retention run');
  });

  it('prints the package version', async () => {
    expect(await help(['--version'])).toMatchObject({ exitCode: 0, stdout: `${VERSION}\n` });
  });

  it('runs as `npx leadflow` from the repository, with nothing but its own output on stdout', async () => {
    const npx = ['npx', '--no-install', 'leadflow'] as [string, ...string[]];
    expect(await cliProcess(['--version'], {}, npx)).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const top = await cliProcess(['--help'], {}, npx);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: leadflow \[options\] \[command\]/);
    const typo = await cliProcess(['retention', 'run', '--dryrun'], {}, npx);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean --dry-run?)');
  });
});
