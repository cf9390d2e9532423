// Package step is the one error shape of every containment step: `<step> <what>: <errno>`, with a
// hint for known environmental causes and the exit code the engine should end with.
package step

import (
	"errors"
	"fmt"
)

// Exit codes of the engine itself, like a shell's.
const (
	ExitEngine        = 125 // a containment step failed; the target never ran
	ExitNotExecutable = 126
	ExitNotFound      = 127
)

// Error is a failed containment step.
type Error struct {
	Step string // e.g. "mount", "userns", "landlock"
	What string // the path or object, already quoted where it is a value
	Err  error
	Hint string
	Code int // process exit code; 0 means ExitEngine
}

func (e *Error) Error() string {
	msg := e.Step
	if e.What != "" {
		msg += " " + e.What
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the code the engine exits with for this error.
func (e *Error) ExitCode() int {
	if e.Code == 0 {
		return ExitEngine
	}
	return e.Code
}

// Fail builds a step error.
func Fail(stepName, what string, err error) *Error {
	return &Error{Step: stepName, What: what, Err: err}
}

// Failf builds a step error whose cause is a formatted message.
func Failf(stepName, what, format string, args ...any) *Error {
	return &Error{Step: stepName, What: what, Err: fmt.Errorf(format, args...)}
}

// WithHint adds a hint and returns the same error.
func (e *Error) WithHint(hint string) *Error {
	e.Hint = hint
	return e
}

// As returns err as a step error, wrapping foreign errors under stepName.
func As(stepName string, err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return Fail(stepName, "", err)
}
