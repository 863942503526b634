import { styleFor, wantsColour } from '../../lib/cli/style.js';

describe('CLI colours', () => {
  it('are on for a terminal, off for a pipe, NO_COLOR (when not empty) and TERM=dumb', () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(false, {})).toBe(false);
    expect(wantsColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(true, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour(true, { TERM: 'dumb' })).toBe(false);
  });

  it('paint with SGR sequences, or not at all', () => {
    expect(styleFor(true, {}).error('x')).toBe('\x1b[31mx\x1b[39m');
    expect(styleFor(true, {}).dim('x')).toBe('\x1b[2mx\x1b[22m');
    const plain = styleFor(true, { NO_COLOR: 'yes' });
    expect([plain.dim('x'), plain.error('x'), plain.warn('x'), plain.received('<'), plain.sent('>')]).toEqual(['x', 'x', 'x', '<', '>']);
    expect(plain.enabled).toBe(false);
  });
});
