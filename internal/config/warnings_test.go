package config

import (
	"strings"
	"testing"
)

// Settings that work, but not as written: each is a warning at its line,
// and the config still loads.
func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"nothing to say", base, nil},
		{"source interval below the minimum", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    interval: 1m", 1),
			[]string{`feeds.yaml:11: source "blog" interval 1m is below the 5m minimum: it is polled every 5m`}},
		{"default interval below the minimum", "defaults:\n  interval: 90s\n" + base,
			[]string{`feeds.yaml:2: defaults.interval 90s is below the 5m minimum: it is polled every 5m`}},
		{"interval at the minimum", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    interval: 5m", 1), nil},
		{"retired deny_private_networks: true", "defaults:\n  fetch:\n    deny_private_networks: true\n" + base,
			[]string{`feeds.yaml:3: defaults.fetch.deny_private_networks is retired: private networks are refused by default now; remove the line`}},
		{"retired deny_private_networks: false", "defaults:\n  fetch:\n    deny_private_networks: false\n" + base,
			[]string{`feeds.yaml:3: defaults.fetch.deny_private_networks: false no longer lets sources reach private networks ` +
				`(they are refused by default now); if feeds.yaml is trusted and a source is on your own network, ` +
				`set allow_private_networks: true on that source (or in defaults.fetch), and remove this line`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range cfg.Warnings {
				got = append(got, w.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Private networks: refused unless defaults.fetch or the source allows them;
// the retired key's "false" opens nothing.
func TestParsePrivateNetworks(t *testing.T) {
	tests := []struct {
		name              string
		yaml              string
		wantAll, wantBlog bool
	}{
		{"refused by default", base, false, false},
		{"allowed for all", "defaults:\n  fetch: {allow_private_networks: true}\n" + base, true, false},
		{"allowed for one source", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    allow_private_networks: true", 1), false, true},
		{"retired false opens nothing", "defaults:\n  fetch: {deny_private_networks: false}\n" + base, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Defaults.Fetch.AllowPrivateNetworks != tc.wantAll || cfg.Sources[0].AllowPrivateNetworks != tc.wantBlog {
				t.Errorf("allow: defaults %v, source %v; want %v, %v",
					cfg.Defaults.Fetch.AllowPrivateNetworks, cfg.Sources[0].AllowPrivateNetworks, tc.wantAll, tc.wantBlog)
			}
		})
	}
}

func TestParsePrivateNetworkErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"contradiction", "defaults:\n  fetch: {allow_private_networks: true, deny_private_networks: true}\n" + base,
			`feeds.yaml:2: defaults.fetch.deny_private_networks: true contradicts allow_private_networks: true; remove deny_private_networks`},
		{"not a boolean", "defaults:\n  fetch: {allow_private_networks: yes please}\n" + base,
			`feeds.yaml:2: defaults.fetch.allow_private_networks must be true or false, got "yes please"`},
		{"source not a boolean", strings.Replace(base, "topics: [rust]", "topics: [rust]\n    allow_private_networks: 1", 1),
			`feeds.yaml:11: source "blog" allow_private_networks must be true or false, got "1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "feeds.yaml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}
