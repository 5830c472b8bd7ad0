// Package tageval measures the shipped topic rules (feeds.yaml) against
// hand-labelled real items and benchmarks tagging against feed parsing. It
// holds tests only: the development set (testdata/dev.jsonl) the rules are
// tuned on, with its precision/recall gate per topic; the blind set
// (testdata/blind.jsonl), later in time, scored and never tuned on; a
// third blind set (testdata/blind3.jsonl) of items in neither; cases
// written for each kind of news the rules must hold on; and the
// tag-versus-parse benchmark.
//
// It lives apart from package tag because it loads feeds.yaml through
// package config, and tag must never import config (config imports tag).
package tageval
