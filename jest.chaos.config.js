// The fault suite (`npm run chaos`): scenarios against real processes (redis-server, sentinel,
// s3rver behind a fault-injecting proxy, the fake AWS endpoint, several minion replicas started
// from dist/main.js). Not part of `npm test`: `CHAOS_SHORT=1 npm run chaos` is its short form,
// which CI runs (.ci/run); see docs/faults.md.
const base = require('./package.json').jest;

module.exports = {
  ...base,
  roots: ['<rootDir>/test/chaos'],
  testRegex: '.*\\.chaos-spec\\.ts$',
  testTimeout: 600000,
};
