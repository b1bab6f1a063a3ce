/**
 * The prompts capability: `prompts/list` and `prompts/get`. Prompts keep their spec names under
 * either tool naming (`prompts/get` also accepts the portable form, `cobre_setup-study`); the
 * tool names inside their messages are the served ones.
 *
 * Arguments are checked before rendering: unknown names, missing required values and values
 * outside a prompt's choices are `InvalidArgument` records sent as JSON-RPC -32602 errors, like
 * every failure while rendering (see `resources/errors.ts`).
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";
import { GetPromptRequestSchema, type GetPromptResult, ListPromptsRequestSchema } from "../sdk.ts";
import type { ServerCore, ServerFeature } from "../server.ts";
import { servedToolName } from "../tool_names.ts";
import { observeRecorded } from "../resources/mod.ts";
import type { PromptContext, PromptDefinition } from "./definition.ts";

function invalid(message: string, context: Record<string, string | string[]>, hint: string) {
  return new CobreError(errorRecord("InvalidArgument", message, context, hint));
}

/** Checks `given` against the prompt's arguments; returns them with blanks of optional ones dropped. */
export function checkPromptArguments(
  prompt: PromptDefinition,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const known = prompt.arguments.map((argument) => argument.name);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) {
      throw invalid(
        `Prompt ${prompt.name} has no argument "${name.slice(0, 100)}"`,
        { argument: name.slice(0, 100), valid: known },
        `Its arguments are: ${known.join(", ")}.`,
      );
    }
  }
  const args: Record<string, string> = {};
  for (const argument of prompt.arguments) {
    const value = given[argument.name];
    if (value === undefined || value.trim() === "") {
      if (argument.required) {
        throw invalid(
          `Prompt ${prompt.name} needs the argument "${argument.name}"`,
          { argument: argument.name },
          `Give ${argument.name}: ${argument.description}.`,
        );
      }
      continue;
    }
    const choices = prompt.choices?.[argument.name];
    if (choices && !choices.includes(value)) {
      throw invalid(
        `Unknown ${argument.name} "${value.slice(0, 100)}"; valid: ${choices.join(", ")}`,
        { argument: argument.name, value: value.slice(0, 100), valid: [...choices] },
        `Use one of: ${choices.join(", ")}.`,
      );
    }
    args[argument.name] = value;
  }
  return args;
}

function contextFor(core: ServerCore, signal: AbortSignal): PromptContext {
  const served = new Set([...core.registry.values()].map((tool) => tool.definition.name));
  return {
    sandbox: core.env.sandbox,
    mode: core.env.mode,
    signal,
    tool: (specName) => servedToolName(specName, core.naming),
    serves: (specName) => served.has(specName),
  };
}

/** `prompts` by spec name and by portable name (`cobre_setup-study`), as clients may ask. */
export function promptsByName(
  prompts: readonly PromptDefinition[],
): ReadonlyMap<string, PromptDefinition> {
  const byName = new Map<string, PromptDefinition>();
  for (const prompt of prompts) {
    byName.set(prompt.name, prompt);
    byName.set(servedToolName(prompt.name, "portable"), prompt);
  }
  return byName;
}

/** The prompts capability over `prompts`. */
export function promptsFeature(prompts: readonly PromptDefinition[]): ServerFeature {
  const byName = promptsByName(prompts);
  const listing = prompts.map((prompt) => ({
    name: prompt.name,
    title: prompt.title,
    description: prompt.description,
    arguments: prompt.arguments.map((argument) => ({ ...argument })),
  }));
  return {
    capabilities: { prompts: { listChanged: false } },
    register(core) {
      core.sdk.setRequestHandler(
        ListPromptsRequestSchema,
        (_request, extra) =>
          observeRecorded(core, "prompts/list", extra, () => Promise.resolve({ prompts: listing })),
      );
      core.sdk.setRequestHandler(GetPromptRequestSchema, (call, extra) => {
        const name = call.params.name;
        const prompt = byName.get(name);
        return observeRecorded(core, "prompts/get", extra, async (): Promise<GetPromptResult> => {
          if (prompt === undefined) {
            throw invalid(
              `Unknown prompt "${name.slice(0, 100)}"`,
              { prompt: name.slice(0, 100), valid: prompts.map((p) => p.name) },
              "List the prompts with prompts/list.",
            );
          }
          const args = checkPromptArguments(prompt, call.params.arguments ?? {});
          const rendered = await prompt.render(args, contextFor(core, extra.signal));
          return {
            description: rendered.description,
            messages: rendered.messages.map((message) => ({
              role: message.role,
              content: { type: "text" as const, text: message.text },
            })),
          };
        }, { promptName: prompt?.name ?? name.slice(0, 100) });
      });
    },
  };
}
