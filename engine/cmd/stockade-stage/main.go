//go:build linux

// Command stockade-stage is the sandbox's PID 1 (`__init`) and exec stage (`__exec`) of
// stockade-engine, which starts it from its own directory (engine/bin). It is the same code as
// those stages of stockade-engine, built without the network proxy: net/http and its TLS stack
// cost each Go start-up ≈0.7 ms of CPU and ≈100 page faults, twice per sandbox. Not a command.
package main

import (
	"os"

	"stockade/engine/internal/sandbox"
)

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "__init":
			sandbox.Init()
		case "__exec":
			sandbox.Exec()
		}
	}
	os.Stderr.WriteString("stockade-stage: an internal stage of stockade-engine, not a command\n")
	os.Exit(2)
}
