/**
 * Stockade's own files cannot be rewritten from inside: an engine binary or a package install
 * that lies in a writable directory (a project's node_modules/stockade) stays read-only, or the
 * next run would not be sandboxed.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { locateEngine } from "../../src/engine/locate.ts";
import { ownFiles } from "../../src/protect.ts";
import { run } from "../../src/run.ts";
import { skip, tempDir } from "./helpers.ts";

describe("Stockade's own files", { skip }, () => {
  it("an engine inside the writable project cannot be replaced by the command", async () => {
    const project = tempDir("self-protect");
    mkdirSync(join(project, "bin"));
    const engine = join(project, "bin", "stockade-engine");
    copyFileSync(locateEngine(), engine);
    const before = readFileSync(engine);
    const saved = process.env.STOCKADE_ENGINE;
    process.env.STOCKADE_ENGINE = engine;
    try {
      // A running binary cannot be written (ETXTBSY), but it can be renamed over.
      const script = "echo planted > bin/other && mv -f bin/other bin/stockade-engine 2>/dev/null && echo replaced; " +
        "echo planted > bin/other; cat bin/other";
      const r = await run(["/bin/sh", "-c", script], { cwd: project, writeCwd: true });
      // The rest of the project stays writable.
      assert.equal(r.stdoutText.trim(), "planted", r.stderrText);
    } finally {
      if (saved === undefined) delete process.env.STOCKADE_ENGINE;
      else process.env.STOCKADE_ENGINE = saved;
    }
    assert.deepEqual(readFileSync(engine), before);
  });

  it("a package installed under a writable directory is read-only as a whole", () => {
    const project = tempDir("self-protect-pkg");
    const pkg = join(project, "node_modules", "stockade");
    mkdirSync(join(pkg, "dist"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), "{}");
    assert.deepEqual(ownFiles([project], pkg), [pkg]);
    // A checkout of Stockade that is itself writable keeps its runtime files read-only.
    assert.deepEqual(ownFiles([pkg], pkg), [join(pkg, "dist"), join(pkg, "package.json")]);
    assert.deepEqual(ownFiles([join(project, "elsewhere")], pkg), []);
  });
});
