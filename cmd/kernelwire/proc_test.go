package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
)

// envRunMain makes the test binary behave as kernelwire itself: TestMain
// runs main() with the arguments after the binary's name. Tests that need a
// real process (exit codes, panics that would kill the test binary, several
// replicas on one host) start it through kwProcess.
const envRunMain = "KERNELWIRE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return // main exits; this is never reached
	}
	os.Exit(m.Run())
}

// kwProcess returns the command running kernelwire with args in a process of
// its own (this test binary, re-executed as main).
func kwProcess(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	return cmd
}

// runProcess runs kernelwire with args to its end and returns its exit code,
// stdout and stderr.
func runProcess(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := kwProcess(t.Context(), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run kernelwire %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}
