package dedup

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
)

// commonWords holds how many of 9,075 real aggregator headlines (twelve
// weeks of Hacker News, Lobsters, Slashdot and SoylentNews front pages,
// February to September 2025, none of them in the labelled story sets)
// carry each title token (see tokens), for the tokens that eight or more
// carry. It stands in for the document frequencies of the story window: a
// word most headlines of a week carry ("ai", "open", "model", "linux")
// says little about which event a title reports, a rare one ("nexperia",
// "zorin", "heineman") says much. A background table keeps SameStory pure
// and its verdicts stable; unlisted tokens count as rare.
//
//go:embed common_words.txt
var commonWords string

// idfTable maps a token to its inverse document frequency, ln(N/df).
var idfTable, maxIDF = loadIDF(commonWords)

func loadIDF(s string) (map[string]float64, float64) {
	head, rest, _ := strings.Cut(s, "\n")
	n, err := strconv.Atoi(strings.TrimPrefix(head, "# titles "))
	if err != nil || n <= 0 {
		panic("dedup: common_words.txt: bad header " + head)
	}
	out := make(map[string]float64, strings.Count(rest, "\n"))
	for line := range strings.Lines(rest) {
		w, c, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		df, err := strconv.Atoi(c)
		if err != nil || df <= 0 {
			panic("dedup: common_words.txt: bad line " + line)
		}
		out[w] = math.Log(float64(n) / float64(df))
	}
	// An unlisted token is rarer than the rarest listed (7 or fewer).
	return out, math.Log(float64(n) / 4)
}

// idf is the rarity weight of a title token.
func idf(t string) float64 {
	if v, ok := idfTable[t]; ok {
		return v
	}
	return maxIDF
}
