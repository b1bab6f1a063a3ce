/**
 * Asking a person before a call marked `confirm` leaves the host. On a terminal the question goes
 * to stderr and the answer is read from stdin (anything but y/yes is no); without a terminal no
 * one can be asked and the call is denied unless the operator pre-approved the tool.
 *
 * @module
 */

/** What a person is asked about. */
export interface ConfirmationRequest {
  readonly toolName: string;
  readonly paths: readonly string[];
  readonly policyId: string;
  readonly serverLabel: string;
}

/** A person's answer, or the fact that no one could be asked. */
export type ConfirmAnswer = "yes" | "no" | "not_interactive";

/** Asks a person about one call. */
export type Confirmer = (request: ConfirmationRequest) => Promise<ConfirmAnswer>;

/** Never asks anyone: every call that needs confirmation is denied. */
export const nonInteractiveConfirmer: Confirmer = () => Promise.resolve("not_interactive");

/** The question shown to the person. */
export function confirmationQuestion(request: ConfirmationRequest): string {
  const where = request.paths.length > 0 ? ` on ${request.paths.join(", ")}` : "";
  return `Allow ${request.toolName}${where} (server ${request.serverLabel}, policy ${request.policyId})? [y/N] `;
}

/** Reads one line from `reader` (bytes up to a newline or end of input), at most 1 KiB. */
async function readLine(reader: { read(p: Uint8Array): Promise<number | null> }): Promise<string> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (bytes.length < 1_024) {
    const n = await reader.read(one);
    if (n === null || n === 0 || one[0] === 0x0a) break;
    bytes.push(one[0]!);
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).trim();
}

/**
 * Asks on the terminal when both stdin and stderr are terminals; otherwise answers
 * `not_interactive`. One question at a time.
 */
export function terminalConfirmer(): Confirmer {
  let queue: Promise<unknown> = Promise.resolve();
  return (request) => {
    if (!Deno.stdin.isTerminal() || !Deno.stderr.isTerminal()) {
      return Promise.resolve("not_interactive");
    }
    const asked = queue.then(async (): Promise<ConfirmAnswer> => {
      await Deno.stderr.write(new TextEncoder().encode(`\n${confirmationQuestion(request)}`));
      const answer = (await readLine(Deno.stdin)).toLowerCase();
      return answer === "y" || answer === "yes" ? "yes" : "no";
    });
    queue = asked.catch(() => {});
    return asked;
  };
}
