/**
 * The structure of src/, checked on every `npm run lint` (and so in CI): a wrong import fails
 * like a type error. docs/architecture.md explains each rule. Spec files (`*.spec.ts`) are test
 * code beside the code they test: they may import test/ and are left out of the cycle rules.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SPEC = '\\.spec\\.ts$';
const FEATURES =
  '^src/(?!domain/|common/)[^/]+/'; // every folder of src/ but the domain and common

module.exports = {
  forbidden: [
    {
      name: 'no-circular-files',
      severity: 'error',
      comment: 'A file may not reach itself through its imports.',
      from: { path: '^src/', pathNot: SPEC },
      to: { circular: true, pathNot: SPEC },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'Folders import each other in one direction only (features -> domain, common). Two ' +
        'folders needing each other share something that belongs in the domain, or one of them ' +
        'should hear from the other through a port or an event (JobChanges).',
      scope: 'folder',
      from: { path: '^src/', pathNot: SPEC },
      to: { circular: true, pathNot: SPEC },
    },
    {
      name: 'domain-imports-no-feature',
      severity: 'error',
      comment:
        'src/domain is the centre: the job document, its identities, occurrences, attempts, run ' +
        'records, outcomes and the skip decision. It imports common/ and libraries, never a feature.',
      from: { path: '^src/domain/', pathNot: SPEC },
      to: { path: '^src/', pathNot: '^src/(domain|common)/' },
    },
    {
      name: 'common-imports-no-feature',
      severity: 'error',
      comment: 'src/common holds what any feature may use; it knows no feature and not the domain.',
      from: { path: '^src/common/', pathNot: SPEC },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'features-import-no-config',
      severity: 'error',
      comment:
        'A feature gets its settings slice by injection (its own abstract class, provided by ' +
        'ConfigModule); it never imports src/config, which composes the slices from every feature.',
      from: { path: FEATURES, pathNot: `^src/config/|${SPEC}` },
      to: { path: '^src/config/' },
    },
    {
      name: 'features-import-no-root',
      severity: 'error',
      comment: 'The app module, main.ts and app.setup.ts assemble the features; no feature imports them.',
      from: { path: '^src/[^/]+/', pathNot: SPEC },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      comment:
        'What ships (src/ without its specs) never imports test/ or a spec: contract suites and ' +
        'test helpers live in test/.',
      from: { path: '^src/', pathNot: SPEC },
      to: { path: `^test/|${SPEC}` },
    },
  ],
  options: {
    // Specs are test code: not part of the shipped graph. test/ is seen (an import of it from
    // src/ is an error above) but not followed.
    exclude: { path: SPEC },
    doNotFollow: { path: ['node_modules', '^test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
