package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
	"github.com/cfprewarm/cfprewarm/warm/lambdaenv"
)

// maxStopMargin is the most time kept free before the Lambda deadline to
// write the metrics and return; a tenth of the time left when that is less.
const maxStopMargin = 3 * time.Second

// handler is the Lambda handler: lambda.Handler's Invoke, so that an empty
// payload can be told from a bad one. One handler serves every invocation
// of the process: what it keeps (process.go) carries over.
type handler struct {
	getenv  func(string) string
	metrics io.Writer // EMF lines (stdout: the function's log)
	logs    io.Writer // slog JSON lines

	kept kept // across invocations: trust roots, hosts files, what the waves learned
}

// Invoke configures a run from the environment and the event (package
// lambdaenv: the event may only narrow the environment), runs it
// until the deadline minus a margin, writes one EMF line per POP per wave
// and returns the summary: per-POP totals, bounded in size
// (format.Summary). Every request's record goes to the log only when
// LOG_REQUESTS or the event's logRequests asks.
func (h *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	s, cfgErr := lambdaenv.Configure(h.getenv, payload)
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: s.LogLevel}))
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	if cfgErr == nil {
		cfgErr = h.kept.prepare(&s)
	}
	if cfgErr != nil {
		log.Error("prewarm not run", "err", cfgErr)
		return nil, cfgErr
	}
	s.Config.Logger = log
	runner, err := warm.NewRunner(s.Config)
	if err != nil {
		log.Error("prewarm not run", "err", err)
		return nil, err
	}

	runCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		stopAt := deadline.Add(-stopMargin(time.Until(deadline)))
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, stopAt)
		defer cancel()
		warnIfTooShort(log, runner.Config(), time.Until(deadline))
	}

	res := runner.Run(runCtx, nil)
	namespace := s.Namespace
	if namespace == "" {
		namespace = format.DefaultNamespace
	}
	if err := format.WriteEMF(h.metrics, res, format.Options{Namespace: namespace}); err != nil {
		log.Error("writing metrics", "err", err)
	}
	if s.LogRequests {
		logRequests(log, res)
	}
	cold, known := res.Total.OriginColdRatio().Value()
	log.Info("prewarm done", "distribution", res.Distribution, "waves", len(res.Waves),
		"waves_planned", res.WavesPlanned, "stopped", string(res.Stopped), "requests", res.Total.Requests,
		"errors", res.Total.Errors, "unfinished", res.Total.Unfinished, "error_kinds", res.Total.ErrorsByKind,
		"origin_cold_ratio", coldValue(cold, known), "duration", time.Duration(res.Duration).Round(time.Millisecond).String())
	out, err := json.Marshal(format.Summarize(res))
	if err != nil {
		return nil, fmt.Errorf("encoding the summary: %w", err)
	}
	return out, nil
}

// logRequests logs every request's record (the JSON of cfprewarm warm
// --with-requests), one line each.
func logRequests(log *slog.Logger, res *warm.Result) {
	for _, w := range res.Waves {
		for _, p := range w.POPs {
			for _, rec := range p.Requests {
				b, err := json.Marshal(rec)
				if err != nil {
					continue
				}
				log.Info("prewarm request", "record", json.RawMessage(b))
			}
		}
	}
}

// stopMargin is the time kept before the deadline: a tenth of what is
// left, at most maxStopMargin.
func stopMargin(left time.Duration) time.Duration {
	return min(maxStopMargin, left/10)
}

// warnIfTooShort says when the function's timeout is shorter than the one
// the configuration needs (lambdaenv.FunctionTimeout): later waves may be
// skipped.
func warnIfTooShort(log *slog.Logger, cfg warm.Config, left time.Duration) {
	if need := lambdaenv.FunctionTimeout(cfg); left < need {
		log.Warn("the function timeout is too short for every wave; later waves may be skipped",
			"time_left", left.Round(time.Millisecond).String(), "needed", need.String(),
			"hint", fmt.Sprintf("set the function timeout to at least %v: (WAVES-1) x WAVE_INTERVAL + REQUEST_TIMEOUT + %v", need, lambdaenv.TimeoutMargin))
	}
}

func coldValue(v float64, known bool) any {
	if !known {
		return nil
	}
	return v
}
