import { CompressionParameterError, HandshakeError } from '../../lib/core/errors.js';
import { buildDeflateOffer, negotiateDeflate, type DeflateOptions, type DeflateParams } from '../../lib/core/deflate-params.js';

const DEFAULTS: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const refused = (message: string) => new CompressionParameterError(message);

describe('buildDeflateOffer', () => {
  it('offers client_max_window_bits without a value by default', () => {
    expect(buildDeflateOffer()).toBe('permessage-deflate; client_max_window_bits');
  });

  it('offers every parameter that is asked for', () => {
    expect(buildDeflateOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 })).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });

  it('leaves client_max_window_bits out when it is false', () => {
    expect(buildDeflateOffer({ clientMaxWindowBits: false })).toBe('permessage-deflate');
  });

  it('offers client_max_window_bits without a value when it is true', () => {
    expect(buildDeflateOffer({ clientMaxWindowBits: true, serverMaxWindowBits: 8 })).toBe('permessage-deflate; server_max_window_bits=8; client_max_window_bits');
  });

  it.each([7, 16, 9.5, NaN, '10' as never])('throws RangeError for window bits %p', (bits) => {
    expect(() => buildDeflateOffer({ serverMaxWindowBits: bits })).toThrow(new RangeError(`invalid serverMaxWindowBits ${bits} (expected an integer 8-15)`));
    expect(() => buildDeflateOffer({ clientMaxWindowBits: bits })).toThrow(new RangeError(`invalid clientMaxWindowBits ${bits} (expected an integer 8-15)`));
  });
});

