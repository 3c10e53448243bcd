// Package labca is the lab's throwaway certificate authority.
//
// New generates an ECDSA P-256 root that lives only in memory; Issue signs
// leaf certificates for DNS names (wildcards allowed) and IP addresses; Pool
// gives the roots a client verifies against; WritePEM writes the root for
// tools that take a CA file (curl --cacert, cfprewarm --cacert).
//
// Nothing here turns TLS verification off: the lab trusts its own CA instead.
package labca
