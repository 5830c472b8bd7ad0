package item

// Outcome is what saving an item did: story decides it, the store reports
// it, poll counts it.
type Outcome int

// Outcomes of a save.
const (
	New       Outcome = iota + 1 // stored for the first time
	Updated                      // same key, changed hash: updated in place
	Duplicate                    // same key, same hash (or carried by another source)
	TooOld                       // older than the store's maximum age: not taken
)

func (o Outcome) String() string {
	switch o {
	case New:
		return "new"
	case Updated:
		return "updated"
	case Duplicate:
		return "duplicate"
	case TooOld:
		return "too-old"
	}
	return "unknown"
}
