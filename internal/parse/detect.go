package parse

import (
	"bytes"
	"unicode"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// legacyCandidate is a charset detectLegacy may pick, with the weight of
// a non-ASCII character in text it decodes: how typical the character is
// of text really written in that charset.
type legacyCandidate struct {
	enc    encoding.Encoding
	weight func(r rune) float64
	latin  bool
}

func inScript(r rune, ts ...*unicode.RangeTable) bool {
	for _, t := range ts {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// halfwidth katakana are what Chinese or Korean bytes read as Shift_JIS
// become; real Japanese text rarely uses them.
func halfwidth(r rune) bool { return 0xFF61 <= r && r <= 0xFF9F }

var legacyCandidates = []legacyCandidate{
	{charmap.Windows1252, func(r rune) float64 { return b2f(inScript(r, unicode.Latin)) }, true},
	{charmap.Windows1251, func(r rune) float64 { return b2f(inScript(r, unicode.Cyrillic)) }, false},
	{charmap.KOI8R, func(r rune) float64 { return b2f(inScript(r, unicode.Cyrillic)) }, false},
	// GBK: a character outside GB2312 (its extension rows) is what
	// Japanese or Korean bytes read as GBK mostly become.
	{simplifiedchinese.GBK, func(r rune) float64 {
		switch {
		case !inScript(r, unicode.Han):
			return 0
		case inGB2312(r):
			return 1
		}
		return 0.2
	}, false},
	{traditionalchinese.Big5, func(r rune) float64 { return 0.9 * b2f(inScript(r, unicode.Han)) }, false},
	{japanese.ShiftJIS, japaneseWeight, false},
	{japanese.EUCJP, japaneseWeight, false},
	{korean.EUCKR, func(r rune) float64 {
		switch {
		case inScript(r, unicode.Hangul):
			return 1.1
		case inScript(r, unicode.Han):
			return 0.5 // Hanja: rare in Korean text today
		}
		return 0
	}, false},
}

func japaneseWeight(r rune) float64 {
	switch {
	case halfwidth(r):
		return -0.5
	case inScript(r, unicode.Hiragana, unicode.Katakana):
		return 1.1
	case inScript(r, unicode.Han):
		return 1
	}
	return 0
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// inGB2312 reports whether r is in GB2312 (HZ-GB-2312 encodes only it).
func inGB2312(r rune) bool {
	_, err := simplifiedchinese.HZGB2312.NewEncoder().String(string(r))
	return err == nil
}

// detectLegacy guesses the charset of unlabelled bytes that are not UTF-8.
// Each candidate decodes the bytes; the fewest replacement characters wins,
// then the best plausibility: the share of non-ASCII characters in the
// candidate's script, less the case changes inside words that a wrong
// single-byte charset produces ("Íîâîñòè" for "Новости"), less a penalty
// for Latin-1 when non-ASCII characters come in long runs (Latin
// languages use them one at a time, within ASCII words). windows-1252 is
// the WHATWG default and wins ties.
func detectLegacy(body []byte) encoding.Encoding {
	sample := body
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	best, bestBad, bestScore := legacyCandidates[0].enc, -1, 0.0
	for _, c := range legacyCandidates {
		out, err := c.enc.NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		bad := bytes.Count(out, []byte("\uFFFD")) - bytes.Count(sample, []byte("\uFFFD"))
		score := plausibility(string(out), c)
		if bestBad < 0 || bad < bestBad || (bad == bestBad && score > bestScore) {
			best, bestBad, bestScore = c.enc, bad, score
		}
	}
	return best
}

func plausibility(s string, c legacyCandidate) float64 {
	var nonASCII, caseFlips, runs, inRun int
	var weight float64
	prevLower := false
	for _, r := range s {
		if r < 0x80 {
			if inRun > 0 {
				runs++
				inRun = 0
			}
			prevLower = unicode.IsLower(r)
			continue
		}
		nonASCII++
		inRun++
		weight += c.weight(r)
		if unicode.IsUpper(r) && prevLower {
			caseFlips++
		}
		prevLower = unicode.IsLower(r)
	}
	if inRun > 0 {
		runs++
	}
	if nonASCII == 0 {
		return 0
	}
	score := (weight - 2*float64(caseFlips)) / float64(nonASCII)
	if c.latin && runs > 0 && float64(nonASCII)/float64(runs) > 2 {
		score -= 0.5
	}
	return score
}
