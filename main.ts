/**
 * cobre-mcp command line: `serve | launch | launch-line | validate-cases` (see `main.ts help`),
 * the gated host's `host` and `demo` (see `src/host`), `conformance` (see `src/conformance`) and
 * `bench` (see `src/bench`).
 * Thin on purpose: it hands the arguments to `src/server` and exits with the code it returns.
 *
 * @module
 */
import { runCommandLine, withoutTaskSeparator } from "./src/server/mod.ts";

if (import.meta.main) {
  // Exit by setting the code rather than calling Deno.exit: a clean session leaves nothing
  // pending, so the process ends on its own, and a leaked timer would show up as a hang in tests.
  const args = withoutTaskSeparator(Deno.args);
  const [command, ...rest] = args;
  if (command === "conformance") {
    // Loaded only here: it drives launched servers as a client and is never part of one.
    const { runConformanceCommand } = await import("./src/conformance/mod.ts");
    Deno.exitCode = await runConformanceCommand(rest);
  } else if (command === "bench") {
    // Loaded only here: benchmarks drive launched servers and are never part of one.
    const { runBenchCommand } = await import("./src/bench/mod.ts");
    Deno.exitCode = await runBenchCommand(rest);
  } else if (command === "host" || command === "demo") {
    // Loaded only here: the sandboxed server never needs the host's code.
    const host = await import("./src/host/mod.ts");
    Deno.exitCode = command === "host" ? await host.runHostCommand(rest) : await host.runDemo(rest);
  } else {
    Deno.exitCode = await runCommandLine(args);
  }
}
