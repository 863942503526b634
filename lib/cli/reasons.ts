/**
 * Why a connection failed, told the way a person at a terminal wants it:
 * OpenSSL's error strings reduced to their description, and a hint for the
 * usual mistakes (a plain server behind wss://, an untrusted certificate,
 * nothing listening). `--json` keeps the raw reason; these are for stderr.
 */

const ROUTINES = ' routines:';

/**
 * The readable part of a failure reason. An OpenSSL error string
 * (`80BC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/…:350:`,
 * or `error:0A00010B:SSL routines::wrong version number` on newer builds) becomes
 * `TLS error: wrong version number`; any other reason is returned trimmed.
 */
export function readableReason(reason: string): string {
  const at = reason.indexOf(ROUTINES);
  if (at < 0) return reason.trim();
  // After "<LIB> routines:" come the function (empty on OpenSSL 3 builds) and the description.
  const fields = reason.slice(at + ROUTINES.length).split(':', 2);
  const description = (fields[1] ?? '').trim();
  return description === '' ? reason.trim() : `TLS error: ${description}`;
}

/** Reason fragments and the hint each deserves. */
const HINTS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['wrong version number', 'packet length too long', 'http request'], 'does the server speak TLS on that port? a plain server needs ws://'],
  [['certificate', 'altnames', 'self-signed', 'self signed', 'local issuer'], "--ca FILE trusts the server's certificate authority; --insecure skips the check"],
  [['ECONNREFUSED'], 'nothing is listening there'],
  [['ENOTFOUND', 'EAI_AGAIN'], 'the host name does not resolve'],
];

/** A hint for a failure reason (raw or readable), or null when there is nothing useful to add. */
export function hintFor(reason: string): string | null {
  for (const [fragments, hint] of HINTS) if (fragments.some((fragment) => reason.includes(fragment))) return hint;
  return null;
}
