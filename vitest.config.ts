import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for work done off the request path (log rows, spans); a loaded CI machine can take seconds.
    expect: { poll: { timeout: 5_000 } },
    pool: "forks",
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
  },
});
