import { hintFor, readableReason } from '../../lib/cli/reasons.js';

describe('readableReason and hintFor', () => {
  it("reduces OpenSSL's error strings to their description", () => {
    expect(readableReason('80BCEA8EFB7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n'))
      .toBe('TLS error: wrong version number');
    expect(readableReason('error:0A00010B:SSL routines::wrong version number')).toBe('TLS error: wrong version number');
    expect(readableReason('error:0A000086:SSL routines:')).toBe('error:0A000086:SSL routines:');
    expect(readableReason(' connect ECONNREFUSED 127.0.0.1:1 ')).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });

  it('hints at the usual mistakes', () => {
    expect(hintFor('TLS error: wrong version number')).toBe('does the server speak TLS on that port? a plain server needs ws://');
    expect(hintFor('unable to verify the first certificate')).toMatch(/^--ca FILE .*--insecure/);
    expect(hintFor('self-signed certificate')).toMatch(/--insecure/);
    expect(hintFor("Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list")).toMatch(/--ca/);
    expect(hintFor('connect ECONNREFUSED 127.0.0.1:1')).toBe('nothing is listening there');
    expect(hintFor('getaddrinfo ENOTFOUND nope.invalid')).toBe('the host name does not resolve');
    expect(hintFor('connect timeout after 30000 ms')).toBeNull();
  });
});
