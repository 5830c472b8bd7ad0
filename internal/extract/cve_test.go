package extract

import (
	"slices"
	"testing"
)

func TestCVEs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Fix for CVE-2024-12345", []string{"CVE-2024-12345"}},
		{"cve-2024-12345 and CVE-2024-12345", []string{"CVE-2024-12345"}},
		{"CVE-2023-0179, CVE-2024-1086", []string{"CVE-2023-0179", "CVE-2024-1086"}},
		{"(CVE-2021-4034)", []string{"CVE-2021-4034"}},
		{"CVE-2025-1234567", []string{"CVE-2025-1234567"}},
		{"Cve-2022-0847 dirty pipe", []string{"CVE-2022-0847"}},
		{"<p>CVE-2016-5195</p>", []string{"CVE-2016-5195"}},
		{"CVE-2024-38541: of: module: add buffer overflow check", []string{"CVE-2024-38541"}},
		{"CVE-2024-123", nil},
		{"CVE-24-12345", nil},
		{"XCVE-2024-12345", nil},
		{"CVE-2024-12345678", nil},
		{"CVE 2024 12345", nil},
		{"no ids here", nil},
		{"CVE-2024-1234a", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := CVEs(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("CVEs(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
