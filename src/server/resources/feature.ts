/**
 * The resources capability: `resources/templates/list` (the six templates of spec SS3.1),
 * `resources/list`, `resources/read` for `cobre://` and `ref://` URIs, and the client's
 * `notifications/resource_released` for refs.
 *
 * A `cobre://` read goes: match a template and decode its variables once → resolve every path
 * variable with the sandbox (refusals and missing paths are answered here, before any file is
 * opened) → the observers admit the read with the canonical paths (the Gate checks them against
 * the profile) → the template reads through the sandboxed access. Failures are JSON-RPC errors
 * carrying the error record (see `errors.ts`); observers hear the same record.
 *
 * `resources/list` is empty: case and output resources are addressed through their templates,
 * and a session's `ref://` artifacts are handed out as `resource_link`s in tool results.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import { z } from "zod";
import { CobreError, type ErrorRecord, errorRecord } from "../../common/mod.ts";
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  type ReadResourceResult,
} from "../sdk.ts";
import type { Extra, ServerCore, ServerFeature } from "../server.ts";
import type { ResourceTemplateDefinition } from "./definition.ts";
import { Failed, failureRecord, recordError } from "./errors.ts";
import { type CompiledTemplate, compileTemplate, matchTemplate } from "./uri.ts";

/** The MIME type of every `cobre://` resource (spec SS3). */
export const RESOURCE_MIME_TYPE = "application/json";

/** Sent by a client that no longer needs a `ref://` artifact; its bytes are deleted. */
export const ResourceReleasedNotificationSchema = z.object({
  method: z.literal("notifications/resource_released"),
  params: z.object({ uri: z.string() }),
});

type Prepared =
  | { failure: ErrorRecord }
  | {
    definition: ResourceTemplateDefinition;
    variables: Record<string, string>;
    paths: Record<string, string>;
  };

interface Template {
  definition: ResourceTemplateDefinition;
  compiled: CompiledTemplate;
}

function unknownUri(uri: string, templates: readonly Template[]): ErrorRecord {
  const shown = uri.length > 200 ? `${uri.slice(0, 199)}…` : uri;
  return errorRecord(
    "InvalidArgument",
    `"${shown}" matches no resource template of this server`,
    { uri: shown, templates: templates.map((t) => t.definition.uriTemplate) },
    "List the templates with resources/templates/list; percent-encode path variables " +
      "(cobre://case/%2Fdata%2Fcase/config).",
  );
}

/** The lexical form of a missing path, for the Gate's prefix check (nothing is opened). */
function lexicalPath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

/**
 * Matches `uri` and resolves its path variables with the sandbox. Returns the canonical paths the
 * Gate should see along with the prepared read (or the failure to answer).
 */
async function prepare(
  core: ServerCore,
  templates: readonly Template[],
  uri: string,
): Promise<{ prepared: Prepared; resourcePaths: string[] }> {
  const resourcePaths: string[] = [];
  try {
    let found:
      | { definition: ResourceTemplateDefinition; variables: Record<string, string> }
      | null = null;
    for (const { definition, compiled } of templates) {
      const variables = matchTemplate(compiled, uri);
      if (variables !== null) {
        found = { definition, variables };
        break;
      }
    }
    if (found === null) return { prepared: { failure: unknownUri(uri, templates) }, resourcePaths };
    const { definition, variables } = found;
    const paths: Record<string, string> = {};
    for (const [name, expected] of Object.entries(definition.pathContents)) {
      const given = variables[name] as string;
      const canonical = await core.env.sandbox.locate(given);
      const info = canonical === null ? null : await core.env.sandbox.access.stat(canonical);
      resourcePaths.push(canonical ?? lexicalPath(given));
      if (canonical === null || info === null || !info.isDirectory) {
        const failure = errorRecord(
          "OutputNotFound",
          canonical === null
            ? `Path '${given}' does not exist`
            : `Path '${given}' is not a directory`,
          { path: given, expected_content: expected },
          `Give the URL-encoded absolute path of a ${expected}.`,
        );
        return { prepared: { failure }, resourcePaths };
      }
      paths[name] = canonical;
    }
    return { prepared: { definition, variables, paths }, resourcePaths };
  } catch (error) {
    return {
      prepared: { failure: failureRecord(error, "resources/read", core.log) },
      resourcePaths,
    };
  }
}

