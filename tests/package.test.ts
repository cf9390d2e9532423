import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = new URL("../", import.meta.url).pathname;
const bin = (name: string) => join(root, "node_modules/.bin", name);
const built = existsSync(join(root, "dist/src/cli.js"));

// A consumer project that installs this package, as users do, then uses the CLI through npx and
// bunx and imports the API under Node (compiled JS), Bun and Deno (TypeScript via "exports").
describe("the installed package", { skip: !built && !process.env.CI && "dist/ is not built (npm run build)" }, () => {
  const project = mkdtempSync(join(tmpdir(), "stockade-consumer-"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module", private: true }));
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", root], { cwd: project, encoding: "utf8" });
  const script = join(project, "use.mjs");
  writeFileSync(
    script,
    'import { compileSeccomp } from "stockade";\nconst bpf = await compileSeccomp("ALLOW { read } DEFAULT KILL", { arch: "x86_64" });\nconsole.log(bpf.length / 8);\n',
  );

  it("installs", () => assert.equal(install.status, 0, install.stderr));

  const clis: [string, string[]][] = [["npx", ["npx", "--no-install", "stockade", "--version"]], ["bunx", [bin("bunx"), "stockade", "--version"]]];
  for (const [name, argv] of clis) {
    it(`runs as ${name} stockade`, () => {
      const res = spawnSync(argv[0], argv.slice(1), { cwd: project, encoding: "utf8" });
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^stockade \d+\.\d+\.\d+/);
    });
  }

  const runtimes: [string, string[]][] = [["node", ["node", script]], ["bun", [bin("bun"), script]], ["deno", [bin("deno"), "run", "-A", script]]];
  for (const [name, argv] of runtimes) {
    it(`imports and compiles under ${name}`, () => {
      const res = spawnSync(argv[0], argv.slice(1), { cwd: project, encoding: "utf8" });
      assert.equal(res.status, 0, res.stderr);
      assert.ok(Number(res.stdout.trim()) > 0, res.stdout);
    });
  }
});
