/**
 * Prints what `detectServerMode` decides under the permissions this process was started with:
 * `{"mode": ...}` or `{"error": <record>}`. Argument: JSON `ServerModeOptions`.
 */
import { detectServerMode, type ServerModeOptions } from "../../../src/security/mod.ts";

const options = JSON.parse(Deno.args[0] ?? "{}") as ServerModeOptions;
try {
  console.log(JSON.stringify({ mode: await detectServerMode(options) }));
} catch (error) {
  const record = (error as { record?: unknown }).record;
  console.log(JSON.stringify({ error: record ?? String(error) }));
}
