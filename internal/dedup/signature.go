package dedup

import (
	"github.com/kernelwire/kernelwire/internal/item"
)

// MinHash parameters. They are part of the stored format: buckets written
// by one version must be found by the next, so changing any of them (or
// tokens, or the hash functions below) is a migration: old buckets simply
// stop matching until they expire with the window.
const (
	// Bands × Rows minima make a signature. Two rows per band make a pair
	// of titles a candidate with probability 1-(1-J²)^24: 0.89 at Jaccard
	// 0.3, 0.9990 at 0.5, 0.21 at 0.1. Titles are short, so same-story
	// pairs often sit near 0.3-0.5 (a headline inside a longer one); 24
	// bands keep those while unrelated titles sharing one common word
	// ("linux") rarely collide. SameStory, not the bucket, decides.
	Bands = 24
	Rows  = 2
	// NumHashes is the number of MinHash functions.
	NumHashes = Bands * Rows
)

// Sig is an item's MinHash signature over its title tokens (see tokens).
// Summaries are left out on purpose: outlets' summaries differ in length
// and kind (Hacker News repeats the title, GitHub releases have none, LWN
// quotes the announcement), so they would pull same-story pairs apart more
// often than together; the headline is each outlet's own summary of the
// story.
type Sig struct {
	// Min holds the minimum of each hash function over the tokens.
	Min [NumHashes]uint64
	// N is the number of distinct tokens; a signature of zero tokens has
	// no buckets.
	N int
}

// Signature computes the item's signature. It is pure and stable across runs and
// versions: tokens are hashed with 64-bit FNV-1a, and hash function i is
// splitmix64(h ^ seed(i)) with seed(i) a fixed constant sequence, so no
// random seed is ever drawn.
func Signature(it item.Item) Sig {
	return signatureOf(tokenSet(it.Title))
}

// signatureOf is the signature of the distinct tokens toks (tokenSet).
func signatureOf(toks []string) Sig {
	var s Sig
	for i := range s.Min {
		s.Min[i] = ^uint64(0)
	}
	for _, t := range toks {
		s.N++
		h := fnv1a(t)
		for i := range s.Min {
			if v := splitmix64(h ^ seeds[i]); v < s.Min[i] {
				s.Min[i] = v
			}
		}
	}
	return s
}

// Buckets returns the signature's LSH band keys, "b07:9f2c1a3b": the band
// number and 32 bits of the band's minima. Items that share any bucket are
// candidates for SameStory. 32 bits are plenty: a week holds thousands of
// items, so an accidental collision (2^-32 per pair and band) is rare and
// only costs one extra verification.
func (s Sig) Buckets() []string {
	if s.N == 0 {
		return nil
	}
	// One string holds all buckets and each is a slice of it: one
	// allocation per item instead of one per bucket.
	const width = 12 // "b07:9f2c1a3b"
	buf := make([]byte, 0, Bands*width)
	for b := range Bands {
		h := uint64(b)
		for r := range Rows {
			h = splitmix64(h ^ s.Min[b*Rows+r])
		}
		buf = append(buf, 'b', byte('0'+b/10), byte('0'+b%10), ':')
		const hex = "0123456789abcdef"
		v := uint32(h >> 32)
		for shift := 28; shift >= 0; shift -= 4 {
			buf = append(buf, hex[(v>>uint(shift))&0xf])
		}
	}
	all := string(buf)
	out := make([]string, Bands)
	for b := range out {
		out[b] = all[b*width : (b+1)*width]
	}
	return out
}

// Similarity estimates the Jaccard similarity of the two token sets: the
// fraction of equal minima. SameStory computes the exact value from the
// items; this is for a store that wants to rank candidates before loading
// them.
func (s Sig) Similarity(o Sig) float64 {
	if s.N == 0 || o.N == 0 {
		return 0
	}
	eq := 0
	for i := range s.Min {
		if s.Min[i] == o.Min[i] {
			eq++
		}
	}
	return float64(eq) / NumHashes
}

// fnv1a is 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/),
// inlined to hash without allocating.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// splitmix64 is the finaliser of Steele et al.'s SplitMix64 (OOPSLA 2014);
// it turns one hash into many well-mixed, independent-looking ones.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// seed is the fixed seed of hash function i.
func seed(i int) uint64 {
	return splitmix64(uint64(i) * 0x632be59bd9b4e019)
}

// seeds holds seed(i) for each hash function: computed per token and
// function, it was a third of a signature's hashing.
var seeds = func() (s [NumHashes]uint64) {
	for i := range s {
		s[i] = seed(i)
	}
	return s
}()
