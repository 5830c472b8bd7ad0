package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// parseDuration accepts Go's syntax ("15m", "1h30m") plus days, which Go
// lacks and retention settings need: "30d", "1.5d", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	days, rest, hasDays := strings.Cut(s, "d")
	if !hasDays {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 15m, 2h, 30d): %w", s, err)
		}
		return d, nil
	}
	n, err := strconv.ParseFloat(days, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 15m, 2h, 30d): bad day count %q", s, days)
	}
	d := time.Duration(n * float64(day))
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r < 0 {
			return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 15m, 2h, 30d, 1d12h): bad remainder %q", s, rest)
		}
		d += r
	}
	return d, nil
}

// formatDuration prints whole days as "90d" so messages echo the file.
func formatDuration(d time.Duration) string {
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

var sizeRe = regexp.MustCompile(`^(\d+)\s*([A-Za-z]*)$`)

var sizeUnits = map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}

// parseSize accepts plain bytes or binary units: "10MiB", "512KiB".
// Decimal units (MB) are refused rather than guessed at.
func parseSize(s string) (int64, error) {
	m := sizeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("bad size %q (want bytes or e.g. 512KiB, 10MiB)", s)
	}
	unit, ok := sizeUnits[m[2]]
	if !ok {
		return 0, fmt.Errorf("bad size %q: unknown unit %q (want B, KiB, MiB or GiB)", s, m[2])
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > (1<<62)/unit {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("bad size %q: must be positive", s)
	}
	return n * unit, nil
}
