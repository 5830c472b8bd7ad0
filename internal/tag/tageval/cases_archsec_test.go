package tageval

import "testing"

// TestArchSupportAndCPUFlawCases: Linux itself dropping or preparing a
// CPU's support is architectures (platform support and its removal), a
// distribution or an application doing so is not; a speculative-execution
// attack named in the title is kernel security on its name alone.
func TestArchSupportAndCPUFlawCases(t *testing.T) {
	const arch, sec = "architectures", "security"
	tests := []topicCase{
		{headline("Linux drops support for i486"), []string{arch}, nil},
		{headline("Linux removes support for the Alpha EV4"), []string{arch}, nil},
		{headline("Linux to remove support for old ARM boards"), []string{arch}, nil},
		{headline("AMD Zen 6 support being prepared for Linux"), nil, nil},
		{headline("Ubuntu drops support for i386 packages on Linux"), nil, []string{arch}},
		{headline("Steam for Linux drops support for 32-bit x86"), nil, []string{arch}},
		{headline("Firefox ends support for 32-bit Linux on x86"), nil, []string{arch}},
		{headline("Linux Mint drops support for 32-bit x86"), nil, []string{arch}},
		{headline("Retbleed: arbitrary speculative code execution"), []string{sec}, nil},
		{headline("Zenbleed leaks registers across processes"), []string{sec}, nil},
		{headline("Branch History Injection hits Intel CPUs again"), []string{sec}, nil},
		{headline("Inception review: a dream within a dream"), nil, []string{sec}},
	}
	checkCases(t, tests)
}
