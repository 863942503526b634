import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../lib/core/version.js';
import { USER_AGENT } from '../../lib/session/user-agent.js';

describe('VERSION', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

  it('is the version in package.json (bump both together)', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is the one the default User-Agent sends', () => {
    expect(USER_AGENT).toBe(`lomond/${pkg.version} (node ${process.version})`);
  });
});
