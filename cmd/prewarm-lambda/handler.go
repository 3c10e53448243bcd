package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/cfprewarm/cfprewarm/schedule"
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
	// clock is the time a scheduled invocation's slots are judged against
	// (nil: time.Now). Tests shift it to stand anywhere on the grid.
	clock func() time.Time

	kept kept // across invocations: trust roots, hosts files, what the waves learned, the scheduled times served
}

// Invoke configures a run from the environment and the event (package
// lambdaenv: the event may only narrow the environment) and runs it until
// the deadline minus a margin. With a scheduled time in the event
// (EventBridge Scheduler) it sends a wave at each slot of the aligned grid
// the invocation owns (package schedule): all of them when it starts
// within the lateness model, the rest when it is late, none when its
// window is over, when its window holds no slot, or when this process
// served its scheduled time before; without one (a plain rule, a manual
// invoke) it sends WAVES waves WAVE_INTERVAL apart. It writes one EMF line
// per POP per wave and returns the summary: per-POP totals, bounded in
// size (format.Summary), with the invocation's slots when it had a
// scheduled time. Every request's record goes to the log only when
// LOG_REQUESTS or the event's logRequests asks.
func (h *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	now := h.now()
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
	opt := s.Schedule()
	var inv *schedule.Invocation
	if !s.Scheduled.IsZero() {
		i := h.kept.ledger.Claim(opt.Grid().Plan(s.Scheduled, now), now)
		inv = &i
	}

	runCtx := ctx
	if deadline, ok := ctx.Deadline(); ok && (inv == nil || len(inv.Due) > 0) {
		stopAt := deadline.Add(-stopMargin(time.Until(deadline)))
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, stopAt)
		defer cancel()
		warnIfTooShort(log, opt, runner.Config().Timeout, time.Until(deadline))
	}

	var res *warm.Result
	if inv != nil {
		logInvocation(log, *inv)
		// The slots on the real clock (the same unless a test shifts it).
		at := make([]time.Time, len(inv.Due))
		for i, t := range inv.Due {
			at[i] = time.Now().Add(t.Sub(h.now()))
		}
		res = runner.RunAt(runCtx, nil, at)
	} else {
		warnIfGaps(log, opt, runner.Config().KeepAlive)
		res = runner.Run(runCtx, nil)
	}
	namespace := s.Namespace
	if namespace == "" {
		namespace = format.DefaultNamespace
	}
	if err := format.WriteEMF(h.metrics, res, format.Options{Namespace: namespace, Metrics: s.Metrics}); err != nil {
		log.Error("writing metrics", "err", err)
	}
	if s.LogRequests {
		logRequests(log, res)
	}
	cold, known := res.Total.OriginColdRatio().Value()
	log.Info("prewarm done", "distribution", res.Distribution, "schedule", opt.String(), "waves", len(res.Waves),
		"waves_planned", res.WavesPlanned, "stopped", string(res.Stopped), "requests", res.Total.Requests,
		"errors", res.Total.Errors, "unfinished", res.Total.Unfinished, "error_kinds", res.Total.ErrorsByKind,
		"origin_cold_ratio", coldValue(cold, known), "duration", time.Duration(res.Duration).Round(time.Millisecond).String())
	sum := format.Summarize(res)
	sum.Schedule = inv
	out, err := json.Marshal(sum)
	if err != nil {
		return nil, fmt.Errorf("encoding the summary: %w", err)
	}
	return out, nil
}

func (h *handler) now() time.Time {
	if h.clock != nil {
		return h.clock()
	}
	return time.Now()
}

// logInvocation says what a scheduled invocation owns and sends; one that
// sends nothing says why.
func logInvocation(log *slog.Logger, inv schedule.Invocation) {
	args := []any{"status", string(inv.Status), "scheduled", inv.Scheduled.Format(time.RFC3339),
		"window_from", inv.From.Format(time.RFC3339), "window_to", inv.To.Format(time.RFC3339),
		"slots_owned", inv.Owned, "slots_sent", len(inv.Due)}
	switch inv.Status {
	case schedule.OnTime:
		log.Info("prewarm slots", args...)
	case schedule.NoSlot:
		log.Info("prewarm skipped: no slot of the grid in this invocation's window", args...)
	case schedule.Late:
		log.Warn("prewarm invocation late: sending only its remaining slots", args...)
	case schedule.Stale:
		log.Warn("prewarm skipped: the invocation came after its slots", args...)
	case schedule.Duplicate:
		log.Warn("prewarm skipped: this scheduled time was served before (a duplicate delivery)", args...)
	}
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

// warnIfTooShort says when the function's timeout is shorter than the
// one this invocation's schedule needs (schedule.Option.FunctionTimeout):
// later waves may be skipped.
func warnIfTooShort(log *slog.Logger, opt schedule.Option, requestTimeout, left time.Duration) {
	if need := opt.FunctionTimeout(requestTimeout); left < need {
		log.Warn("the function timeout is too short for every wave; later waves may be skipped",
			"time_left", left.Round(time.Millisecond).String(), "needed", need.String(), "schedule", opt.String(),
			"hint", fmt.Sprintf("set the function timeout to at least %v: max(60s + 70s, (WAVES-1) x WAVE_INTERVAL) + REQUEST_TIMEOUT + %v", need, lambdaenv.TimeoutMargin))
	}
}

// warnIfGaps says when plain-rule waves leave gaps longer than the
// keep-alive less the margin under EventBridge's lateness.
func warnIfGaps(log *slog.Logger, opt schedule.Option, keepAlive time.Duration) {
	if !opt.Holds(keepAlive, schedule.DefaultMargin) {
		log.Warn("WAVES and WAVE_INTERVAL leave gaps longer than the keep-alive under EventBridge's lateness: origin connections will close between waves",
			"schedule", opt.String(), "longest_gap", opt.MaxGap().String(), "keepalive", keepAlive.String(),
			"hint", "leave WAVES and WAVE_INTERVAL unset, or use EventBridge Scheduler with the scheduled time (docs/warm.md)")
	}
}

func coldValue(v float64, known bool) any {
	if !known {
		return nil
	}
	return v
}
