/**
 * Refused files of an ordinary run (`reportFiles`, docs/learn.md "Refused files"). The engine's
 * supervisor reports each path and access the file view does not grant, once, after the target
 * ends; a path the view shows as absent is a refusal only when there is something on the host to
 * refuse, so this module keeps the paths that exist here (for a create, the directory it goes
 * into) and lists them for summaries.
 *
 * @module
 */
import { lstatSync } from "node:fs";
import { dirname } from "node:path";
import type { EngineEvent, ViolationEvent } from "./events.ts";

/** What the command tried to do to the path. */
export type FileAccess = "read" | "write" | "create" | "delete" | "exec";

/** One refused file access (`--json`'s `refusedFiles`). */
export interface FileRefusal {
  /** Absolute, as the command named it (`..` walked as the kernel walks it). */
  path: string;
  /** `create` and `delete` change the directory the path is in; `write` an existing file. */
  access: FileAccess;
}

const ACCESSES = new Set<string>(["read", "write", "create", "delete", "exec"]);

/** A file report of the engine's supervisor: a `file` violation with `path` and `access`. */
export function isFileRefusal(event: EngineEvent): event is ViolationEvent & { data: { path: string; access: FileAccess } } {
  if (event.type !== "violation" || event.kind !== "file" || !event.data) return false;
  const { path, access } = event.data;
  return typeof path === "string" && path.startsWith("/") && typeof access === "string" && ACCESSES.has(access);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false; // missing, or not even visible to the caller: not claimed
  }
}

/**
 * Whether the refused access had something on this host to refuse: the path exists (the
 * directory it would be created in, for a create), without following a last symlink.
 */
export function refusedOnHost(refusal: FileRefusal): boolean {
  return exists(refusal.access === "create" ? dirname(refusal.path) : refusal.path);
}

/** The file refusals among `events`, in the order the engine reported them (first tried first). */
export function refusedFiles(events: readonly EngineEvent[]): FileRefusal[] {
  return events.filter(isFileRefusal).map((e) => ({ path: e.data.path, access: e.data.access }));
}
