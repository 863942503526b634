// A jest reporter that lists every skipped test on one line with its full
// name, so a skip is never silent. A spec that skips for a reason puts the
// reason in its describe title (spec/browser-e2e/chromium.spec.ts:
// "… (no chromium at /usr/bin/chromium: …)").
'use strict';

class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') skipped.push([...test.ancestorTitles, test.title].join(' › '));
      }
    }
    for (const name of skipped) process.stderr.write(`skipped: ${name}\n`);
  }
}

module.exports = SkipReporter;
