/**
 * Shaping what the agent receives from a tool call: error records as `isError` results (the same
 * form the server uses), references screened (only the connected server's own `ref://` links
 * pass; others are replaced by the refusal record), and the server's `_meta` dropped (it is a
 * peer's claim, recorded but never forwarded as if the host vouched for it).
 *
 * @module
 */
import { type ErrorRecord, errorRecord, type JsonValue } from "../common/mod.ts";
import { checkReferenceUri, type ReferenceRefusal, shownUri } from "./references.ts";
import type { CallToolResult } from "./sdk.ts";

/** A tool result as the agent sees it. */
export interface AgentResult {
  content: Record<string, unknown>[];
  structuredContent?: Record<string, unknown>;
  isError: boolean;
}

/** A `ref://` link the result carries (resolvable with `GatedHost.readRef`). */
export interface ReferenceLink {
  readonly uri: string;
  readonly name: string | null;
  readonly mimeType: string | null;
  readonly size: number | null;
}

/** The result of screening a result's references. */
export interface ScreenedResult {
  readonly result: AgentResult;
  readonly links: readonly ReferenceLink[];
  readonly refused: readonly { readonly uri: string; readonly refusal: ReferenceRefusal }[];
}

/** An `isError` result carrying `record`, as the Cobre server writes its own. */
export function errorResult(record: ErrorRecord): AgentResult {
  return { content: [{ type: "text", text: JSON.stringify(record) }], isError: true };
}

const KINDS_SEEN_AS_RECORDS = /^[A-Z][A-Za-z]+$/;

/** The error record in an `isError` result, when its text is one. */
export function recordOf(result: { content?: unknown; isError?: unknown }): ErrorRecord | null {
  if (result.isError !== true || !Array.isArray(result.content)) return null;
  for (const block of result.content) {
    const text = (block as { type?: unknown; text?: unknown }).text;
    if ((block as { type?: unknown }).type !== "text" || typeof text !== "string") continue;
    try {
      const parsed: unknown = JSON.parse(text);
      const candidate = parsed as Partial<ErrorRecord>;
      if (
        typeof candidate.kind === "string" && KINDS_SEEN_AS_RECORDS.test(candidate.kind) &&
        typeof candidate.message === "string"
      ) {
        return errorRecord(
          candidate.kind as ErrorRecord["kind"],
          candidate.message.slice(0, 4_096),
          (typeof candidate.context === "object" && candidate.context !== null
            ? candidate.context
            : {}) as Record<string, JsonValue>,
          typeof candidate.suggestion === "string" ? candidate.suggestion : null,
        );
      }
    } catch {
      // Not JSON: the error is plain text.
    }
    return errorRecord("InternalError", text.slice(0, 4_096), { source: "server" });
  }
  return null;
}

function uriOf(block: Record<string, unknown>): string | null {
  if (block.type === "resource_link" && typeof block.uri === "string") return block.uri;
  const resource = block.resource as { uri?: unknown } | undefined;
  if (block.type === "resource" && typeof resource?.uri === "string") return resource.uri;
  return null;
}

/**
 * Keeps the server's own `ref://` links (and embedded resources under them), replaces every
 * other link with a text block holding the refusal record, and drops the result's `_meta`.
 */
export function screenReferences(result: CallToolResult, serverId: string | null): ScreenedResult {
  const links: ReferenceLink[] = [];
  const refused: { uri: string; refusal: ReferenceRefusal }[] = [];
  const content: Record<string, unknown>[] = [];
  const blocks = Array.isArray(result.content) ? result.content : [];
  for (const raw of blocks) {
    const block = raw as Record<string, unknown>;
    const uri = uriOf(block);
    if (uri === null) {
      content.push(block);
      continue;
    }
    const check = checkReferenceUri(uri, serverId);
    if (!check.ok) {
      refused.push({ uri: shownUri(uri), refusal: check.refusal });
      content.push({ type: "text", text: JSON.stringify(check.error) });
      continue;
    }
    content.push(block);
    if (block.type === "resource_link") {
      links.push({
        uri,
        name: typeof block.name === "string" ? block.name : null,
        mimeType: typeof block.mimeType === "string" ? block.mimeType : null,
        size: typeof block.size === "number" ? block.size : null,
      });
    }
  }
  const shaped: AgentResult = { content, isError: result.isError === true };
  if (result.structuredContent !== undefined) {
    shaped.structuredContent = result.structuredContent as Record<string, unknown>;
  }
  return { result: shaped, links, refused };
}
