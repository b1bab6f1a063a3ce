/**
 * What each `main.ts` command does, once its arguments are parsed. Startup failures are printed
 * for the operator (message and suggestion, never a stack trace) with a non-zero exit code.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, readEnv, userCwd } from "../common/mod.ts";
import { loadOrCreateServerId } from "../jobs/mod.ts";
import {
  detectServerMode,
  formatLaunchLine,
  type HttpEndpoint,
  launchLine,
  Sandbox,
} from "../security/mod.ts";
import {
  type Command,
  type DefaultsSource,
  type HttpFlags,
  type LaunchCommand,
  type LaunchLineCommand,
  parseCommandLine,
  resolveDirectories,
  type ServeCommand,
  USAGE,
  UsageError,
  type ValidateCasesCommand,
} from "./cli_args.ts";
import { openAuditChain } from "./audit_chain.ts";
import { runWithInheritedStdio } from "./launcher.ts";
import { ServerLog, writeStderrLine } from "./logger.ts";
import { serveStdio } from "./serve_stdio.ts";
import { cobreTools } from "./tools/mod.ts";
import { cobreResourceTemplates } from "./resources/mod.ts";
import { cobrePrompts } from "./prompts/mod.ts";
import { openRefRegistry } from "../refs/mod.ts";
import { RunCoordinator } from "./run/coordinator.ts";

/** Exit code for bad command-line usage (as getopt-style tools use). */
export const EXIT_USAGE = 2;

/**
 * The real environment. "The current directory" is where the user typed the command: `deno task`
 * runs tasks from the config file's directory and keeps the caller's one in `INIT_CWD`.
 */
export const processDefaults: DefaultsSource = {
  env: readEnv,
  cwd: userCwd,
};

async function serve(command: ServeCommand, defaults: DefaultsSource): Promise<number> {
  const { allowedDirs, stateDir } = resolveDirectories(command, defaults);
  const mode = await detectServerMode({ allowedDirs, stateDir, noSandbox: command.noSandbox });
  // With the state dir the sandbox can ask the kernel what each descriptor opened (race-proof).
  const sandbox = await Sandbox.create(allowedDirs, { stateDir });
  // Stable across restarts: tasks and ref:// references are bound to the server id.
  const serverId = await loadOrCreateServerId(stateDir);
  const log = new ServerLog({ stderrLevel: command.logLevel });
  if (!sandbox.raceProofReads) {
    log.operator(
      "warning",
      "Reads are checked by path only: start the server through its launch line so a racing " +
        "symlink swap cannot redirect a read.",
    );
  }
  const audit = openAuditChain({ stateDir, serverId, sandbox, mode, log });
  // ref:// artifacts live in the state dir; creations, releases and refusals go to the recorder.
  const refs = await openRefRegistry({ stateDir, serverId, onEvent: audit.record });
  // One training run at a time for the whole process, whichever session or task starts it.
  const runs = new RunCoordinator();
  try {
    const served = {
      serverId,
      tools: cobreTools({ run: { coordinator: runs } }),
      resources: cobreResourceTemplates(),
      prompts: cobrePrompts(),
      refs,
      sandbox,
      mode,
      toolNaming: command.toolNaming,
      observers: audit.observers,
      tasks: audit.tasks,
    };
    if (command.http) {
      // Loaded only here: stdio servers never need the HTTP transport or its SQLite event store.
      const { serveHttpCommand } = await import("./http/command.ts");
      await serveHttpCommand(command.http, served, {
        stateDir,
        allowedDirs,
        logLevel: command.logLevel,
        record: audit.record,
        auditReady: audit.ready,
        observersFor: audit.observersFor,
        mode,
        env: defaults.env,
      });
    } else {
      await serveStdio({
        ...served,
        log,
        // Spec SS2.2: a client that disconnects cancels its run at the next iteration boundary.
        onInputEnd: () => runs.stopActive("the client disconnected"),
      });
    }
  } finally {
    // A stopped run still writes the last completed iteration's policy before the process ends.
    runs.stopActive("the server is shutting down");
    await runs.idle();
    refs.close();
    await audit.close();
  }
  return 0;
}

