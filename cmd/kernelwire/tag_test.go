package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCmdTag(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // lines or fragments the output must hold
	}{
		{"JSON patch subject from the rust-for-linux list", []string{"--explain", "--config", "../../feeds.yaml", "-"},
			`{"title":"[PATCH v3 02/11] rust: kernel: add Opaque::try_ffi_init","source":"lore-rust-for-linux","link":"https://lore.kernel.org/rust-for-linux/20250101-x@example.org/"}`,
			0, []string{"patch:     PATCH v3 2/11, subsystem rust", "topics:    patches, rust-for-linux", `rust-for-linux: rule "rust patch subject"`, `patches: rule "patch subject", words: PATCH`}},
		{"a list's mail is filed by the list table, a subject prefix by the subsystem table", []string{"--explain", "--config", "../../feeds.yaml", "-"},
			`{"title":"Re: [PATCH] btrfs: fix the extent map lock","link":"https://lore.kernel.org/linux-mm/20250101-y@example.org/"}`,
			0, []string{"topics:    filesystems, memory-management", `filesystems: rule "subsystem btrfs", words: btrfs`,
				`memory-management: rule "list linux-mm", words: lore.kernel.org/linux-mm`}},
		{"kernel.org feed file, flags after the file", []string{"testdata/kdist_2020-05-03_feed-rs-fixture_1item.xml", "--explain", "--config", "../../feeds.yaml"},
			"", 0, []string{"title:     5.7-rc4: mainline", "versions:  5.7-rc4", "topics:    releases", `releases: rule "kernel.org release title"`}},
		{"Rust release is not rust-for-linux", []string{"--config", "../../feeds.yaml", "--explain", "-"},
			`{"title":"Announcing Rust 1.83.0","link":"https://blog.rust-lang.org/2024/11/28/Rust-1.83.0.html"}`,
			0, []string{"topics:    rust\n", `rust: rule "rust project and releases"`}},
		{"index out of range", []string{"--config", "../../feeds.yaml", "--index", "5", "testdata/kdist_2020-05-03_feed-rs-fixture_1item.xml"},
			"", 1, []string{"has 1 items, no index 5"}},
		{"unknown JSON field", []string{"--config", "../../feeds.yaml", "-"}, `{"titel":"x"}`, 1, []string{"unknown field"}},
		{"no target", []string{"--config", "../../feeds.yaml"}, "", 2, []string{"want one FILE_OR_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cmdTag(t.Context(), tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tc.code {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestCmdRetag(t *testing.T) {
	data := t.TempDir()
	wants := []struct {
		args []string
		want string
	}{
		{nil, "0 items re-filed"},
		{[]string{"--force"}, "0 items re-filed"},
	}
	for _, w := range wants {
		var stdout, stderr bytes.Buffer
		args := append([]string{"--config", "../../feeds.yaml", "--data", data}, w.args...)
		if code := cmdRetag(t.Context(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("retag %q: exit %d: %s", w.args, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), w.want) {
			t.Errorf("retag %q printed %q, want %q", w.args, stdout.String(), w.want)
		}
	}
}
