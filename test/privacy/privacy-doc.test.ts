import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODEC_SESSION_COOKIE } from '../../api/auth/authenticate';

/**
 * docs/privacy.md is what leadflow's users rely on when they publish their policies: every
 * row names the test that keeps its promise, and a renamed or removed test must not leave
 * the row citing something that no longer exists.
 */
const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs/privacy.md'), 'utf8');

/** The promise rows: their number and the last cell (the tests). */
const rows = doc
  .split('\n')
  .filter((line) => /^\| \d+ \|/.test(line))
  .map((line) => {
    const cells = line.trim().replace(/\|$/, '');
    return { row: Number(/^\| (\d+)/.exec(line)![1]), tests: cells.slice(cells.lastIndexOf('|') + 1).trim() };
  });

/** `test/…` paths, each followed by the quoted names of its tests ("…" stands for words left out). */
function citations(cell: string): Array<{ file: string; names: string[] }> {
  const cited: Array<{ file: string; names: string[] }> = [];
  for (const m of cell.matchAll(/`(test\/[^`]+)`|"([^"]+)"/g)) {
    if (m[1]) cited.push({ file: m[1], names: [] });
    else cited.at(-1)?.names.push(m[2]!);
  }
  return cited;
}

/** Test titles as written in the file, unescaped. */
function titlesIn(source: string): string[] {
  const titles: string[] = [];
  for (const m of source.matchAll(
    /\b(?:it|test|describe)(?:\.each\([\s\S]*?\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g,
  )) {
    titles.push(m[2]!.replace(/\\(.)/g, '$1'));
  }
  return titles;
}

/** The name's parts, in order, within one title. */
const matches = (title: string, name: string) => {
  let at = 0;
  for (const part of name
    .split('…')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const found = title.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return true;
};

describe('docs/privacy.md', () => {
  it('has every promise row, numbered in order', () => {
    expect(rows.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.length).toBeGreaterThanOrEqual(29);
  });

  it('cites, in every row, tests by file and name that exist', () => {
    const missing: string[] = [];
    for (const { row, tests } of rows) {
      const cited = citations(tests);
      if (!cited.some((c) => c.names.length > 0)) missing.push(`row ${row}: no test named`);
      for (const { file, names } of cited) {
        if (!existsSync(join(root, file))) {
          missing.push(`row ${row}: ${file} does not exist`);
          continue;
        }
        const titles = titlesIn(readFileSync(join(root, file), 'utf8'));
        for (const name of names) {
          if (!titles.some((title) => matches(title, name))) missing.push(`row ${row}: ${file} has no test "${name}"`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('says only what is so about cookies and the README', () => {
    // The codec sign-in sets a cookie; the document must say so rather than "no cookies".
    expect(doc).not.toMatch(/sets no cookies/i);
    // …and name the cookie the codec sign-in really sets.
    expect(doc).toContain(CODEC_SESSION_COOKIE);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const [, section] of doc.matchAll(/README[^"]*\("([^"]+)"\)/g)) {
      expect(readme).toMatch(new RegExp(`^#+ ${section}$`, 'm'));
    }
  });
});
