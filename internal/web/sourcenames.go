package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/kernelwire/kernelwire/internal/store"
)

// sourceNames is how sources are shown to people: a display name
// (feeds.yaml's title:, else the feed's own <title> as the poller stored
// it, else the config name) and the site's home page (the feed's <link>,
// else the feed host's root: never the raw XML).
type sourceNames struct {
	titles, sites map[string]string
}

// loadSourceNames reads the stored source states (one store call) and
// keeps the result for sourceTitle and sourceSite. Renders are cached
// against the store's version, so this runs once per change, not per
// request.
func (s *Server) loadSourceNames(ctx context.Context) (*sourceNames, error) {
	var states []store.SourceState
	if s.cfg.Store != nil {
		var err error
		if states, err = s.cfg.Store.SourceStates(ctx); err != nil {
			return nil, fmt.Errorf("source names: %w", err)
		}
	}
	n := s.namesFrom(states)
	s.names.Store(n)
	return n, nil
}

// configSourceNames are the names feeds.yaml alone gives.
func (s *Server) configSourceNames() *sourceNames { return s.namesFrom(nil) }

func (s *Server) namesFrom(states []store.SourceState) *sourceNames {
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	n := &sourceNames{titles: map[string]string{}, sites: map[string]string{}}
	for _, src := range s.cfg.Sources {
		st := byName[src.Name]
		title := src.Title
		if title == "" {
			title = st.Title
		}
		if title == "" {
			title = src.Name
		}
		n.titles[src.Name] = title
		if site := st.SiteURL; site != "" {
			n.sites[src.Name] = site
		} else if u, err := url.Parse(src.URL); err == nil && u.Host != "" {
			n.sites[src.Name] = strings.ToLower(u.Scheme) + "://" + u.Host + "/"
		}
	}
	return n
}

// sourceTitle is the display name of source name.
func (s *Server) sourceTitle(name string) string {
	if n := s.names.Load(); n != nil {
		if t := n.titles[name]; t != "" {
			return t
		}
	}
	return name
}

// sourceSite is the home page of source name, "" when unknown.
func (s *Server) sourceSite(name string) string {
	if n := s.names.Load(); n != nil {
		return n.sites[name]
	}
	return ""
}
