/**
 * cobre-mcp command line: `serve | host | demo | flight | bench | conformance | launch-line`.
 * Thin on purpose: it parses arguments and hands over to `src`.
 *
 * @module
 */

const USAGE = `usage: main.ts <command> [options]

commands:
  serve         start the MCP server (stdio by default)
`;

if (import.meta.main) {
  const [command] = Deno.args;
  switch (command) {
    default:
      console.error(USAGE);
      Deno.exit(command === undefined ? 0 : 2);
  }
}
