/**
 * Runs sandboxed commands from a separate runtime process, so a test can give that process a
 * real terminal or extra inherited fds. argv: RESULT_FILE SPEC_JSON, where SPEC_JSON is
 * `{ "runs": [{ "command": [...], "options": {...} }] }`. Writes `{ ownFds, results }` (or
 * `{ error }`) as JSON to RESULT_FILE.
 */
import { readdirSync, readlinkSync, writeFileSync } from "node:fs";
import process from "node:process";
import { run, type RunOptions } from "../../src/run.ts";

const [resultFile, spec] = process.argv.slice(-2);
const { runs } = JSON.parse(spec) as { runs: { command: string[]; options: RunOptions }[] };

function fds(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      out[fd] = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // closed while listing (the directory's own fd)
    }
  }
  return out;
}

try {
  const ownFds = fds();
  const results = [];
  for (const { command, options } of runs) {
    const r = await run(command, options);
    results.push({ code: r.code, signal: r.signal, stdout: r.stdoutText, stderr: r.stderrText, events: r.events });
  }
  writeFileSync(resultFile, JSON.stringify({ ownFds, results }));
} catch (e) {
  writeFileSync(resultFile, JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
}