function completion(outcome: "ok" | "tool-error", error: ErrorRecord | null, receivedAtMs: number) {
  return { outcome, error, durationMs: Date.now() - receivedAtMs };
}

async function readCobre(
  core: ServerCore,
  templates: readonly Template[],
  uri: string,
  extra: Extra,
): Promise<ReadResourceResult | Failed> {
  const { prepared, resourcePaths } = await prepare(core, templates, uri);
  return await core.observe<ReadResourceResult | Failed>(
    "resources/read",
    extra,
    null,
    async (request) => {
      if ("failure" in prepared) {
        return {
          value: new Failed(prepared.failure),
          completion: completion("tool-error", prepared.failure, request.receivedAtMs),
        };
      }
      try {
        const value = await prepared.definition.read(
          { variables: prepared.variables, paths: prepared.paths },
          { access: core.env.sandbox.access, signal: extra.signal },
        );
        const text = JSON.stringify(value);
        return {
          value: { contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text }] },
          completion: completion("ok", null, request.receivedAtMs),
        };
      } catch (error) {
        const failure = failureRecord(error, "resources/read", core.log);
        return {
          value: new Failed(failure),
          completion: completion("tool-error", failure, request.receivedAtMs),
        };
      }
    },
    (record) => new Failed(record),
    { resourcePaths },
  );
}

async function readRef(
  core: ServerCore,
  uri: string,
  extra: Extra,
): Promise<ReadResourceResult | Failed> {
  return await core.observe<ReadResourceResult | Failed>(
    "resources/read",
    extra,
    null,
    async (request) => {
      try {
        if (!core.env.refs) {
          throw new CobreError(errorRecord(
            "OutputNotFound",
            "This server keeps no ref:// references",
            { uri: uri.slice(0, 200) },
            null,
          ));
        }
        const ref = await core.env.refs.resolve(uri);
        const blob = Buffer.from(ref.bytes.buffer, ref.bytes.byteOffset, ref.bytes.byteLength)
          .toString("base64");
        return {
          value: { contents: [{ uri, mimeType: ref.mimeType, blob }] },
          completion: completion("ok", null, request.receivedAtMs),
        };
      } catch (error) {
        const failure = failureRecord(error, "resources/read", core.log);
        return {
          value: new Failed(failure),
          completion: completion("tool-error", failure, request.receivedAtMs),
        };
      }
    },
    (record) => new Failed(record),
    { resourcePaths: [] },
  );
}

/** The resources capability over `templates` (and the session's refs, when the server has them). */
export function resourcesFeature(
  definitions: readonly ResourceTemplateDefinition[],
): ServerFeature {
  const templates: Template[] = definitions.map((definition) => ({
    definition,
    compiled: compileTemplate(definition.uriTemplate),
  }));
  const listing = definitions.map((definition) => ({
    uriTemplate: definition.uriTemplate,
    name: definition.name,
    title: definition.title,
    description: definition.description,
    mimeType: RESOURCE_MIME_TYPE,
  }));
  return {
    capabilities: { resources: { subscribe: false, listChanged: false } },
    register(core) {
      const answer = <T>(method: string, value: T) => (_request: unknown, extra: Extra) =>
        core.observe(method, extra, null, (request) =>
          Promise.resolve({
            value,
            completion: completion("ok", null, request.receivedAtMs),
          }));
      core.sdk.setRequestHandler(
        ListResourceTemplatesRequestSchema,
        answer("resources/templates/list", { resourceTemplates: listing }),
      );
      core.sdk.setRequestHandler(
        ListResourcesRequestSchema,
        answer("resources/list", { resources: [] }),
      );
      core.sdk.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
        const uri = request.params.uri;
        const result = uri.startsWith("ref://")
          ? await readRef(core, uri, extra)
          : await readCobre(core, templates, uri, extra);
        if (result instanceof Failed) throw recordError(result.record, "resources/read");
        return result;
      });
      const refs = core.env.refs;
      if (refs) {
        core.sdk.setNotificationHandler(
          ResourceReleasedNotificationSchema,
          async (notification) => {
            // The registry records the release (or the refusal) in the Flight Recorder.
            const released = await refs.release(notification.params.uri);
            core.log.operator("debug", "resource released", {
              released: released.released,
              ...(released.released ? {} : { reason: released.error.message }),
            });
          },
        );
      }
    },
  };
}
