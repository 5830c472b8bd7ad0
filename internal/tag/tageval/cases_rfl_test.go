package tageval

import "testing"

// TestRustForLinuxCases checks rust-for-linux on headlines written from
// its definition, one class of evidence per group, each with a near miss
// that must stay out: the kernel's Rust drivers by the words press
// headlines use (plural "PHY drivers", "a Rust DRM driver"), the kernel
// Rust toolchain (a minimum rustc raised by Linux, bindgen for kernel
// builds), Rust bindings and abstractions named with the API between
// ("Rust DMA bindings"), and the policy debate voiced by the kernel's own
// maintainers.
func TestRustForLinuxCases(t *testing.T) {
	const rfl = "rust-for-linux"
	tests := []topicCase{
		// Rust drivers of the kernel, as headlines say them.
		{headline("Rust PHY drivers for Asix"), []string{rfl}, nil},
		{headline("Tyr, a new Rust DRM driver for Arm Mali"), []string{rfl, "drivers"}, nil},
		{headline("Rust Ethernet PHY drivers merged"), []string{rfl}, nil},
		{headline("Writing a Windows driver in Rust"), nil, []string{rfl}},
		{headline("A Rust driver for my USB keyboard on macOS"), nil, []string{rfl}},
		// The kernel's Rust toolchain.
		{headline("Linux raises minimum rustc version to 1.78"), []string{rfl}, nil},
		{headline("Linux 6.11 bumps the minimum Rust version"), []string{rfl}, nil},
		{headline("bindgen 0.70 required for kernel builds"), []string{rfl}, nil},
		{headline("Firefox raises minimum rustc version to 1.78"), nil, []string{rfl}},
		{headline("bindgen 0.70 released"), nil, []string{rfl}},
		// Bindings and abstractions with the API named between.
		{headline("Christoph Hellwig objects to Rust DMA bindings"), []string{rfl, "maintainers"}, nil},
		{headline("Rust VFS abstractions posted for review"), []string{rfl}, nil},
		{headline("Rust Python bindings for the Polars library"), nil, []string{rfl}},
		// The policy debate, voiced by kernel maintainers.
		{headline("Miguel Ojeda on Rust's experimental status ending"), []string{rfl, "maintainers"}, nil},
		{headline("Greg Kroah-Hartman: new drivers should be written in Rust"), []string{rfl, "maintainers"}, nil},
	}
	checkCases(t, tests)
}
