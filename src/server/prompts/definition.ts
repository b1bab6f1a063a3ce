/**
 * The shape of one prompt (spec SS4): its arguments (MCP prompt arguments are strings) and how it
 * renders into messages. Renderers get the sandbox for path arguments and the names tools are
 * served under, so the messages they write name tools the client can actually call.
 *
 * @module
 */
import type { ServerMode, ToolSandbox } from "../types.ts";

/** One argument as `prompts/list` shows it. */
export interface PromptArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

/** What a renderer may use. */
export interface PromptContext {
  readonly sandbox: ToolSandbox;
  readonly mode: ServerMode;
  readonly signal: AbortSignal;
  /** The name `specName` (`cobre/validate`) is served under here (`cobre_validate` if portable). */
  tool(specName: string): string;
  /** True when this server serves the tool `specName`. */
  serves(specName: string): boolean;
}

/** One message of a rendered prompt. */
export interface PromptText {
  readonly role: "user" | "assistant";
  readonly text: string;
}

/** What `prompts/get` returns, before it is put in MCP's shape. */
export interface RenderedPrompt {
  readonly description: string;
  readonly messages: readonly PromptText[];
}

/** One prompt of spec SS4. */
export interface PromptDefinition {
  /** Spec name (`cobre/setup-study`). */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly arguments: readonly PromptArgumentSpec[];
  /** Accepted values of enumerated arguments (checked, and offered as completions). */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  /** Arguments are present (required ones non-empty) and within `choices` when this runs. */
  render(args: Readonly<Record<string, string>>, ctx: PromptContext): Promise<RenderedPrompt>;
}
