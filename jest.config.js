/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking happens once in `npm run lint` (tsc --noEmit); tests only transpile, which is much faster.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  testTimeout: 60000,
  // Two cores in CI: keep workers low so server-spawning suites do not starve each other.
  maxWorkers: 2,
};
