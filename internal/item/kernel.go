package item

import (
	"strings"
	"time"
)

// The kernel lane's facts: what a mailing-list mail says about the patch
// series or pull request it belongs to, a kernel CNA announcement and a
// kernel.org release record. Package extract reads them out of an item's
// text; package story gathers a series' facts into its Status; publish
// shows them.

// Series identifies a patch series across its versions, as b4 and careful
// submitters write it into a cover letter.
type Series struct {
	// ChangeID is b4's "change-id:" trailer, the same in every version.
	ChangeID string `json:"change_id,omitempty"`
	// Previous are the links of earlier versions ("- Link to v1: URL").
	Previous []string `json:"previous,omitempty"`
}

// Review is one review trailer given in a mail (Reviewed-by:, Acked-by:,
// Tested-by:), not one quoted from another mail.
type Review struct {
	Kind string `json:"kind"` // "Reviewed-by", "Acked-by" or "Tested-by"
	Who  string `json:"who"`  // the name as written, without the address
}

// The states of a series or pull request, from Event.State and
// Status.State.
const (
	StatePosted       = "posted"        // a version was sent
	StateReviewed     = "reviewed"      // review trailers were given
	StateApplied      = "applied"       // a maintainer applied it to a tree
	StateMerged       = "merged"        // it reached mainline (pr-tracker-bot)
	StateStable       = "stable"        // queued for a stable tree
	StateStableFailed = "stable-failed" // failed to apply to a stable tree
)

// Event is one change of a series' status: what a maintainer's or a bot's
// mail says happened, or a version being posted.
type Event struct {
	State string `json:"state"`
	// Tree is where it happened: "rust-next", "netdev/net-next.git (main)",
	// "torvalds/linux.git", "6.12-stable".
	Tree string `json:"tree,omitempty"`
	// Who did it: the maintainer who applied it, the author who posted.
	Who string `json:"who,omitempty"`
	// When and Message are the date and link of the mail that says so
	// (set from the mail, not from its text).
	When    time.Time `json:"when,omitzero"`
	Message string    `json:"message,omitempty"`
	// Text is the line of the mail that says so, verbatim.
	Text string `json:"text,omitempty"`
	// Version and Patches describe a posted version: v2 of 5 patches.
	Version int `json:"version,omitempty"`
	Patches int `json:"patches,omitempty"`
}

// Status is where a patch series or pull request stands: its events,
// newest first (Events[0] is the current state), and its reviews. The
// store sets it on a story's representative, like Related.
type Status struct {
	Events  []Event  `json:"events"`
	Reviews []Review `json:"reviews,omitempty"`
}

// Current is the newest event, zero if none.
func (s *Status) Current() Event {
	if s == nil || len(s.Events) == 0 {
		return Event{}
	}
	return s.Events[0]
}

// CVE is what a kernel CNA announcement (linux-cve-announce) publishes
// about one CVE.
type CVE struct {
	ID string `json:"id"`
	// Ranges are the "Affected and fixed versions" lines, one per branch.
	Ranges []CVERange `json:"ranges,omitempty"`
	// Fixed and Introduced are the versions of Ranges, deduplicated in
	// order; Commits their commit ids, fixes first.
	Fixed      []string `json:"fixed,omitempty"`
	Introduced []string `json:"introduced,omitempty"`
	Commits    []string `json:"commits,omitempty"`
	// Files are the "Affected files"; Subsystems the topic slugs they map
	// to (see extract.Subsystems).
	Files      []string `json:"files,omitempty"`
	Subsystems []string `json:"subsystems,omitempty"`
}

// CVERange is one "Issue introduced in X with commit A and fixed in Y with
// commit B" line; any part may be missing.
type CVERange struct {
	Introduced       string `json:"introduced,omitempty"`
	IntroducedCommit string `json:"introduced_commit,omitempty"`
	Fixed            string `json:"fixed,omitempty"`
	FixedCommit      string `json:"fixed_commit,omitempty"`
}

// Release is a kernel.org release record (kdist.xml): the version, its
// moniker and the links of its description table.
type Release struct {
	Version string `json:"version"`
	// Moniker is kernel.org's kind of release: mainline, stable,
	// longterm, linux-next.
	Moniker string `json:"moniker,omitempty"`
	// EOL marks the last release of a branch ("3.18.80 (EOL)").
	EOL       bool   `json:"eol,omitempty"`
	Released  string `json:"released,omitempty"` // YYYY-MM-DD
	Tarball   string `json:"tarball,omitempty"`
	Signature string `json:"signature,omitempty"`
	Patch     string `json:"patch,omitempty"`
	ChangeLog string `json:"changelog,omitempty"`
	Browse    string `json:"browse,omitempty"`
}

// Headline is how a reader is shown the release: "Linux 6.13 released
// (mainline)" for a final mainline release, else "Linux 6.12.5 (stable)",
// "Linux 6.14-rc2 (mainline)", "linux-next next-20250110".
func (r *Release) Headline() string {
	switch {
	case r.Moniker == "linux-next":
		return "linux-next " + r.Version
	case r.Moniker == "mainline" && !strings.Contains(r.Version, "-rc"):
		return "Linux " + r.Version + " released (mainline)"
	case r.Moniker == "":
		return "Linux " + r.Version
	case r.EOL:
		return "Linux " + r.Version + " (" + r.Moniker + ", end of life)"
	}
	return "Linux " + r.Version + " (" + r.Moniker + ")"
}

// Link is the page to open for the release: its ChangeLog, else its tree
// at the release tag, else the tarball; "" if the record has none.
func (r *Release) Link() string {
	for _, l := range []string{r.ChangeLog, r.Browse, r.Tarball} {
		if l != "" {
			return l
		}
	}
	return ""
}
