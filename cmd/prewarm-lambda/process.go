package main

import (
	"crypto/x509"
	"sync"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

// kept is what one Lambda process keeps from invocation to invocation (a
// warm execution environment runs many): the trust roots and hosts files,
// read once, and per distribution and host the warm.State of its POPs:
// their edge host estimates, the adaptive factors and the TLS sessions, so
// that an invocation resumes the previous one's sessions and sizes its
// first wave with what the last one learned; and the scheduled times it
// served, to tell a duplicate delivery. The zero value is ready.
type kept struct {
	mu     sync.Mutex
	roots  map[string]*x509.CertPool
	hosts  map[string]map[string]edgehosts.Estimate
	states map[string]*warm.State
	ledger schedule.Ledger
}

// prepare gives an invocation's configuration what the process keeps,
// loading it the first time.
func (k *kept) prepare(s *lambdaenv.Settings) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.states == nil {
		k.roots, k.hosts, k.states = map[string]*x509.CertPool{}, map[string]map[string]edgehosts.Estimate{}, map[string]*warm.State{}
	}
	c := &s.Config
	if c.CAFile != "" {
		roots, ok := k.roots[c.CAFile]
		if !ok {
			var err error
			if roots, err = probe.LoadRootCAs(c.CAFile); err != nil {
				return err
			}
			k.roots[c.CAFile] = roots
		}
		c.RootCAs, c.CAFile = roots, ""
	}
	if s.HostsFile != "" {
		known, ok := k.hosts[s.HostsFile]
		if !ok {
			var err error
			if known, err = edgehosts.ReadFile(s.HostsFile); err != nil {
				return err
			}
			k.hosts[s.HostsFile] = known
		}
		c.KnownHosts = known
	}
	key := c.Distribution + " " + c.Host
	if k.states[key] == nil {
		k.states[key] = warm.NewState()
	}
	c.State = k.states[key]
	return nil
}
