/**
 * The learn view: what a command under observation can see and change. It must see more than the
 * base allows (or there would be nothing to learn) and must still not reach what no policy should
 * hand out, so: the host's directories read-only (not /proc, /sys, /dev, /run, /tmp, /boot, whose
 * sandbox versions or absence are what a learned policy gets too), the usual credential files of
 * the home directory hidden, the project writable, plus everything the base policy says (its
 * hidden paths stay hidden).
 *
 * @module
 */
import { accessSync, constants, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Top-level directories the learn view does not bind: the sandbox provides its own, or nothing. */
const NOT_BOUND = new Set(["proc", "sys", "dev", "run", "tmp", "boot", "lost+found"]);

/** Credentials under the home directory: hidden while learning, never learned. */
export const HOME_SECRETS: readonly string[] = [
  ".ssh",
  ".gnupg",
  ".aws",
  ".azure",
  ".kube",
  ".docker",
  ".netrc",
  ".git-credentials",
  ".pypirc",
  ".npmrc",
  ".yarnrc.yml",
  ".cargo/credentials",
  ".cargo/credentials.toml",
  ".gem/credentials",
  ".config/gcloud",
  ".config/gh",
  ".config/hub",
  ".local/share/keyrings",
  ".password-store",
  ".vault-token",
];

function readableDir(path: string): boolean {
  try {
    if (!lstatSync(path).isDirectory()) return false; // symlinks (/bin -> usr/bin) come with the system directories
    accessSync(path, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The host's top-level directories the learn view binds read-only. */
export function hostReadDirs(): string[] {
  return readdirSync("/").filter((name) => !NOT_BOUND.has(name)).map((name) => `/${name}`).filter(readableDir).sort();
}

/** The credential paths of `home` that exist (each one is a mask, and masks cost start-up time). */
export function homeSecrets(home: string): string[] {
  return HOME_SECRETS.map((rel) => join(home, rel)).filter((p) => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  });
}