describe('negotiateDeflate', () => {
  describe('RFC 7692 §7.1 accepted responses', () => {
    it('uses the defaults when the response has no parameters', () => {
      expect(negotiateDeflate('permessage-deflate')).toEqual(DEFAULTS);
    });

    it('reads every parameter of a response', () => {
      expect(negotiateDeflate('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10')).toEqual({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 9,
        clientMaxWindowBits: 10,
      });
    });

    it.each(['8', '9', '10', '11', '12', '13', '14', '15', '"12"'])('accepts window bits %s for both directions', (bits) => {
      const value = Number(bits.replace(/"/g, ''));
      expect(negotiateDeflate(`permessage-deflate; server_max_window_bits=${bits}`)).toEqual({ ...DEFAULTS, serverMaxWindowBits: value });
      expect(negotiateDeflate(`permessage-deflate; client_max_window_bits=${bits}`)).toEqual({ ...DEFAULTS, clientMaxWindowBits: value });
    });

    // §7.1.1.1 and §7.1.1.2: the server MAY include them even when the offer did not.
    it('accepts no_context_takeover parameters the client did not ask for', () => {
      expect(negotiateDeflate('permessage-deflate; server_no_context_takeover')).toEqual({ ...DEFAULTS, serverNoContextTakeover: true });
      expect(negotiateDeflate('permessage-deflate; client_no_context_takeover')).toEqual({ ...DEFAULTS, clientNoContextTakeover: true });
    });

    it('honours client_no_context_takeover that was offered even when the server does not repeat it', () => {
      expect(negotiateDeflate('permessage-deflate', { clientNoContextTakeover: true })).toEqual({ ...DEFAULTS, clientNoContextTakeover: true });
    });

    it('accepts a server_max_window_bits equal to or smaller than the one requested', () => {
      expect(negotiateDeflate('permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }).serverMaxWindowBits).toBe(10);
      expect(negotiateDeflate('permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 10 }).serverMaxWindowBits).toBe(8);
    });

    it('uses the offered client_max_window_bits value when the response has none, or a smaller one it sets', () => {
      expect(negotiateDeflate('permessage-deflate', { clientMaxWindowBits: 11 }).clientMaxWindowBits).toBe(11);
      expect(negotiateDeflate('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 11 }).clientMaxWindowBits).toBe(9);
    });

    it('accepts any parameter order and whitespace', () => {
      expect(negotiateDeflate('  permessage-deflate ;client_max_window_bits = 9;server_no_context_takeover ')).toEqual({
        ...DEFAULTS,
        serverNoContextTakeover: true,
        clientMaxWindowBits: 9,
      });
    });
  });

  describe('RFC 7692 §7 refused responses', () => {
    it.each(['7', '16', '0', '08', '+9', '9.0', '1e1', '0x9', '-8', '015', '"08"', 'ten'])('refuses window bits %s in both directions', (bits) => {
      expect(() => negotiateDeflate(`permessage-deflate; server_max_window_bits=${bits}`)).toThrow(refused(`invalid server_max_window_bits ${bits.replace(/"/g, '')}`));
      expect(() => negotiateDeflate(`permessage-deflate; client_max_window_bits=${bits}`)).toThrow(refused(`invalid client_max_window_bits ${bits.replace(/"/g, '')}`));
    });

    it('refuses window bits without a value in a response', () => {
      expect(() => negotiateDeflate('permessage-deflate; server_max_window_bits')).toThrow(refused('invalid server_max_window_bits (no value)'));
      expect(() => negotiateDeflate('permessage-deflate; client_max_window_bits')).toThrow(refused('invalid client_max_window_bits (no value)'));
    });

    // §7.1.1: "This extension parameter has no value."
    it.each(['server_no_context_takeover', 'client_no_context_takeover'])('refuses %s with a value', (param) => {
      expect(() => negotiateDeflate(`permessage-deflate; ${param}=1`)).toThrow(refused(`invalid ${param} 1 (takes no value)`));
      expect(() => negotiateDeflate(`permessage-deflate; ${param}="true"`)).toThrow(refused(`invalid ${param} true (takes no value)`));
    });

    // §7: "The negotiation response contains multiple extension parameters with the same name."
    it.each(['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits=10', 'client_max_window_bits=10'])(
      'refuses a duplicate %s',
      (param) => {
        const name = param.split('=')[0]!;
        expect(() => negotiateDeflate(`permessage-deflate; ${param}; ${param}`)).toThrow(refused(`duplicate parameter ${name}`));
      },
    );

    it('refuses a duplicate even when the values differ', () => {
      expect(() => negotiateDeflate('permessage-deflate; server_max_window_bits=10; server_max_window_bits=12')).toThrow(refused('duplicate parameter server_max_window_bits'));
    });

    // §7: "The negotiation response contains an extension parameter not defined for use in a response."
    it.each(['x_foo', 'Server_No_Context_Takeover', 'max_window_bits=10'])('refuses the unknown parameter %s', (param) => {
      expect(() => negotiateDeflate(`permessage-deflate; ${param}`)).toThrow(refused(`unknown parameter ${param.split('=')[0]}`));
    });

    it('refuses two extensions, even two permessage-deflate', () => {
      expect(() => negotiateDeflate('permessage-deflate, x-foo')).toThrow(refused('more than one extension permessage-deflate, x-foo'));
      expect(() => negotiateDeflate('permessage-deflate, permessage-deflate')).toThrow(refused('more than one extension permessage-deflate, permessage-deflate'));
    });

    it('refuses an extension other than permessage-deflate', () => {
      expect(() => negotiateDeflate('x-webkit-deflate-frame')).toThrow(refused('unexpected extension x-webkit-deflate-frame'));
      expect(() => negotiateDeflate('Permessage-Deflate')).toThrow(refused('unexpected extension Permessage-Deflate'));
    });

    // §7.1.2.2: a response to an offer without it "MUST NOT include the "client_max_window_bits" extension parameter".
    it('refuses client_max_window_bits when the client did not offer it', () => {
      expect(() => negotiateDeflate('permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: false })).toThrow(
        refused('unexpected client_max_window_bits (not offered)'),
      );
    });

    it('refuses a client_max_window_bits larger than the offered value', () => {
      expect(() => negotiateDeflate('permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 })).toThrow(
        refused('invalid client_max_window_bits 12 (offered 10)'),
      );
    });

    // §7.1.2.1: the server accepts "with the same or smaller value as the offer".
    it('refuses a server_max_window_bits larger than requested', () => {
      expect(() => negotiateDeflate('permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 10 })).toThrow(
        refused('invalid server_max_window_bits 11 (requested 10)'),
      );
    });

    it('refuses a response that drops a requested server_max_window_bits', () => {
      expect(() => negotiateDeflate('permessage-deflate', { serverMaxWindowBits: 10 })).toThrow(refused('missing server_max_window_bits (requested 10)'));
    });

    // §7.1.1.1: the server accepts server_no_context_takeover "by including" it in the response.
    it('refuses a response that drops a requested server_no_context_takeover', () => {
      expect(() => negotiateDeflate('permessage-deflate', { serverNoContextTakeover: true })).toThrow(refused('missing server_no_context_takeover (requested)'));
    });

    it('turns syntax errors into CompressionParameterError, a HandshakeError', () => {
      const attempt = () => negotiateDeflate('permessage-deflate; server_max_window_bits=');
      expect(attempt).toThrow(refused('invalid extensions header "permessage-deflate; server_max_window_bits=": expected a value for server_max_window_bits at 43'));
      expect(attempt).toThrow(HandshakeError);
    });

    it('throws RangeError for invalid options', () => {
      expect(() => negotiateDeflate('permessage-deflate', { serverMaxWindowBits: 16 })).toThrow(RangeError);
    });
  });

  describe('every combination of offer and response', () => {
    /** The rules of §7.1, written as a table lookup rather than the code path: null when the response must be refused. */
    function oracle(offer: DeflateOptions, response: { snct: boolean; cnct: boolean; sbits?: number; cbits?: number }): DeflateParams | null {
      const offeredClient = offer.clientMaxWindowBits ?? true;
      if (offer.serverNoContextTakeover && !response.snct) return null;
      if (offer.serverMaxWindowBits !== undefined && (response.sbits === undefined || response.sbits > offer.serverMaxWindowBits)) return null;
      if (response.cbits !== undefined && (offeredClient === false || (typeof offeredClient === 'number' && response.cbits > offeredClient))) return null;
      return {
        serverNoContextTakeover: response.snct,
        clientNoContextTakeover: response.cnct || offer.clientNoContextTakeover === true,
        serverMaxWindowBits: response.sbits ?? 15,
        clientMaxWindowBits: response.cbits ?? (typeof offeredClient === 'number' ? offeredClient : 15),
      };
    }

    const booleans = [false, true];
    const bits = [undefined, 8, 12, 15];

    it('accepts exactly the responses the RFC allows, with the parameters it implies', () => {
      let checked = 0;
      for (const snctOffer of booleans)
        for (const cnctOffer of booleans)
          for (const sbitsOffer of bits)
            for (const cbitsOffer of [true, false, 8, 12, 15])
              for (const snct of booleans)
                for (const cnct of booleans)
                  for (const sbits of bits)
                    for (const cbits of bits) {
                      const offer: DeflateOptions = { serverNoContextTakeover: snctOffer, clientNoContextTakeover: cnctOffer, serverMaxWindowBits: sbitsOffer, clientMaxWindowBits: cbitsOffer };
                      const params = ['permessage-deflate'];
                      if (snct) params.push('server_no_context_takeover');
                      if (cnct) params.push('client_no_context_takeover');
                      if (sbits !== undefined) params.push(`server_max_window_bits=${sbits}`);
                      if (cbits !== undefined) params.push(`client_max_window_bits=${cbits}`);
                      const header = params.join('; ');
                      const expected = oracle(offer, { snct, cnct, sbits, cbits });
                      if (expected === null) expect(() => negotiateDeflate(header, offer)).toThrow(CompressionParameterError);
                      else expect(negotiateDeflate(header, offer)).toEqual(expected);
                      checked++;
                    }
      expect(checked).toBe(5120);
    });
  });
});
