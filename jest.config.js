/** Two tiers: unit specs beside pure code, end-to-end specs against the real app and services. */
const transform = {
  // otplib's CommonJS build requires ESM-only @scure/base and @noble/hashes: transform those too
  '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};
const transformIgnorePatterns = ['/node_modules/(?!(@scure/base|@noble/hashes|otplib|@otplib)/)'];

module.exports = {
  // testTimeout is a global option: inside a project entry Jest ignores it (and keeps 5 s)
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
      testTimeout: 60000,
    },
  ],
};
