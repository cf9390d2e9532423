/**
 * Protected paths: what attackers go for even inside a directory the command may write. Files
 * that run code later, outside the sandbox (git hooks and config, shell start-up files, editor
 * and agent settings) stay read-only; `.env` files (secrets) are hidden; and in the project
 * itself the most dangerous of these cannot be created when they are absent. Each protection has
 * a name the caller can give in `unprotect` to turn it off.
 *
 * @module
 */
import { type Dirent, lstatSync, readdirSync, realpathSync, type Stats } from "node:fs";
import { ConfigError } from "./errors.ts";
import { callerHome } from "./policyfile/vars.ts";

/**
 * Where an absent path is made uncreatable: `project` in the working directory (and in any
 * writable directory that contains it), `home` only in the caller's home directory.
 */
type Absent = "project" | "home";

interface Rule {
  /** The path relative to a writable directory; also the name `unprotect` takes. */
  path: string;
  absent?: Absent;
}

/**
 * Paths kept read-only when they exist in a writable directory. Each runs code later, outside
 * the sandbox, without the user choosing to run anything the command wrote: git runs hooks and
 * config commands (core.fsmonitor, core.pager…) on every git call, shells source their rc files,
 * editors and coding agents run tasks, hooks and MCP servers from their project settings.
 */
const RUN_LATER: readonly Rule[] = [
  // `.git` itself: a `.git` FILE points git at another directory (whose hooks would then run);
  // an absent `.git` could be created whole, with hooks and a config.
  { path: ".git", absent: "project" },
  { path: ".git/hooks", absent: "project" },
  { path: ".git/config" },
  // Submodules' own git directories: their hooks and config run when git recurses into them.
  { path: ".git/modules" },
  { path: ".gitmodules" },
  { path: ".husky" },
  { path: ".envrc" },
  { path: ".gitconfig", absent: "home" },
  { path: ".config/git", absent: "home" },
  ...[".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile"].map((path) => ({ path, absent: "home" as const })),
  ...[".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".config/fish"].map((path) => ({ path, absent: "home" as const })),
  ...[".vscode", ".idea", ".claude", ".cursor", ".codex", ".gemini", ".mcp.json"].map((path) => ({ path, absent: "project" as const })),
  // Package managers' own configuration in the project, read by every invocation there (even
  // `yarn --version`, or an editor's `cargo metadata`): each can name a program to run instead.
  ...[".yarnrc.yml", ".yarnrc", ".yarn/releases", ".yarn/plugins", ".npmrc", "rust-toolchain.toml", "rust-toolchain"].map((path) => ({
    path,
  })),
  ...[".mvn/jvm.config", ".mvn/maven.config", ".mvn/extensions.xml", ".mvn/wrapper/maven-wrapper.properties"].map((path) => ({ path })),
  ...["gradle/wrapper/gradle-wrapper.properties", "gradle.properties"].map((path) => ({ path })),
  // pnpm loads .pnpmfile.cjs on every install (hooks run even with --ignore-scripts); mise runs
  // the hooks and env templates of its config when a shell enters the directory.
  { path: ".pnpmfile.cjs", absent: "project" },
  ...[".mise.toml", "mise.toml", ".config/mise", ".tool-versions"].map((path) => ({ path })),
  { path: ".zed" },
  { path: ".continue" },
  { path: ".devcontainer" },
  { path: ".aider.conf.yml" },
];

/**
 * Credentials in the caller's home, hidden whenever a readable or writable directory holds the
 * home: keys, cloud and registry tokens. An absent `.ssh` cannot be created in a writable home
 * (an `ssh_config` ProxyCommand runs on the next ssh).
 */
const HOME_SECRETS: readonly Rule[] = [
  { path: ".ssh", absent: "home" },
  ...[".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".config/gh", ".netrc", ".git-credentials"].map((path) => ({
    path,
  })),
  ...[".npmrc", ".pypirc", ".cargo/credentials.toml", ".cargo/credentials", ".gem/credentials"].map((path) => ({ path })),
];

/** The name of the `.env` protection: `.env` and `.env.*` hidden wherever the command can read. */
const ENV_FILES = ".env";
const ENV_FILE = /^\.env(\..+)?$/;

/** Every name `unprotect` accepts. A name also covers the names under it (`.git` → `.git/hooks`). */
export const PROTECTED_NAMES: readonly string[] = [
  ...new Set([...RUN_LATER.map((r) => r.path), ENV_FILES, ...HOME_SECRETS.map((r) => r.path)]),
];

/** What to add to the view for the protections. */
export interface Protected {
  readOnly: string[];
  hide: string[];
}

/** The host object at `path` (not following a last symlink), or undefined when there is none. */
export function lstat(path: string): Stats | undefined {
  try {
    // A missing path, the usual case, without an exception (5 µs each in Node, for dozens a run).
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // a file on the way, or no permission
  }
}

