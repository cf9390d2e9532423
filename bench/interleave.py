"""Start-up of whole commands, interleaved run by run: each round runs every command once, in a
fresh random order, through posix_spawn (stdin and stdout on /dev/null, the caller's environment),
and times it to its exit. This VM's speed drifts by a quarter within minutes, and hyperfine's
blocks of runs book that drift against whichever command ran in a slow stretch; here every
command sees the same stretches. For comparing builds whose difference is a few percent.

usage: python3 bench/interleave.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]
  e.g. python3 bench/interleave.py 3000 \\
         head="engine/bin/stockade-engine run --frame /tmp/true.frame" \\
         bwrap="/usr/bin/bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true"
Commands are split on spaces and looked up on PATH. Prints each command's median, quartiles and
ratio to the first; the first 10 rounds are warm-up.
"""
import os
import random
import shutil
import statistics
import sys
import time

WARMUP = 10


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = []
    for arg in sys.argv[2:]:
        name, line = arg.split("=", 1)
        argv = line.split()
        path = shutil.which(argv[0])
        if path is None:
            sys.exit(f"{name}: {argv[0]!r} not found")
        commands.append((name, path, argv))
    null = os.open(os.devnull, os.O_RDWR)
    stdio = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)]
    times = {name: [] for name, _, _ in commands}
    for i in range(WARMUP + rounds):
        for name, path, argv in random.sample(commands, len(commands)):
            t0 = time.perf_counter()
            pid = os.posix_spawn(path, argv, os.environ, file_actions=stdio)
            _, status = os.waitpid(pid, 0)
            ms = (time.perf_counter() - t0) * 1000
            if status != 0:
                sys.exit(f"{name} failed (wait status {status:#x})")
            if i >= WARMUP:
                times[name].append(ms)
    first = statistics.median(times[commands[0][0]])
    print(f"{rounds} rounds, each command once per round in a random order; load {os.getloadavg()[0]:.2f}")
    for name, _, _ in commands:
        q1, median, q3 = statistics.quantiles(times[name], n=4)
        print(f"{name:12} median {median:7.3f} ms   p25 {q1:7.3f}   p75 {q3:7.3f}   ÷ {commands[0][0]} {median / first:.3f}")


if __name__ == "__main__":
    main()