function launchOptions(command: LaunchCommand | LaunchLineCommand, defaults: DefaultsSource) {
  const { allowedDirs, stateDir } = resolveDirectories(command, defaults);
  const http = command.http;
  if (!http) {
    return launchLine({
      allowedDirs,
      stateDir,
      write: command.write,
      toolNames: command.toolNaming,
    });
  }
  const extra: string[] = [];
  if (http.allowedHosts.length > 0) extra.push("--allowed-hosts", http.allowedHosts.join(","));
  if (http.allowedOrigins.length > 0) {
    extra.push("--allowed-origins", http.allowedOrigins.join(","));
  }
  if (http.requireAuth) extra.push("--require-auth");
  if (http.conformanceFixtures) extra.push("--conformance-fixtures");
  return launchLine({
    allowedDirs,
    stateDir,
    write: command.write,
    toolNames: command.toolNaming,
    transport: "http",
    host: http.host,
    port: http.port,
    ...(http.tokenFile !== null
      ? { tokenFile: posix.resolve(defaults.cwd(), http.tokenFile) }
      : {}),
    extraServerArgs: extra,
  });
}

/** The URL and auth an HTTP launch line's server will have, for its client snippet. */
function httpEndpoint(http: HttpFlags): HttpEndpoint {
  // Clients cannot connect to a wildcard address: name the host they are told to use.
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(http.host);
  const name = wildcard ? (http.allowedHosts[0] ?? "localhost") : http.host;
  const host = name.includes(":") && !name.startsWith("[") ? `[${name}]` : name;
  const loopback = /^(127\.|localhost$|::1$)/.test(http.host);
  return {
    url: `http://${host}:${http.port}/mcp`,
    auth: http.requireAuth || http.tokenFile !== null || !loopback,
  };
}

async function validateCases(
  command: ValidateCasesCommand,
  defaults: DefaultsSource,
): Promise<number> {
  // Loaded only here: the SDK's stdio client reads environment variables at import time, which
  // the least-privilege server process may not, and the server never needs it.
  const { caseDirectories, formatCaseTable, validateCasesOverMcp } = await import(
    "./validate_cases.ts"
  );
  const dir = await Deno.realPath(posix.resolve(defaults.cwd(), command.dir));
  const names = await caseDirectories(dir);
  if (names.length === 0) {
    writeStderrLine(`cobre-mcp: no case directories in '${command.dir}'`);
    return 1;
  }
  const { stateDir } = resolveDirectories({ allowedDirs: [dir], stateDir: null }, defaults);
  const line = await launchLine({
    allowedDirs: [dir],
    stateDir,
    write: false,
    toolNames: command.toolNaming,
    // Info lines from the server would interleave with the table; warnings still show.
    extraServerArgs: ["--log-level", "warning"],
  });
  const rows = await validateCasesOverMcp(
    line,
    names.map((name) => `${dir}/${name}`),
    command.toolNaming,
  );
  console.log(formatCaseTable(rows));
  return rows.every((row) => row.valid) ? 0 : 1;
}

async function run(command: Command, defaults: DefaultsSource): Promise<number> {
  switch (command.command) {
    case "help":
      console.log(USAGE);
      return 0;
    case "serve":
      return await serve(command, defaults);
    case "launch-line":
      console.log(formatLaunchLine(await launchOptions(command, defaults), {
        json: command.json,
        ...(command.http ? { http: httpEndpoint(command.http) } : {}),
      }));
      return 0;
    case "launch":
      return await runWithInheritedStdio(await launchOptions(command, defaults));
    case "validate-cases":
      return await validateCases(command, defaults);
    case "flight": {
      const { stateDir } = resolveDirectories(
        { allowedDirs: [], stateDir: command.stateDir },
        defaults,
      );
      const { runFlightCommand } = await import("../recorder/mod.ts");
      return await runFlightCommand(command.args, stateDir);
    }
  }
}

/** Runs `main.ts` with `args`; resolves to the process exit code. */
export async function runCommandLine(
  args: readonly string[],
  defaults: DefaultsSource = processDefaults,
): Promise<number> {
  try {
    return await run(parseCommandLine(args), defaults);
  } catch (error) {
    if (error instanceof UsageError) {
      writeStderrLine(`cobre-mcp: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (error instanceof CobreError) {
      const { message, suggestion } = error.record;
      writeStderrLine(`cobre-mcp: ${message}${suggestion ? `\n  ${suggestion}` : ""}`);
      return 1;
    }
    throw error;
  }
}
