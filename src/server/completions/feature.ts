/**
 * The completions capability (`completion/complete`) for prompt arguments and resource-template
 * variables:
 *
 * | argument / variable           | values                                                      |
 * | ----------------------------- | ----------------------------------------------------------- |
 * | `case_dir`, `output_dir`      | directories inside the sandbox (`directories.ts`)            |
 * | `output_dirs` (compare-runs)  | the last entry of the list, completed as a directory         |
 * | `entity_type` and other enums | the prompt's or template's choices                           |
 * | `entity_id` (scenarios)       | hydro names and ids of the case in `context.arguments.case_dir` |
 * | `metric` (explain-results)    | metric words and columns of `context.arguments.entity_type`  |
 *
 * Matching is by prefix, case-insensitive for fixed values. An unknown prompt or template is an
 * `InvalidArgument` record sent as -32602; failing to read a case only yields no values.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";
import { CompleteRequestSchema } from "../sdk.ts";
import type { ServerCore, ServerFeature } from "../server.ts";
import type { ToolSandbox } from "../types.ts";
import {
  isPathVariable,
  observeRecorded,
  readRegistry,
  type ResourceTemplateDefinition,
} from "../resources/mod.ts";
import { metricChoices, type PromptDefinition, promptsByName } from "../prompts/mod.ts";
import { completeDirectory, completeFrom, type Completion } from "./directories.ts";

type Context = Readonly<Record<string, string>>;

const NONE: Completion = { values: [], total: 0, hasMore: false };

/** Hydro names then ids of the case named in the context, completing `typed`. */
async function completeEntityIds(
  sandbox: ToolSandbox,
  context: Context,
  typed: string,
): Promise<Completion> {
  const caseDir = context.case_dir;
  if (caseDir === undefined) return NONE;
  try {
    const canonical = await sandbox.resolve(caseDir, "dir");
    const { entities } = await readRegistry(canonical, "hydros", sandbox.access);
    const names: string[] = [];
    const ids: number[] = [];
    for (const entity of entities) {
      if (typeof entity !== "object" || entity === null || Array.isArray(entity)) continue;
      if (typeof entity.name === "string") names.push(entity.name);
      if (typeof entity.id === "number") ids.push(entity.id);
    }
    return completeFrom([...names.sort(), ...ids.sort((a, b) => a - b).map(String)], typed);
  } catch {
    return NONE; // a case that cannot be read has nothing to offer
  }
}

/** The last entry of a comma/newline-separated list, completed as a directory. */
async function completeListTail(sandbox: ToolSandbox, typed: string): Promise<Completion> {
  const cut = Math.max(typed.lastIndexOf(","), typed.lastIndexOf("\n"));
  const head = typed.slice(0, cut + 1);
  const tail = typed.slice(cut + 1);
  const lead = tail.match(/^\s*/)?.[0] ?? "";
  const completion = await completeDirectory(sandbox, tail.slice(lead.length));
  return { ...completion, values: completion.values.map((value) => `${head}${lead}${value}`) };
}

async function completePrompt(
  core: ServerCore,
  prompt: PromptDefinition,
  name: string,
  typed: string,
  context: Context,
): Promise<Completion> {
  const sandbox = core.env.sandbox;
  if (name === "output_dirs") return await completeListTail(sandbox, typed);
  if (isPathVariable(name)) return await completeDirectory(sandbox, typed);
  const choices = prompt.choices?.[name];
  if (choices) return completeFrom(choices, typed);
  if (name === "metric") return completeFrom(metricChoices(context.entity_type ?? ""), typed);
  return NONE;
}

async function completeTemplate(
  core: ServerCore,
  template: ResourceTemplateDefinition,
  name: string,
  typed: string,
  context: Context,
): Promise<Completion> {
  const sandbox = core.env.sandbox;
  if (isPathVariable(name)) return await completeDirectory(sandbox, typed);
  const choices = template.choices?.[name];
  if (choices) return completeFrom(choices, typed);
  if (name === "entity_id") return await completeEntityIds(sandbox, context, typed);
  return NONE;
}

function unknownReference(what: string, value: string, valid: string[]): CobreError {
  return new CobreError(errorRecord(
    "InvalidArgument",
    `Unknown ${what} "${value.slice(0, 200)}"`,
    { argument: "ref", value: value.slice(0, 200), valid },
    `Complete arguments of: ${valid.join(", ")}.`,
  ));
}

/** The completions capability for the arguments of `templates` and `prompts`. */
export function completionsFeature(
  templates: readonly ResourceTemplateDefinition[],
  prompts: readonly PromptDefinition[],
): ServerFeature {
  const promptByName = promptsByName(prompts);
  const templateByUri = new Map(templates.map((template) => [template.uriTemplate, template]));
  return {
    capabilities: { completions: {} },
    register(core) {
      core.sdk.setRequestHandler(CompleteRequestSchema, (call, extra) => {
        const { ref, argument } = call.params;
        const context = call.params.context?.arguments ?? {};
        return observeRecorded(core, "completion/complete", extra, async () => {
          let completion: Completion;
          if (ref.type === "ref/prompt") {
            const prompt = promptByName.get(ref.name);
            if (!prompt) throw unknownReference("prompt", ref.name, prompts.map((p) => p.name));
            completion = await completePrompt(core, prompt, argument.name, argument.value, context);
          } else {
            const template = templateByUri.get(ref.uri);
            if (!template) {
              throw unknownReference("resource template", ref.uri, [...templateByUri.keys()]);
            }
            completion = await completeTemplate(
              core,
              template,
              argument.name,
              argument.value,
              context,
            );
          }
          return { completion };
        });
      });
    },
  };
}