function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

function join(dir: string, rel: string): string {
  return `${dir === "/" ? "" : dir}/${rel}`;
}

/**
 * The protected paths for a run. `write` and `read` are absolute; `system` lists the directories
 * that are the host's own (no `.env` search there).
 *
 * @throws {ConfigError} when a protected path is a symbolic link: inside a writable directory the
 * link itself can be replaced, so it cannot be kept read-only; `unprotect` names the way out.
 */
export function protectedPaths(
  args: { cwd: string; read: readonly string[]; write: readonly string[]; system: readonly string[]; unprotect: readonly string[] },
): Protected {
  const off = (name: string) => args.unprotect.some((u) => name === u || name.startsWith(u + "/"));
  const home = callerHome();
  const readOnly: string[] = [];
  const hide: string[] = [];
  for (const dir of args.write) {
    const project = isUnder(args.cwd, dir);
    for (const rule of RUN_LATER) {
      if (off(rule.path)) continue;
      const path = join(dir, rule.path);
      // Another writable directory listed at or under this path is the caller's explicit choice.
      if (args.write.some((w) => isUnder(w, path))) continue;
      const st = lstat(path);
      if (st?.isSymbolicLink()) {
        throw new ConfigError("run options", [{
          path: "unprotect",
          message: `"${path}" is a symbolic link in a writable directory, so it cannot be kept read-only; ` +
            `add "${rule.path}" to unprotect to run anyway`,
        }]);
      }
      if (st) {
        // A `.git` directory is protected by its parts (hooks, config); the rest of it is git's data.
        if (!(rule.path === ".git" && st.isDirectory())) readOnly.push(path);
      } else if (rule.absent === "project" ? project : rule.absent === "home" && dir === home) {
        // Uncreatable where its parent is a real directory (`.git/hooks` only inside a `.git`).
        if (lstat(path.slice(0, path.lastIndexOf("/")) || "/")?.isDirectory()) hide.push(path);
      }
    }
  }
  const homeWritable = args.write.some((w) => isUnder(home, w));
  if (homeWritable || args.read.some((r) => isUnder(home, r))) {
    for (const rule of HOME_SECRETS) {
      if (off(rule.path)) continue;
      const path = join(home, rule.path);
      if (lstat(path) || (rule.absent === "home" && homeWritable)) hide.push(path);
    }
  }
  if (!off(ENV_FILES)) {
    for (const dir of new Set([...args.read, ...args.write])) {
      if (dir === "/" || args.system.includes(dir)) continue;
      let entries: Dirent[] = [];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue; // not a directory, or unreadable: nothing in it to hide
      }
      for (const e of entries) if (ENV_FILE.test(e.name)) hide.push(join(dir, e.name));
      if (args.write.includes(dir) && isUnder(args.cwd, dir) && !entries.some((e) => e.name === ENV_FILES)) {
        hide.push(join(dir, ENV_FILES)); // a planted .env would be loaded by dotenv tools later
      }
    }
  }
  return { readOnly, hide };
}

/**
 * Whether `path` is a protected name that `unprotect` turned off, in one of the writable
 * directories (`/p/.npmrc` with `.npmrc`): a policy's own `readOnly` entry for a protected name
 * (a preset making `.npmrc` uncreatable) is turned off by the same name.
 */
export function isUnprotected(path: string, write: readonly string[], unprotect: readonly string[]): boolean {
  return write.some((dir) => unprotect.some((name) => isUnder(path, join(dir, name))));
}

/** Stockade's own files that decide how the next run is sandboxed (relative to the package root). */
const OWN_FILES: readonly string[] = ["engine/bin", "dist", "src", "mod.ts", "wasm/kafel.wasm", "policies", "package.json"];

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Stockade's own installation and engine binary, kept read-only wherever a writable directory
 * contains them (a project's `node_modules/stockade`, an engine built inside the project): a
 * command that rewrote them would run unsandboxed the next time. This protection has no name in
 * `unprotect`. Where the writable directory is the package itself (a checkout of Stockade), its
 * runtime files stay read-only and the rest stays writable.
 */
export function ownFiles(write: readonly string[], packageDir: string, engine?: string): string[] {
  const pkg = real(packageDir);
  const out = new Set<string>();
  for (const dir of write.map(real)) {
    if (pkg !== dir && isUnder(pkg, dir)) out.add(pkg);
    else if (isUnder(dir, pkg)) {
      for (const rel of OWN_FILES) if (isUnder(join(pkg, rel), dir) && lstat(join(pkg, rel))) out.add(join(pkg, rel));
    }
    if (engine && isUnder(real(engine), dir)) out.add(real(engine));
  }
  return [...out];
}
