import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Chooses (or starts) the PostgreSQL the tests use and gives the run its own temporary folder.
    globalSetup: ['test/global-setup.ts'],
    // Child-process tests start the real bot; give them room on a 2-core CI box.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two at once even on two cores (vitest's default leaves one free): most of the slow files
    // wait on child processes (the bot, the CLI, PostgreSQL), so the second core is mostly idle.
    maxWorkers: 2,
  },
});
