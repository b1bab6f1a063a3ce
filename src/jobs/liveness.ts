/**
 * Which job owners (server or host processes) are still alive, without `--allow-run` or `/proc`.
 *
 * Each owner holds an exclusive SQLite lock on its own small lock file for as long as it lives;
 * the OS drops the lock when the process dies, even by SIGKILL. Another process probes an owner by
 * trying to take that lock with no wait: busy means alive, success or no file means dead.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** The lock an owner holds for its lifetime. */
export interface OwnerLock {
  readonly ownerId: string;
  /** Releases the lock and removes its file (graceful shutdown). */
  release(): void;
}

function lockPath(ownersDir: string, ownerId: string): string {
  return join(ownersDir, `${ownerId}.lock`);
}

/** Takes the lifetime lock for `ownerId`; the owner's rows count as live while it is held. */
export function holdOwnerLock(ownersDir: string, ownerId: string): OwnerLock {
  const path = lockPath(ownersDir, ownerId);
  const db = new DatabaseSync(path, { timeout: 0 });
  db.exec("PRAGMA locking_mode=EXCLUSIVE");
  db.exec("BEGIN EXCLUSIVE");
  return {
    ownerId,
    release() {
      if (!db.isOpen) return;
      db.exec("ROLLBACK");
      db.close();
      try {
        Deno.removeSync(path);
      } catch {
        // Already gone: a prober removed it, or the state dir was cleaned.
      }
    },
  };
}

/** True when the owner's process still holds its lock. Removes the lock file of a dead owner. */
export function isOwnerAlive(ownersDir: string, ownerId: string): boolean {
  // Owner ids come from our own rows, but never let one name a file outside the owners dir.
  if (!/^[0-9a-f]{32}$/.test(ownerId)) return false;
  const path = lockPath(ownersDir, ownerId);
  try {
    Deno.statSync(path);
  } catch {
    return false;
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 0 });
  } catch {
    return false;
  }
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    // Busy is the live owner's lock. Anything else means the file is unusable as a lock, so no
    // owner can be holding it: treat it as dead rather than leave its jobs running forever.
    return error instanceof Error && /locked|busy/i.test(error.message);
  }
  db.exec("ROLLBACK");
  db.close();
  try {
    Deno.removeSync(path);
  } catch {
    // Another prober got there first.
  }
  return false;
}
