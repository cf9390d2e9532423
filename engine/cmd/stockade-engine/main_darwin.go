// Command stockade-engine on macOS: it reads the same frame on fd 3 as on Linux, runs the command
// under /usr/bin/sandbox-exec with the frame's Seatbelt profile, and reports events on fd 4. See
// docs/macos.md.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

const usage = `usage: stockade-engine run 3<frame.bin   run the command a frame describes (events on fd 4)
       stockade-engine run --frame FILE   the same, reading the frame from FILE
       stockade-engine --version`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		frameFile := ""
		if len(os.Args) == 4 && os.Args[2] == "--frame" {
			frameFile = os.Args[3]
		} else if len(os.Args) != 2 {
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(run(frameFile))
	case "--version", "version":
		fmt.Println("stockade-engine", version)
	case "__exec": // hidden: the stage that applies the rlimits and execs sandbox-exec
		execStage()
	case "-h", "--help", "help":
		fmt.Println(usage)
	default:
		fmt.Fprintf(os.Stderr, "stockade-engine: unknown command %q (macOS has run only)\n%s\n", os.Args[1], usage)
		os.Exit(2)
	}
}
