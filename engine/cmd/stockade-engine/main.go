//go:build linux

// Command stockade-engine is Stockade's enforcement half on Linux: it reads a frame on fd 3,
// contains the command it describes, and reports events on fd 4. See docs/engine-protocol.md.
package main

import (
	"fmt"
	"os"

	"stockade/engine/internal/sandbox"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

const usage = `usage: stockade-engine run 3<frame.bin   run the command a frame describes (events on fd 4)
       stockade-engine run --frame FILE   the same, reading the frame from FILE
       stockade-engine serve              run frame after frame: requests on fd 3, replies on fd 4
       stockade-engine probe              print what this host allows, as JSON
       stockade-engine --version`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		if len(os.Args) == 4 && os.Args[2] == "--frame" {
			// The frame from a file instead of fd 3 (for benchmarks and tools that cannot set fds).
			if err := sandbox.FrameFromFile(os.Args[3]); err != nil {
				fmt.Fprintf(os.Stderr, "stockade-engine: frame %q: %v\n", os.Args[3], err)
				os.Exit(125)
			}
		} else if len(os.Args) != 2 {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(sandbox.Run())
	case "serve":
		os.Exit(sandbox.Serve())
	case "probe":
		os.Exit(sandbox.Probe(version))
	case "--version", "version":
		fmt.Println("stockade-engine", version)
	case "__supervise": // hidden: PID 1 of a supervised run (learn, reported refusals)
		sandbox.Supervise()
	case "__exec": // hidden: the exec stage of a supervised run
		sandbox.Exec()
	case "__probe-userns": // hidden: probe's check inside fresh namespaces
		os.Exit(sandbox.ProbeUserns())
	case "-h", "--help", "help":
		fmt.Println(usage)
	default:
		fmt.Fprintf(os.Stderr, "stockade-engine: unknown command %q\n%s\n", os.Args[1], usage)
		os.Exit(2)
	}
}
