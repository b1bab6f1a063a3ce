/**
 * How a sandboxed process asks the kernel which file a descriptor really opened.
 *
 * On Linux `readlink /proc/self/fd/<fd>` answers, race-free. Deno refuses `/proc/self` and
 * `/dev/fd` without `--allow-all`, and a sandboxed process may not create symlinks, so the
 * launcher (which runs with broader permissions) leaves a link `<state dir>/proc-self-fd` →
 * `/proc/self/fd`, which the server reads under its ordinary read grant on the state dir. The
 * state dir is private to the server (mode 0700, disjoint from every allowed dir); whoever can
 * write there could replace the link, and could replace the server's databases too.
 *
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";
import { posix } from "node:path";

const LINK_NAME = "proc-self-fd";
const KERNEL_DIR = "/proc/self/fd";

/**
 * Creates the state dir (0700) and its descriptor link when missing. Needs unscoped read and
 * write permission (Deno's rule for symlinks); returns false, harmlessly, without them.
 */
export async function prepareStateDir(stateDir: string): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  try {
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const link = `${stateDir}/${LINK_NAME}`;
    try {
      if (await Deno.readLink(link) === KERNEL_DIR) return true;
      await Deno.remove(link);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await Deno.symlink(KERNEL_DIR, link);
    return true;
  } catch {
    return false;
  }
}

/**
 * A directory through which `readlink(<dir>/<fd>)` reports what descriptor `fd` opened, or
 * null; proven by opening `probeDir` (a canonical directory) and reading its descriptor back.
 */
export async function findDescriptorDir(
  probeDir: string,
  stateDir: string | undefined,
): Promise<string | null> {
  if (Deno.build.os !== "linux") return null;
  // The state-dir link first: reading through it needs only the state dir's read grant, which
  // lasts. Reading /proc/self/fd directly is allowed only under --allow-all, and that ends as soon
  // as any permission is revoked (the recorder revokes FFI), which would fail every later read.
  if (stateDir !== undefined) {
    const link = `${posix.resolve(Deno.cwd(), stateDir)}/${LINK_NAME}`;
    if (!await linksToKernel(link)) await prepareStateDir(stateDir);
    if (await linksToKernel(link) && await reportsKernelPaths(link, probeDir)) return link;
  }
  return await reportsKernelPaths(KERNEL_DIR, probeDir) ? KERNEL_DIR : null;
}

async function linksToKernel(link: string): Promise<boolean> {
  try {
    return await Deno.readLink(link) === KERNEL_DIR;
  } catch {
    return false;
  }
}

async function reportsKernelPaths(dir: string, probeDir: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(probeDir, "r");
    return await Deno.readLink(`${dir}/${handle.fd}`) === probeDir;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
