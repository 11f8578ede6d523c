// Two projects: `unit` (specs beside the code, no I/O beyond mocks) and `e2e` (test/, against a
// real Kafka broker and the simulator over real sockets). The broker is found or started once in
// globalSetup and its address reaches the tests through process.env.KAFKA_BROKERS.
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { ...swc, swcrc: false }] };
const moduleNameMapper = {
  // Sources are ESM with `.js` in relative imports (nodenext); jest resolves the `.ts` file.
  '^(\\.{1,2}/.*)\\.js$': '$1',
  // One alias prefix for libs, mirrored from tsconfig.json `paths`.
  '^@app/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@app/contracts/(.*?)(\\.js)?$': '<rootDir>/libs/contracts/src/$1',
  // The package's own name, for the code written to be copied out of this repository (the
  // subscriber app, the kafkajs example): there it resolves to the installed package.
  '^@wolkvox-email-events/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@app/wolkvox-client$': '<rootDir>/libs/wolkvox-client/src/index.ts',
  '^@app/wolkvox-client/(.*?)(\\.js)?$': '<rootDir>/libs/wolkvox-client/src/$1',
};
const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts', '<rootDir>/test/setup'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      // Files run side by side, but for `@lane alone` and `@lane solo` ones (the runner's header).
      runner: '<rootDir>/test/setup/lanes-runner.ts',
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  // A project-level testTimeout is ignored; e2e tests set longer ones where they need them.
  testTimeout: 30_000,
  // Jest's default on this 2-core machine is one worker: every e2e file one after the other,
  // though most of their time is spent waiting. Four: the unit files in parallel, and the e2e
  // files in lanes (test/setup/lanes-runner.ts): `@lane alone` files first, then `@lane solo`
  // files one at a time and the others three at a time beside them. `--maxWorkers` on the
  // command line overrides this.
  maxWorkers: 4,
};
