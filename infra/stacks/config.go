package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
)

// Context keys read from cdk.json (or `-c key=JSON`).
const (
	ContextBackend         = "backend"
	ContextPrewarmDefaults = "prewarmDefaults"
	ContextPrewarm         = "prewarm"
)

// Duration is a time.Duration written in JSON as a Go duration string
// ("60s", "1m30s") or as a number of seconds.
type Duration time.Duration

// UnmarshalJSON accepts "60s" or 60.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration %s: want a string like \"60s\" or a number of seconds", b)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// BackendConfig is the "backend" context value.
type BackendConfig struct {
	StackName                string   `json:"stackName"`
	Account                  string   `json:"account"`
	Region                   string   `json:"region"`
	AvailabilityZones        []string `json:"availabilityZones"`
	NATGateways              int      `json:"natGateways"`
	OriginAccess             string   `json:"originAccess"`
	OriginDomainName         string   `json:"originDomainName"`
	HostedZoneID             string   `json:"hostedZoneId"`
	HostedZoneName           string   `json:"hostedZoneName"`
	CertificateARN           string   `json:"certificateArn"`
	Image                    string   `json:"image"`
	ECRRepositoryName        string   `json:"ecrRepositoryName"`
	ImageTag                 string   `json:"imageTag"`
	ImageDigest              string   `json:"imageDigest"`
	DesiredCount             int      `json:"desiredCount"`
	TaskCPU                  int      `json:"taskCpu"`
	TaskMemoryMiB            int      `json:"taskMemoryMiB"`
	KeepAlive                Duration `json:"keepAlive"`
	AppIdleTimeout           Duration `json:"appIdleTimeout"`
	NLBIdleTimeout           Duration `json:"nlbIdleTimeout"`
	OriginReadTimeout        Duration `json:"originReadTimeout"`
	OriginConnectionAttempts int      `json:"originConnectionAttempts"`
	ServerTimingSamplingRate float64  `json:"serverTimingSamplingRate"`
	OriginVerifyHeader       string   `json:"originVerifyHeader"`
	HostIDFunction           bool     `json:"hostIdFunction"`
	OriginFacingPrefixListID string   `json:"originFacingPrefixListId"`
	PriceClass               string   `json:"priceClass"`
	AccessLogExpirationDays  int      `json:"accessLogExpirationDays"`
	DomainNames              []string `json:"domainNames"`
	ViewerCertificateARN     string   `json:"viewerCertificateArn"`
	DomainHostedZoneID       string   `json:"domainHostedZoneId"`
	DomainHostedZoneName     string   `json:"domainHostedZoneName"`
	DrainPeriod              Duration `json:"drainPeriod"`
}

// PrewarmConfig is one entry of the "prewarm" context list, merged over
// "prewarmDefaults": one prewarm stack in one region.
type PrewarmConfig struct {
	StackName              string   `json:"stackName"`
	Account                string   `json:"account"`
	Region                 string   `json:"region"`
	DistributionDomain     string   `json:"distributionDomain"`
	Host                   string   `json:"host"`
	Path                   string   `json:"path"`
	Method                 string   `json:"method"`
	POPs                   []string `json:"pops"`
	RequestsPerPOP         int      `json:"requestsPerPop"`
	Concurrency            int      `json:"concurrency"`
	RequestTimeout         Duration `json:"requestTimeout"`
	Schedule               string   `json:"schedule"`
	Period                 Duration `json:"period"`
	Waves                  int      `json:"waves"`
	WaveInterval           Duration `json:"waveInterval"`
	KeepAlive              Duration `json:"keepAlive"`
	IPVersion              int      `json:"ipVersion"`
	EMFNamespace           string   `json:"emfNamespace"`
	Metrics                string   `json:"metrics"`
	LogLevel               string   `json:"logLevel"`
	MemoryMiB              int      `json:"memoryMiB"`
	ScheduleEnabled        *bool    `json:"scheduleEnabled"`
	Tracing                bool     `json:"tracing"`
	ErrorRateThreshold     float64  `json:"errorRateThreshold"`
	ColdRatioThreshold     float64  `json:"coldRatioThreshold"`
	AlarmEvaluationPeriods int      `json:"alarmEvaluationPeriods"`
	AlarmTopicARN          string   `json:"alarmTopicArn"`
	HostID                 bool     `json:"hostId"`
}

// AppConfig is the whole app's configuration: an optional backend and one
// prewarm stack per listed region.
type AppConfig struct {
	Backend *BackendConfig
	Prewarm []PrewarmConfig
}

// ParseConfig decodes the context values (as returned by
// Node.TryGetContext: decoded JSON, a JSON string from `-c`, or nil). Unknown
// keys are errors, so a typo does not silently fall back to a default.
func ParseConfig(backend, prewarmDefaults, prewarm any) (AppConfig, error) {
	var cfg AppConfig
	var errs []error
	if backend != nil {
		cfg.Backend = new(BackendConfig)
		if err := decodeStrict(backend, cfg.Backend); err != nil {
			errs = append(errs, fmt.Errorf("context %q: %w", ContextBackend, err))
		}
	}
	defaults := map[string]any{}
	if prewarmDefaults != nil {
		if err := decodeStrict(prewarmDefaults, &defaults); err != nil {
			errs = append(errs, fmt.Errorf("context %q: %w", ContextPrewarmDefaults, err))
		}
	}
	var entries []map[string]any
	if prewarm != nil {
		if err := decodeStrict(prewarm, &entries); err != nil {
			errs = append(errs, fmt.Errorf("context %q: must be a list of {\"region\": ..., \"pops\": [...]} objects: %w", ContextPrewarm, err))
		}
	}
	for i, entry := range entries {
		merged := maps.Clone(defaults)
		maps.Copy(merged, entry)
		var pc PrewarmConfig
		if err := decodeStrict(merged, &pc); err != nil {
			errs = append(errs, fmt.Errorf("context %q[%d]: %w", ContextPrewarm, i, err))
			continue
		}
		cfg.Prewarm = append(cfg.Prewarm, pc)
	}
	return cfg, errors.Join(errs...)
}

// decodeStrict converts v (decoded JSON or a JSON string) into out,
// refusing unknown fields.
func decodeStrict(v any, out any) error {
	raw, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		raw = string(b)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}
