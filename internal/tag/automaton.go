package tag

// automaton is an Aho-Corasick matcher over the normalised phrases of every
// rule, built once by Compile. One pass over a field finds every phrase of
// every topic, which is what keeps Tag linear in the item's length rather
// than in (item length x number of phrases). BenchmarkTag measures it.
//
// The transition table is a full DFA over byte classes: bytes that occur
// in no phrase share class 0, so the table stays small (nodes x classes)
// and the scan never follows failure links.
type automaton struct {
	class    [256]uint8
	nclass   int
	delta    []int32   // delta[node*nclass+class] = next node
	out      [][]int32 // phrase ids ending at node, including suffixes
	patterns []string
}

func newAutomaton(patterns []string) *automaton {
	a := &automaton{patterns: patterns, nclass: 1}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if a.class[p[i]] == 0 {
				// More than 255 distinct bytes cannot occur in
				// practice: phrases are lower-case text.
				if a.nclass == 256 {
					panic("tag: too many distinct bytes in phrases")
				}
				a.class[p[i]] = uint8(a.nclass)
				a.nclass++
			}
		}
	}
	// Build the trie with -1 for missing edges.
	trie := [][]int32{a.newRow()}
	a.out = [][]int32{nil}
	for id, p := range patterns {
		node := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[p[i]]
			if trie[node][c] < 0 {
				trie = append(trie, a.newRow())
				a.out = append(a.out, nil)
				trie[node][c] = int32(len(trie) - 1)
			}
			node = trie[node][c]
		}
		a.out[node] = append(a.out[node], int32(id))
	}
	// Breadth-first: fill missing edges from the failure node and inherit
	// its outputs, turning the trie into a DFA.
	fail := make([]int32, len(trie))
	queue := make([]int32, 0, len(trie))
	for c := 0; c < a.nclass; c++ {
		if next := trie[0][c]; next < 0 {
			trie[0][c] = 0
		} else {
			queue = append(queue, next)
		}
	}
	for len(queue) > 0 {
		node := queue[0]
		queue = queue[1:]
		for c := 0; c < a.nclass; c++ {
			next := trie[node][c]
			if next < 0 {
				trie[node][c] = trie[fail[node]][c]
				continue
			}
			fail[next] = trie[fail[node]][c]
			a.out[next] = append(a.out[next], a.out[fail[next]]...)
			queue = append(queue, next)
		}
	}
	a.delta = make([]int32, 0, len(trie)*a.nclass)
	for _, row := range trie {
		a.delta = append(a.delta, row...)
	}
	return a
}

func (a *automaton) newRow() []int32 {
	row := make([]int32, a.nclass)
	for i := range row {
		row[i] = -1
	}
	return row
}

// scan calls hit for every whole-word occurrence of a phrase in text.
func (a *automaton) scan(text string, hit func(id int32)) {
	if len(a.patterns) == 0 {
		return
	}
	node := int32(0)
	for i := 0; i < len(text); i++ {
		node = a.delta[int(node)*a.nclass+int(a.class[text[i]])]
		for _, id := range a.out[node] {
			end := i + 1
			if atBoundary(text, end-len(a.patterns[id]), end) {
				hit(id)
			}
		}
	}
}
