/**
 * Whether the host itself can reach a package registry. A proof that installs from a real
 * registry skips only when this machine has no route to it, never when the sandbox refuses it.
 */

/**
 * Fetches `url` (a small document of the registry) from the host, outside any sandbox; returns
 * why that failed, or `false` when the registry answered 2xx.
 */
export async function registryUnreachable(url: string): Promise<string | false> {
  const host = new URL(url).host;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.ok ? false : `the host itself gets HTTP ${res.status} from ${host}`;
  } catch (e) {
    return `the host itself cannot reach ${host}: ${(e as Error).message}`;
  }
}
