/**
 * The resources capability: `resources/templates/list` (the six templates of spec SS3.1),
 * `resources/list`, `resources/read` for `cobre://` and `ref://` URIs, and the client's
 * `notifications/resource_released` for refs.
 *
 * A `cobre://` read goes: match a template and decode its variables once → canonicalise every
 * path variable with the sandbox (a path outside is refused here, before any file is touched) →
 * the observers admit the read with the canonical paths (the Gate checks them against the
 * profile) → missing paths are `OutputNotFound` → the template reads through the sandboxed
 * access. Failures are JSON-RPC errors carrying the error record (see `errors.ts`); observers hear
 * the same record.
 *
 * `resources/list` is empty: case and output resources are addressed through their templates,
 * and a session's `ref://` artifacts are handed out as `resource_link`s in tool results.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import { z } from "zod";
import { CobreError, errorRecord } from "../../common/mod.ts";
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  type ReadResourceResult,
} from "../sdk.ts";
import type { Extra, ServerCore, ServerFeature } from "../server.ts";
import type { ResourceTemplateDefinition } from "./definition.ts";
import { observeRecorded } from "./observed.ts";
import { type CompiledTemplate, compileTemplate, matchTemplate } from "./uri.ts";

/** The MIME type of every `cobre://` resource (spec SS3). */
export const RESOURCE_MIME_TYPE = "application/json";

/** Sent by a client that no longer needs a `ref://` artifact; its bytes are deleted. */
export const ResourceReleasedNotificationSchema = z.object({
  method: z.literal("notifications/resource_released"),
  params: z.object({ uri: z.string() }),
});

interface Template {
  definition: ResourceTemplateDefinition;
  compiled: CompiledTemplate;
}

/** A matched URI whose path variables the sandbox has placed (null: nothing exists there). */
interface Located {
  definition: ResourceTemplateDefinition;
  variables: Record<string, string>;
  located: Record<string, string | null>;
  /** What the Gate checks: canonical paths, or the lexical form of a missing one. */
  resourcePaths: string[];
}

function unknownUri(uri: string, templates: readonly Template[]): CobreError {
  const shown = uri.length > 200 ? `${uri.slice(0, 199)}…` : uri;
  return new CobreError(errorRecord(
    "InvalidArgument",
    `"${shown}" matches no resource template of this server`,
    { uri: shown, templates: templates.map((t) => t.definition.uriTemplate) },
    "List the templates with resources/templates/list; percent-encode path variables " +
      "(cobre://case/%2Fdata%2Fcase/config).",
  ));
}

/** The lexical form of a missing path, for the Gate's prefix check (nothing is opened). */
function lexicalPath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

/** Matches `uri` and canonicalises its path variables; throws the refusal of a bad one. */
async function locate(core: ServerCore, templates: readonly Template[], uri: string) {
  for (const { definition, compiled } of templates) {
    const variables = matchTemplate(compiled, uri);
    if (variables === null) continue;
    const located: Record<string, string | null> = {};
    const resourcePaths: string[] = [];
    for (const name of Object.keys(definition.pathContents)) {
      const given = variables[name] as string;
      const canonical = await core.env.sandbox.locate(given);
      located[name] = canonical;
      resourcePaths.push(canonical ?? lexicalPath(given));
    }
    return { definition, variables, located, resourcePaths } satisfies Located;
  }
  throw unknownUri(uri, templates);
}

/** Canonical directories of the path variables, or `OutputNotFound` for a missing one. */
async function existingDirectories(core: ServerCore, target: Located) {
  const paths: Record<string, string> = {};
  for (const [name, expected] of Object.entries(target.definition.pathContents)) {
    const given = target.variables[name] as string;
    const canonical = target.located[name] ?? null;
    const info = canonical === null ? null : await core.env.sandbox.access.stat(canonical);
    if (canonical === null || !info?.isDirectory) {
      throw new CobreError(errorRecord(
        "OutputNotFound",
        `Path '${given}' ${canonical === null ? "does not exist" : "is not a directory"}`,
        { path: given, expected_content: expected },
        `Give the URL-encoded absolute path of a ${expected}.`,
      ));
    }
    paths[name] = canonical;
  }
  return paths;
}

async function readCobre(
  core: ServerCore,
  templates: readonly Template[],
  uri: string,
  extra: Extra,
): Promise<ReadResourceResult> {
  // The sandbox decides before the Gate is asked; a refusal still reaches the observers.
  let target: Located | null = null;
  let refusal: unknown = null;
  try {
    target = await locate(core, templates, uri);
  } catch (error) {
    refusal = error;
  }
  return await observeRecorded(core, "resources/read", extra, async () => {
    if (target === null) throw refusal;
    const paths = await existingDirectories(core, target);
    const value = await target.definition.read(
      { variables: target.variables, paths },
      { access: core.env.sandbox.access, signal: extra.signal },
    );
    return { contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text: JSON.stringify(value) }] };
  }, { resourcePaths: target?.resourcePaths ?? [] });
}

function readRef(core: ServerCore, uri: string, extra: Extra): Promise<ReadResourceResult> {
  return observeRecorded(core, "resources/read", extra, async () => {
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
    return { contents: [{ uri, mimeType: ref.mimeType, blob }] };
  }, { resourcePaths: [] });
}

/** The resources capability over `templates` (and the session's refs, when the server has them). */
export function resourcesFeature(
  definitions: readonly ResourceTemplateDefinition[],
): ServerFeature {
  const templates: Template[] = definitions.map((definition) => ({
    definition,
    compiled: compileTemplate(definition.uriTemplate),
  }));
  const resourceTemplates = definitions.map((definition) => ({
    uriTemplate: definition.uriTemplate,
    name: definition.name,
    title: definition.title,
    description: definition.description,
    mimeType: RESOURCE_MIME_TYPE,
  }));
  return {
    capabilities: { resources: { subscribe: false, listChanged: false } },
    register(core) {
      core.sdk.setRequestHandler(
        ListResourceTemplatesRequestSchema,
        (_request, extra) =>
          observeRecorded(
            core,
            "resources/templates/list",
            extra,
            () => Promise.resolve({ resourceTemplates }),
          ),
      );
      core.sdk.setRequestHandler(
        ListResourcesRequestSchema,
        (_request, extra) =>
          observeRecorded(core, "resources/list", extra, () => Promise.resolve({ resources: [] })),
      );
      core.sdk.setRequestHandler(ReadResourceRequestSchema, (request, extra) => {
        const uri = request.params.uri;
        return uri.startsWith("ref://")
          ? readRef(core, uri, extra)
          : readCobre(core, templates, uri, extra);
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
